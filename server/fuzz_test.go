package server

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aforro/aforro"
)

// The fuzzers below run their seed corpus (testdata/fuzz/<name>/ and the
// f.Add calls) in every plain `go test`; to search for new inputs, run one at
// a time, for example:
//
//	go test -run='^$' -fuzz='^FuzzOrderBody$' -fuzztime=10s ./server

// requireClientError fails unless err is nil or an *aforro.Error whose code
// maps to a 4xx status, with a sentence and well-formed fields: what a client
// may send must never become a 500 or a panic.
func requireClientError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *aforro.Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *aforro.Error: %T %v", err, err)
	}
	if st := statusOf(e.Code); st < 400 || st > 499 {
		t.Fatalf("code %q maps to %d, want a 4xx: %v", e.Code, st, err)
	}
	if e.Message == "" || !utf8.ValidString(e.Message) {
		t.Fatalf("message %q is empty or not UTF-8", e.Message)
	}
	for k, v := range e.Fields {
		if k == "" || v == "" {
			t.Fatalf("field %q: problem %q", k, v)
		}
	}
}

// bodyRequest is a POST with body, capped like limitBody caps it.
func bodyRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/orders", bytes.NewReader(body))
	r.Body = http.MaxBytesReader(nil, r.Body, DefaultConfig().MaxBodyBytes)
	return r
}

// FuzzOrderBody decodes and validates order bodies as placeOrder does.
func FuzzOrderBody(f *testing.F) {
	f.Add([]byte(`{"store_id": 1, "items": [{"product_id": 10, "quantity_requested": 2}]}`))
	f.Add([]byte(`{"store_id": 1, "items": [{"product_id": 1, "quantity_requested": 1}, {"product_id": 1, "quantity_requested": 1}]}`))
	f.Add([]byte(`{"store_id": 1, "items": [], "customer_email": "Ana <ana@example.com>"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var o aforro.PlaceOrder
		err := decodeJSON(bodyRequest(body), &o)
		if err == nil {
			err = validateOrder(&o)
			if err == nil {
				checkValidOrder(t, o)
			}
		}
		requireClientError(t, err)
	})
}

// checkValidOrder fails unless o is what validateOrder promises the database.
func checkValidOrder(t *testing.T, o aforro.PlaceOrder) {
	t.Helper()
	if o.StoreID < 1 || len(o.Items) < 1 || len(o.Items) > aforro.MaxOrderLines || len(o.CustomerEmail) > aforro.MaxEmailLength {
		t.Fatalf("accepted %+v", o)
	}
	seen := map[int64]bool{}
	for _, l := range o.Items {
		if l.ProductID < 1 || seen[l.ProductID] || l.QuantityRequested < 1 || l.QuantityRequested > aforro.MaxLineQuantity {
			t.Fatalf("accepted line %+v of %+v", l, o)
		}
		seen[l.ProductID] = true
	}
}

// FuzzProductBody decodes and validates product bodies as the admin
// handlers do, for POST (create) and PATCH.
func FuzzProductBody(f *testing.F) {
	f.Add([]byte(`{"title": "Desk Lamp", "price": "19.90", "category_id": 1}`), true)
	f.Add([]byte(`{"price": 1e2}`), false)
	f.Add([]byte(`{"title": "\u0000", "description": "a\nb", "price": -0.5, "category_id": 0}`), true)
	f.Fuzz(func(t *testing.T, body []byte, create bool) {
		in, err := decodeProduct(bodyRequest(body), create)
		requireClientError(t, err)
		if err != nil {
			return
		}
		if create && (in.Title == nil || in.Price == nil || in.CategoryID == nil) {
			t.Fatalf("created without a required field: %+v", in)
		}
		if !create && in.Title == nil && in.Description == nil && in.Price == nil && in.CategoryID == nil {
			t.Fatal("accepted an empty PATCH")
		}
		if in.Title != nil {
			if n := utf8.RuneCountInString(*in.Title); n < 1 || n > aforro.MaxProductTitle || hasControl(*in.Title, false) {
				t.Fatalf("accepted title %q", *in.Title)
			}
		}
		if in.Description != nil && (utf8.RuneCountInString(*in.Description) > aforro.MaxDescription || hasControl(*in.Description, true)) {
			t.Fatalf("accepted description %q", *in.Description)
		}
		if in.Price != nil && (*in.Price < 0 || *in.Price > aforro.MaxMoney) {
			t.Fatalf("accepted price %d", *in.Price)
		}
		if in.CategoryID != nil && *in.CategoryID < 1 {
			t.Fatalf("accepted category_id %d", *in.CategoryID)
		}
	})
}

// TestProductBodyMirrorsInput keeps productBody, which decodeProduct reads,
// in step with aforro.ProductInput, which clients send: the same JSON names,
// in the same order.
func TestProductBodyMirrorsInput(t *testing.T) {
	names := func(v any) []string {
		var out []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
		return out
	}
	if body, input := names(productBody{}), names(aforro.ProductInput{}); !slices.Equal(body, input) {
		t.Errorf("productBody has %v, aforro.ProductInput has %v", body, input)
	}
}

// FuzzQueryParams reads list query strings with the shared parameter
// parsers: every answer is a valid page request or a 400.
func FuzzQueryParams(f *testing.F) {
	f.Add("page=2&page_size=500&category=3&in_stock=true")
	f.Add("page=0&page_size=-1&category=x&in_stock=maybe")
	f.Add("page=9223372036854775808&category=%00&low_stock=1;x")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw) // what parses is used, as net/http does
		var errs aforro.FieldErrors
		pr := pageRequest(q, &errs)
		id := optionalID(q, "category", &errs)
		optionalBool(q, "in_stock", &errs)
		err := errs.Err()
		requireClientError(t, err)
		if err != nil && aforro.ErrorCode(err) != aforro.EINVALID {
			t.Fatalf("code %q, want invalid", aforro.ErrorCode(err))
		}
		if pr.Page < 1 || pr.PageSize < 1 || pr.PageSize > aforro.MaxPageSize || id < 0 {
			t.Fatalf("page request %+v, category %d from %q", pr, id, raw)
		}
	})
}
