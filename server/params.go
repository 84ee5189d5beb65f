package server

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// pageRequest reads page and page_size: integers >= 1, page_size clamped to
// the maximum.
func pageRequest(q url.Values, errs *aforro.FieldErrors) aforro.PageRequest {
	req := aforro.PageRequest{Page: 1, PageSize: aforro.DefaultPageSize}
	if v, ok := positiveInt(q, "page", errs); ok {
		req.Page = v
	}
	if v, ok := positiveInt(q, "page_size", errs); ok {
		req.PageSize = min(v, aforro.MaxPageSize)
	}
	return req
}

// positiveInt reads an optional integer >= 1; ok is false when it is absent
// or invalid (and then a field error is recorded).
func positiveInt(q url.Values, name string, errs *aforro.FieldErrors) (int, bool) {
	if !q.Has(name) {
		return 0, false
	}
	v, err := strconv.Atoi(strings.TrimSpace(q.Get(name)))
	if err != nil || v < 1 {
		errs.Add(name, "must be a positive integer")
		return 0, false
	}
	return v, true
}

// optionalID reads an optional id parameter; 0 means absent.
func optionalID(q url.Values, name string, errs *aforro.FieldErrors) int64 {
	if !q.Has(name) {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(q.Get(name)), 10, 64)
	if err != nil || v < 1 {
		errs.Add(name, "must be a positive integer id")
		return 0
	}
	return v
}

// optionalBool reads true/false/1/0 (any case); absent is false.
func optionalBool(q url.Values, name string, errs *aforro.FieldErrors) bool {
	if !q.Has(name) {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(q.Get(name))) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	errs.Add(name, "must be true, false, 1 or 0")
	return false
}

// pathID reads the path parameter name as a positive id. Anything else names
// no resource, so it is answered like an unknown id: 404 with what.
func pathID(req bunrouter.Request, name, what string) (int64, error) {
	raw := req.Param(name)
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 1 {
		return 0, aforro.Errorf(aforro.ENOTFOUND, "%s %q not found.", what, raw)
	}
	return v, nil
}
