package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// A cursor is the sort key of the last row of a page, signed together with
// the list it belongs to (the path and every filter), so it cannot be
// edited, nor carried to another list or other filters, without the
// signature failing: either is a 400. The key is shared through the
// database, so any instance reads any instance's cursors.
//
// Wire form: base64url (no padding) of version byte 1, the JSON array of
// the key's values, and the first 16 bytes of HMAC-SHA256 over the list's
// binding and the JSON.
const (
	cursorVersion = 1
	cursorMACLen  = 16
	maxCursorLen  = 2048 // a 200-character title and an id fit many times over
)

// cursorKey loads the signing key once; a failure (PostgreSQL down) is
// retried by the next request.
func (s *Server) cursorSecret(ctx context.Context) ([]byte, error) {
	if key := s.cursorKey.Load(); key != nil {
		return *key, nil
	}
	key, err := s.db.SigningKey(ctx, "cursor")
	if err != nil {
		return nil, err
	}
	s.cursorKey.Store(&key)
	return key, nil
}

// listBinding names a list and its filters: the path without its trailing
// slash and the query in canonical order, less what pages it.
func listBinding(r *http.Request) string {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		switch k {
		case "page", "page_size", "cursor":
		default:
			q[k] = v
		}
	}
	return strings.TrimSuffix(r.URL.Path, "/") + "?" + q.Encode()
}

func cursorMAC(secret []byte, binding string, payload []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(binding))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:cursorMACLen]
}

// signCursor encodes key as a cursor of the list binding names.
func signCursor(secret []byte, binding string, key []string) string {
	payload, _ := json.Marshal(key) // strings always marshal
	raw := append([]byte{cursorVersion}, payload...)
	raw = append(raw, cursorMAC(secret, binding, payload)...)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// readCursor returns the key a cursor of the list binding names holds, or
// false when it is not one.
func readCursor(secret []byte, binding, cursor string) ([]string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) < 1+cursorMACLen || raw[0] != cursorVersion {
		return nil, false
	}
	payload, mac := raw[1:len(raw)-cursorMACLen], raw[len(raw)-cursorMACLen:]
	if !hmac.Equal(mac, cursorMAC(secret, binding, payload)) {
		return nil, false
	}
	var key []string
	if err := json.Unmarshal(payload, &key); err != nil || key == nil {
		return nil, false
	}
	return key, true
}

// pageRequest reads a list's page: page and page_size, or cursor and
// page_size. Field errors go to errs; the error
// returned is the signing key's failure to load.
func (s *Server) pageRequest(req bunrouter.Request, errs *aforro.FieldErrors) (aforro.PageRequest, error) {
	q := req.URL.Query()
	pr := pageRequest(q, errs)
	secret, err := s.cursorSecret(req.Context())
	if err != nil {
		return pr, err
	}
	if !q.Has("cursor") {
		return pr, nil
	}
	c := q.Get("cursor")
	switch key, ok := readCursor(secret, listBinding(req.Request), c); {
	case q.Has("page"):
		errs.Add("cursor", "cannot be combined with page")
	case len(c) > maxCursorLen || !ok:
		errs.Add("cursor", "is not a cursor of this list with these filters; start again without it")
	default:
		pr.After = key
	}
	return pr, nil
}

// writePage answers a page of a list, with the cursor of the page after it.
func writePage[T any](s *Server, w http.ResponseWriter, req bunrouter.Request, page aforro.Page[T]) error {
	if page.Next != nil {
		secret, err := s.cursorSecret(req.Context())
		if err != nil {
			return err
		}
		page.NextCursor = signCursor(secret, listBinding(req.Request), page.Next)
	}
	writeJSON(w, http.StatusOK, page.Wire())
	return nil
}
