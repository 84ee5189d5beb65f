package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aforro/aforro"
)

// decodeJSON reads exactly one JSON object into dst, rejecting invalid
// UTF-8 (and \u escapes of half a surrogate pair), unknown fields, a field
// given twice, trailing data, wrong types and bodies over the size limit,
// each with a readable sentence; a problem inside an array names its
// element ("items[1].quantity_requested").
func decodeJSON(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return aforro.Errorf(aforro.ETOOLARGE, "Request body is larger than %d bytes.", mbe.Limit)
		}
		// A body cut short or badly chunked; net/http's own words for it
		// ("invalid byte in chunk length") would mean nothing to a client.
		return aforro.Errorf(aforro.EINVALID, "Request body could not be read: it is cut short or badly framed.")
	}
	if !utf8.Valid(body) {
		// encoding/json would store U+FFFD in its place without a word. The
		// path holds U+FFFD when the bad bytes are in a key, which then names
		// no field the client would recognise.
		field := jsonPath(body, int64(firstInvalidUTF8(body))+1)
		if strings.ContainsRune(field, utf8.RuneError) {
			field = ""
		}
		return invalidUTF8(field)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, body)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return aforro.Errorf(aforro.EINVALID, "Request body must hold a single JSON object.")
	}
	return checkText(body)
}

// checkText refuses what encoding/json decodes without a word. A \u
// escape of half a surrogate pair, which it turns into U+FFFD, is refused
// like invalid UTF-8. A key given twice in an object, which it takes the
// last of where another reader (a proxy, a log) may take the first, is
// refused too; it matches keys to fields in any case, so keys that differ
// only in case count as the same. body is valid JSON.
func checkText(body []byte) error {
	var err error
	walkJSON(body, func(tok jsonToken) bool {
		switch _, text := tok.Token.(string); {
		case text && loneSurrogate(tok.raw):
			field := tok.path()
			if strings.ContainsRune(field, utf8.RuneError) { // in a key: it names nothing
				field = ""
			}
			err = invalidUTF8(field)
		case tok.repeated:
			field := tok.path()
			e := aforro.Errorf(aforro.EINVALID, "Field %s is given more than once.", field)
			e.Fields = map[string]string{field: "is given more than once"}
			err = e
		}
		return err == nil
	})
	return err
}

// loneSurrogate reports whether the JSON string literal s holds a \u
// escape of half a surrogate pair.
func loneSurrogate(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if s[i] != 'u' {
			continue
		}
		r := hexRune(s[i+1 : i+5])
		i += 4
		if !utf16.IsSurrogate(r) {
			continue
		}
		if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' &&
			utf16.DecodeRune(r, hexRune(s[i+3:i+7])) != unicode.ReplacementChar {
			i += 6 // the pair's second half
			continue
		}
		return true
	}
	return false
}

// foldKey is name with each letter in one case, so that keys encoding/json
// would take for the same field fold alike.
func foldKey(name string) string {
	return strings.Map(func(r rune) rune {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		return low
	}, name)
}

// hexRune reads the four hex digits of a \u escape.
func hexRune(h []byte) rune {
	v, _ := strconv.ParseUint(string(h), 16, 16)
	return rune(v)
}

// invalidUTF8 is the answer to text that is not UTF-8, in field (a body's
// JSON path or a query parameter; "" when it names none).
func invalidUTF8(field string) error {
	if field == "" {
		return aforro.Errorf(aforro.EINVALID, "Request text must be valid UTF-8.")
	}
	e := aforro.Errorf(aforro.EINVALID, "Invalid %s: must be valid UTF-8.", field)
	e.Fields = map[string]string{field: "must be valid UTF-8"}
	return e
}

// firstInvalidUTF8 is the offset of the first byte of b that is not part of
// a valid UTF-8 sequence.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

func decodeError(err error, body []byte) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return aforro.Errorf(aforro.EINVALID, "Request body is empty; a JSON object is required.")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return aforro.Errorf(aforro.EINVALID, "Request body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return aforro.Errorf(aforro.EINVALID, "Request body must be a JSON object.")
		}
		// typ.Field leaves out array indices ("items.quantity_requested").
		field := jsonPath(body, typ.Offset)
		if field == "" {
			field = typ.Field
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

// jsonPath is the path, such as "items[1].quantity_requested", of the
// innermost value (or object key) of body whose token ends at or after byte
// offset: the one encoding/json was reading when it stopped there. It is ""
// for the top level and for a body that is not JSON.
func jsonPath(body []byte, offset int64) string {
	path := ""
	walkJSON(body, func(tok jsonToken) bool {
		if tok.end < offset {
			return true
		}
		path = tok.path()
		return false
	})
	return path
}

// jsonToken is one token of a JSON text as walkJSON sees it.
type jsonToken struct {
	json.Token
	key      bool          // an object's key
	repeated bool          // a key its object has had before, in any case (foldKey)
	raw      []byte        // as written, after the white space and separator before it
	end      int64         // the offset just past it
	path     func() string // of the value it is, or the member whose key it is
}

// walkJSON calls visit with each token of body but closing brackets, in
// order, until visit returns false or body ends or turns out not to be JSON.
func walkJSON(body []byte, visit func(jsonToken) bool) {
	type frame struct {
		array     bool
		index     int    // of the current element, in an array
		key       string // of the current member, in an object
		expectKey bool
		keys      map[string]bool // the object's keys so far, folded
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array && f.index >= 0:
				fmt.Fprintf(&b, "[%d]", f.index)
			case !f.array && f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // a number no float64 holds (1e309) is still a token
	var start int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		end := dec.InputOffset()
		raw := bytes.TrimLeft(body[start:end], " \t\r\n,:")
		start = end
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		key, repeated := top != nil && !top.array && top.expectKey, false
		switch {
		case key:
			top.key, top.expectKey = tok.(string), false
			folded := foldKey(top.key)
			repeated = top.keys[folded]
			top.keys[folded] = true
		case top != nil && top.array:
			top.index++
		}
		if !visit(jsonToken{Token: tok, key: key, repeated: repeated, raw: raw, end: end, path: path}) {
			return
		}
		if key {
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{expectKey: true, keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, frame{array: true, index: -1})
		default:
			if top != nil && !top.array {
				top.expectKey = true
			}
		}
	}
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
