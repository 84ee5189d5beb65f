package server_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/aforro/aforro/server/servertest"
)

// FuzzSearchParams sends arbitrary query strings to the search endpoints of a
// real server over a real database: whatever q, filters, sort and page hold
// (tsquery operators, quotes, backslashes, invalid UTF-8, huge numbers), the
// answer is 200 or the 400/404 error envelope, never a 500 or a dropped
// connection. Run it with:
//
//	go test -run='^$' -fuzz='^FuzzSearchParams$' -fuzztime=10s ./server
func FuzzSearchParams(f *testing.F) {
	srv := newTestServer(f)
	srv.exec(f, servertest.Catalogue)
	for _, seed := range []string{
		"q=laptop",
		"q=lap&sort=price_asc&min_price=1&max_price=2000",
		"q=labtop&store_id=1&in_stock=true",
		`q="gaming laptop" -mouse or book`,
		`q=a%27b%26c%7Cd%21e%3A%2A%5C`, // ' & | ! :* \
		"q=%00&page=9223372036854775808",
		"q=%ff%fe&category=-1&in_stock=maybe",
		"min_price=5&max_price=1&sort=cheapest",
		"store_id=99&in_stock=false&page_size=1000",
		"page=700000000000000000", // once a 500: the offset overflowed
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, raw string, suggest bool) {
		path := "/api/search/products/?"
		if suggest {
			path = "/api/search/suggest/?"
		}
		resp, err := srv.Client().Get(srv.URL + path + raw)
		if err != nil {
			return // not a request net/http can send: nothing reached the server
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusTooManyRequests:
		default:
			t.Fatalf("GET %s%s: %d %s", path, raw, resp.StatusCode, body)
		}
	})
}
