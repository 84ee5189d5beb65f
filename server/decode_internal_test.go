package server

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aforro/aforro"
)

// TestJSONPath checks the path of the value at an offset, through objects
// and arrays, which the type errors of encoding/json leave out.
func TestJSONPath(t *testing.T) {
	body := `{"a": 1, "items": [{"x": 1}, {"x": [10, {"y": "z"}]}], "b": {"c": true}}`
	at := func(sub string) int64 { // the offset just past sub's first occurrence
		for i := 0; i+len(sub) <= len(body); i++ {
			if body[i:i+len(sub)] == sub {
				return int64(i + len(sub))
			}
		}
		t.Fatalf("%q not in the body", sub)
		return 0
	}
	tests := []struct {
		offset int64
		want   string
	}{
		{at(`"a": 1`), "a"},
		{at(`"a"`), "a"},
		{at(`[{"x": 1`), "items[0].x"},
		{at(`[10`), "items[1].x[0]"},
		{at(`"y": "z"`), "items[1].x[1].y"},
		{at(`{"y"`), "items[1].x[1].y"},
		{at(`"c": true`), "b.c"},
		{at(`"items": [`), "items"},
		{0, ""},
	}
	for _, tt := range tests {
		if got := jsonPath([]byte(body), tt.offset); got != tt.want {
			t.Errorf("offset %d: %q, want %q", tt.offset, got, tt.want)
		}
	}
	if got := jsonPath([]byte(`not json`), 3); got != "" {
		t.Errorf("not JSON: %q", got)
	}
}

// TestDecodeUnreadableBody reads bodies that end in a read error, as a body
// cut short or badly chunked does: a 400 in the server's words, never
// net/http's ("invalid byte in chunk length").
func TestDecodeUnreadableBody(t *testing.T) {
	for _, cause := range []error{errors.New("invalid byte in chunk length"), io.ErrUnexpectedEOF} {
		r := httptest.NewRequest(http.MethodPost, "/api/categories",
			io.MultiReader(strings.NewReader(`{"name": "Gar`), iotest.ErrReader(cause)))
		err := decodeJSON(r, &aforro.CategoryInput{})
		var e *aforro.Error
		if !errors.As(err, &e) || e.Code != aforro.EINVALID || strings.Contains(e.Message, cause.Error()) {
			t.Errorf("%v: got %v", cause, err)
		}
	}
}

// TestDecodeLoneSurrogates decodes \u escapes of half a surrogate pair,
// which encoding/json turns into U+FFFD without a word: refused like
// invalid UTF-8, naming the field. Whole pairs and an escaped backslash
// before "u" are text like any other.
func TestDecodeLoneSurrogates(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{"name": "\ud800"}`, "name"},
		{`{"name": "Gar\uDFFFden"}`, "name"},
		{`{"name": "ok", "location": "\ud800\ud800"}`, "location"},
		{`{"location": "\udc00\ud800"}`, "location"},
		{`{"location": "\ud83d\u0041"}`, "location"},
		{`{"location": "\ud83d\ude00", "name": "\ud83d"}`, "name"},
		{`{"name": "\ud83d\ude00 \u00e9 \\ud800"}`, ""},
	}
	for _, tt := range tests {
		var in aforro.StoreInput
		err := decodeJSON(httptest.NewRequest(http.MethodPost, "/api/stores", strings.NewReader(tt.body)), &in)
		var want map[string]string
		if tt.field != "" {
			want = map[string]string{tt.field: "must be valid UTF-8"}
		}
		var e *aforro.Error
		if (err == nil) != (want == nil) || err != nil && (!errors.As(err, &e) || !maps.Equal(e.Fields, want)) {
			t.Errorf("%s: got %v, want fields %v", tt.body, err, want)
		}
	}
}

// TestDecodeRepeatedKeys decodes objects that give a key twice:
// encoding/json keeps the last value, where a proxy or a log may read the
// first, and matches keys to fields in any case. Refused, naming the key
// as given the second time.
func TestDecodeRepeatedKeys(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{"store_id": 1, "store_id": 2, "items": []}`, "store_id"},
		{`{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1},
			{"product_id": 2, "quantity_requested": 0, "quantity_requested": 5}]}`, "items[1].quantity_requested"},
		{`{"customer_email": "ana@example.com", "Customer_Email": "eve@example.com"}`, "Customer_Email"},
		{`{"items": [{"product_id": 1, "PRODUCT_ID": 2}]}`, "items[0].PRODUCT_ID"},
		{`{"store_id": 1, "items": [{"product_id": 1}, {"product_id": 1}]}`, ""}, // in two objects: validateOrder's concern
	}
	for _, tt := range tests {
		var o aforro.PlaceOrder
		err := decodeJSON(httptest.NewRequest(http.MethodPost, "/api/orders", strings.NewReader(tt.body)), &o)
		var want map[string]string
		if tt.field != "" {
			want = map[string]string{tt.field: "is given more than once"}
		}
		var e *aforro.Error
		if (err == nil) != (want == nil) || err != nil && (!errors.As(err, &e) || !maps.Equal(e.Fields, want)) {
			t.Errorf("%s: got %v, want fields %v", tt.body, err, want)
		}
	}
}
