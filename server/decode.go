package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aforro/aforro"
)

// decodeJSON reads exactly one JSON object into dst, rejecting unknown
// fields, trailing data, wrong types and bodies over the size limit, each
// with a readable sentence.
func decodeJSON(r *http.Request, dst any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return aforro.Errorf(aforro.EINVALID, "Request body must hold a single JSON object.")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return aforro.Errorf(aforro.ETOOLARGE, "Request body is larger than %d bytes.", mbe.Limit)
	case errors.Is(err, io.EOF):
		return aforro.Errorf(aforro.EINVALID, "Request body is empty; a JSON object is required.")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return aforro.Errorf(aforro.EINVALID, "Request body is not valid JSON.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return aforro.Errorf(aforro.EINVALID, "Request body must be a JSON object.")
		}
		e := aforro.Errorf(aforro.EINVALID, "Invalid %s: must be %s.", field, jsonKind(typ.Type.Kind().String()))
		e.Fields = map[string]string{field: "must be " + jsonKind(typ.Type.Kind().String())}
		return e
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := aforro.Errorf(aforro.EINVALID, "Unknown field %q.", name)
		if name != "" { // an empty key names no field
			e.Fields = map[string]string{name: "unknown field"}
		}
		return e
	}
	// Errors from a field's own UnmarshalJSON (such as Money) are readable sentences.
	return aforro.Errorf(aforro.EINVALID, "Invalid request body: %s.", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return fmt.Sprintf("a %s", goKind)
}
