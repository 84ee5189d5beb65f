package main

import (
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aforro/aforro/server"
)

// goldenRun is one golden-file case: a run of aforroctl against a test
// server with the admin token unless env says otherwise.
type goldenRun struct {
	name string
	args []string
	env  map[string]string // added to the base environment
}

// runGolden runs each case against srv, in parallel, comparing its
// transcript with testdata/NAME.golden after replacing what varies from run
// to run (the server and unreachable addresses, then each of replace's
// patterns).
func runGolden(t *testing.T, srv *testServer, unreachable string, cases []goldenRun, replace ...replacement) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, tc.env)
			inv := invocation{args: tc.args, env: env}
			got := transcript(inv, runCLI(t, inv), placeholders(srv.URL, unreachable)...)
			for _, r := range replace {
				got = r.re.ReplaceAllString(got, r.with)
			}
			golden(t, tc.name, got)
		})
	}
}

// replacement replaces what matches re with with in a transcript.
type replacement struct {
	re   *regexp.Regexp
	with string
}

func TestSearchGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	unreachable := closedURL(t)
	runGolden(t, srv, unreachable, []goldenRun{
		{"search", []string{"search"}, nil},
		{"search-query", []string{"search", "laptop"}, nil},
		{"search-words", []string{"search", "gaming", "laptop"}, nil},
		{"search-typo-json", []string{"search", "labtop", "-o", "json"}, nil},
		{"search-store", []string{"search", "--store", "1"}, nil},
		{"search-in-stock", []string{"search", "--store", "1", "--in-stock"}, nil},
		{"search-no-in-stock", []string{"search", "--store", "2", "--no-in-stock"}, nil},
		{"search-in-stock-false", []string{"search", "--store", "2", "--in-stock=false"}, nil},
		{"search-filters", []string{"search", "--category", "1", "--min-price", "30", "--max-price", "1000", "--sort", "price_desc"}, nil},
		{"search-page", []string{"search", "--sort", "price_asc", "--page-size", "2", "--page", "2"}, nil},
		{"search-all", []string{"search", "--all", "--page-size", "2"}, nil},
		{"search-all-json", []string{"search", "--store", "2", "--all", "--page-size", "2", "-o", "json"}, nil},
		{"search-no-match", []string{"search", "zzzqqq"}, nil},
		{"search-csv", []string{"search", "laptop", "-o", "csv"}, nil},
		{"search-all-csv", []string{"search", "--store", "2", "--all", "--page-size", "2", "-o", "csv"}, nil},
		{"search-excluded-word", []string{"search", "--", "laptop", "-gaming"}, nil},

		// API errors: exit 1, the sentence and the fields on stderr.
		{"search-min-above-max", []string{"search", "--min-price", "100", "--max-price", "10"}, nil},
		{"search-in-stock-without-store", []string{"search", "mouse", "--in-stock", "--sort", "cheapest"}, nil},
		{"search-unknown-store", []string{"search", "--store", "99"}, nil},
		// Usage errors: exit 2.
		{"usage-search-bad-price", []string{"search", "--min-price", "1.999"}, nil},
		{"usage-search-page-and-all", []string{"search", "--page", "2", "--all"}, nil},
		// The server cannot be reached: exit 3.
		{"unreachable-search", []string{"search", "laptop"}, map[string]string{"AFORRO_URL": unreachable}},
	})
}

func TestSuggestGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	runGolden(t, srv, closedURL(t), []goldenRun{
		{"suggest", []string{"suggest", "lap"}, nil},
		{"suggest-csv", []string{"suggest", "lap", "-o", "csv"}, nil},
		{"suggest-words", []string{"suggest", "go", "pro"}, nil},
		{"suggest-json", []string{"suggest", "lap", "-o", "json"}, nil},
		{"suggest-none", []string{"suggest", "zzzqqq"}, nil},
		{"suggest-too-short", []string{"suggest", "la"}, nil},
		{"usage-suggest-no-prefix", []string{"suggest"}, nil},
	})
}

// TestSuggestRateLimited runs suggest past a limit of two a minute: the
// third run fails (exit 1) with the server's sentence and when to retry.
func TestSuggestRateLimited(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	cfg.SuggestLimit, cfg.SuggestTokenLimit = 2, 2 // the CLI sends its token
	srv := newTestServerWith(t, cfg)
	env := baseEnv(t)
	env["AFORRO_URL"] = srv.URL
	inv := invocation{args: []string{"suggest", "lap"}, env: env}
	for i := range cfg.SuggestLimit {
		if r := runCLI(t, inv); r.code != exitOK {
			t.Fatalf("run %d within the limit: exit %d: %s", i+1, r.code, r.stderr)
		}
	}
	r := runCLI(t, inv)
	m := regexp.MustCompile(`Try again in (\d+) s\.`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr %q says nothing of when to try again", r.stderr)
	}
	// GCRA lets the next request in after one emission interval, 30 s here.
	if n, _ := strconv.Atoi(m[1]); n < 1 || n > 30 {
		t.Errorf("try again in %d s, want 1..30", n)
	}
	got := strings.Replace(transcript(inv, r), m[0], "Try again in N s.", 1)
	golden(t, "suggest-rate-limited", got)
}

// TestSearchCapped: past 1,000 matches the count says "1000+", and --all,
// which stops at the cap, says it did.
func TestSearchCapped(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, `INSERT INTO products (title, price, category_id)
		SELECT 'Widget ' || g, 1, 2 FROM generate_series(1, 1001) AS g`)
	env := baseEnv(t)
	env["AFORRO_URL"] = srv.URL
	tests := []struct {
		args       []string
		wantLines  int
		wantStderr string
	}{
		{[]string{"search", "widget", "--page-size", "2"}, 3,
			"Page 1 of 500 (1000+ matches); --page N or --all shows more.\n"},
		{[]string{"search", "widget", "--all", "-o", "json"}, 1000,
			"Only the first 1000 matches are listed: a search stops counting there; narrow it to see the others.\n"},
		{[]string{"search", "widget", "--all", "--page-size", "100"}, 1001,
			"Only the first 1000 matches are listed: a search stops counting there; narrow it to see the others.\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, invocation{args: tc.args, env: env})
			if r.code != exitOK || r.stderr != tc.wantStderr {
				t.Errorf("exit %d, stderr %q; want exit 0, stderr %q", r.code, r.stderr, tc.wantStderr)
			}
			if n := strings.Count(r.stdout, "\n"); n != tc.wantLines {
				t.Errorf("%d lines of output, want %d", n, tc.wantLines)
			}
		})
	}
}
