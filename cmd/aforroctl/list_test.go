package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// widgets adds 1050 products (ids 6 to 1055) to the fixture: more than a
// list counts.
const widgets = `
INSERT INTO products (title, description, price, category_id, created_at, updated_at)
SELECT 'Widget ' || lpad(g::text, 4, '0'), 'A widget', 1.50, 2,
       '2026-01-07T00:00:00Z'::timestamptz + g * interval '1 minute',
       '2026-01-07T00:00:00Z'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 1050) g;`

func TestCappedListGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, widgets)
	runGolden(t, srv, srv.URL, []goldenRun{
		// 1055 products: the count stops at 1000, 50 pages of 20.
		{"products-list-capped", []string{"products", "list", "--page", "2"}, nil},
		{"products-list-capped-json", []string{"products", "list", "--page-size", "2", "-o", "json"}, nil},
		// From the 50th page on, while rows follow, there are more pages
		// than the capped count fills.
		{"products-list-capped-page-50", []string{"products", "list", "--page", "50"}, nil},
		{"products-list-capped-page-51", []string{"products", "list", "--page", "51"}, nil},
		// The last page counts the list exactly: it saw the end.
		{"products-list-capped-last-page", []string{"products", "list", "--page", "53"}, nil},
		{"products-list-capped-past-the-end", []string{"products", "list", "--page", "54"}, nil},
	})

	// --all walks the cursors to the last row, past the count's cap, with
	// no note that rows are missing (as there is for search).
	for _, format := range []string{"json", "csv"} {
		t.Run("all "+format, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"] = srv.URL
			r := runCLI(t, invocation{args: []string{"products", "list", "--all", "-o", format}, env: env})
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			want := 1055
			if format == "csv" {
				want++ // the header
			}
			if len(lines) != want {
				t.Errorf("%d lines, want %d", len(lines), want)
			}
			if last := lines[len(lines)-1]; !strings.Contains(last, "Widget 1050") {
				t.Errorf("last line %q, want Widget 1050's", last)
			}
		})
	}
}

func TestCSVQuoting(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, `INSERT INTO products (id, title, description, price, category_id, created_at, updated_at) VALUES
  (6, 'Mug "Best", 12 oz', E'Stoneware.\nDishwasher safe; 350 ml', 8.5, 3, '2026-01-08T10:00:00Z', '2026-01-08T10:00:00Z');`)
	runGolden(t, srv, srv.URL, []goldenRun{
		{"products-list-csv-quoting", []string{"products", "list", "--category", "3", "-o", "csv"}, nil},
	})

	// What encoding/csv reads back is what the API says.
	env := baseEnv(t)
	env["AFORRO_URL"] = srv.URL
	r := runCLI(t, invocation{args: []string{"products", "list", "--category", "3", "-o", "csv"}, env: env})
	records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("read the CSV: %v\n%s", err, r.stdout)
	}
	var page struct {
		Results []struct {
			Title, Description string
		}
	}
	if err := json.Unmarshal([]byte(srv.get(t, "/api/products/?category=3")), &page); err != nil {
		t.Fatal(err)
	}
	var got, want [][2]string
	for _, rec := range records[1:] {
		got = append(got, [2]string{rec[1], rec[2]})
	}
	for _, p := range page.Results {
		want = append(want, [2]string{p.Title, p.Description})
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("titles and descriptions (-API +CSV):\n%s", d)
	}
}

// syncBuffer is a bytes.Buffer that one goroutine writes while another
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAllStreams: with --all, JSON lines and CSV rows are on stdout before
// the next page is asked for; the server holds every page after the first
// until the rows of the page before it have been written.
func TestAllStreams(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			stdout := &syncBuffer{}
			var pages, held atomic.Int64
			// Pages of 2 products, by id: page n ends with product 2n.
			lastOf := []string{"", "Wireless Mouse", "Go Programming"}
			srv := &testServer{servertest.New(t, server.DefaultConfig(), func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n := int(pages.Add(1))
					if r.URL.Query().Has("cursor") && n-1 < len(lastOf) {
						deadline := time.Now().Add(10 * time.Second)
						for !strings.Contains(stdout.String(), lastOf[n-1]) {
							if time.Now().After(deadline) {
								held.Add(1)
								break
							}
							time.Sleep(5 * time.Millisecond)
						}
					}
					h.ServeHTTP(w, r)
				})
			})}
			srv.Exec(t, fixture)
			env := baseEnv(t)
			env["AFORRO_URL"] = srv.URL
			var stderr bytes.Buffer
			code := run([]string{"products", "list", "--all", "--page-size", "2", "-o", format}, strings.NewReader(""), stdout, &stderr, env)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if pages.Load() != 3 {
				t.Errorf("%d pages asked for, want 3", pages.Load())
			}
			if held.Load() > 0 {
				t.Errorf("%d pages were asked for before the rows of the page before them were written", held.Load())
			}
			if !strings.Contains(stdout.String(), "Cast Iron Skillet") {
				t.Errorf("stdout lacks the last page:\n%s", stdout.String())
			}
		})
	}
}
