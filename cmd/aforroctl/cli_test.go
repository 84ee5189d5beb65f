package main

import (
	"maps"
	"net/url"
	"strings"
	"testing"
)

func TestCommandsGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	unreachable := closedURL(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string // added to the base environment
	}{
		{"stores-list", []string{"stores", "list"}, nil},
		{"stores-list-json", []string{"stores", "list", "-o", "json"}, nil},
		{"stores-list-page", []string{"stores", "list", "--page", "2", "--page-size", "2"}, nil},
		{"stores-list-all", []string{"stores", "list", "--all", "--page-size", "2"}, nil},
		{"stores-list-all-json", []string{"stores", "list", "--all", "--page-size", "2", "-o", "json"}, nil},
		{"stores-show", []string{"stores", "show", "1"}, nil},
		{"stores-show-json", []string{"stores", "show", "1", "-o", "json"}, nil},
		{"categories-list", []string{"categories", "list"}, nil},
		{"categories-list-json", []string{"categories", "list", "--output", "json"}, nil},
		{"categories-show", []string{"categories", "show", "3"}, nil},
		{"categories-show-json", []string{"categories", "show", "3", "-o", "json"}, nil},
		{"products-list", []string{"products", "list"}, nil},
		{"products-list-category", []string{"products", "list", "--category", "1"}, nil},
		{"products-list-json", []string{"products", "list", "--category", "2", "-o", "json"}, nil},
		{"products-list-narrow", []string{"products", "list"}, map[string]string{"COLUMNS": "60"}},
		{"products-show", []string{"products", "show", "5"}, nil},
		{"products-show-json", []string{"products", "show", "5", "-o", "json"}, nil},
		{"inventory-list", []string{"inventory", "list", "--store", "1"}, nil},
		{"inventory-list-json", []string{"inventory", "list", "--store", "1", "-o", "json"}, nil},
		{"inventory-list-all-json", []string{"inventory", "list", "--store", "1", "--all", "--page-size", "2", "-o", "json"}, nil},
		{"inventory-list-low-stock", []string{"inventory", "list", "--store", "1", "--low-stock"}, nil},
		{"inventory-list-filtered", []string{"inventory", "list", "--store", "1", "--q", "LAPTOP", "--category", "1"}, nil},
		{"inventory-list-empty", []string{"inventory", "list", "--store", "3"}, nil},
		// CSV: a header line, then one row per line, quoted as RFC 4180 says.
		{"stores-list-csv", []string{"stores", "list", "-o", "csv"}, nil},
		{"stores-list-all-csv", []string{"stores", "list", "--all", "--page-size", "2", "-o", "csv"}, nil},
		{"categories-list-csv", []string{"categories", "list", "-o", "csv"}, nil},
		{"products-list-csv", []string{"products", "list", "--category", "1", "--page-size", "2", "-o", "csv"}, nil},
		{"products-list-all-csv", []string{"products", "list", "--all", "--page-size", "2", "-o", "csv"}, nil},
		{"inventory-list-csv", []string{"inventory", "list", "--store", "1", "-o", "csv"}, nil},
		{"inventory-list-all-csv", []string{"inventory", "list", "--store", "1", "--low-stock", "--all", "--page-size", "1", "-o", "csv"}, nil},
		{"inventory-list-empty-csv", []string{"inventory", "list", "--store", "3", "-o", "csv"}, nil},
		// Products changed since a time, in the order they changed.
		{"products-list-updated-since", []string{"products", "list", "--updated-since", "2026-01-04"}, nil},
		{"products-list-updated-since-json", []string{"products", "list", "--updated-since", "2026-01-20T16:45:00.25Z", "-o", "json"}, nil},
		{"products-list-updated-since-all-csv", []string{"products", "list", "--updated-since", "2026-01-04T10:00:00Z",
			"--all", "--page-size", "1", "-o", "csv"}, nil},
		{"health", []string{"health"}, nil},
		{"health-json", []string{"health", "-o", "json"}, nil},
		{"health-live", []string{"health", "--live"}, nil},

		// API errors: exit 1, the sentence and any field errors on stderr.
		{"error-not-found", []string{"stores", "show", "99"}, nil},
		{"error-page-out-of-range", []string{"products", "list", "--page", "9"}, nil},
		{"error-fields", []string{"inventory", "list", "--store", "1", "--q", strings.Repeat("x", 101)}, nil},
		{"error-no-token", []string{"inventory", "list", "--store", "1"}, map[string]string{"AFORRO_TOKEN": ""}},
		// Usage errors: exit 2.
		{"usage-no-command", nil, nil},
		{"usage-unknown-command", []string{"stores", "frobnicate"}, nil},
		{"usage-missing-flag", []string{"inventory", "list"}, nil},
		{"usage-bad-id", []string{"products", "show", "abc"}, nil},
		{"usage-bad-page", []string{"stores", "list", "--page", "0"}, nil},
		{"usage-page-and-all", []string{"stores", "list", "--page", "2", "--all"}, nil},
		{"usage-bad-output", []string{"stores", "list", "-o", "yaml"}, nil},
		{"usage-csv-not-a-list", []string{"stores", "show", "1", "-o", "csv"}, nil},
		{"usage-bad-updated-since", []string{"products", "list", "--updated-since", "yesterday"}, nil},
		{"usage-bad-server", []string{"stores", "list", "--server", "ftp://example.com"}, nil},
		// The server cannot be reached: exit 3.
		{"unreachable", []string{"stores", "list"}, map[string]string{"AFORRO_URL": unreachable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"] = srv.URL
			env["AFORRO_TOKEN"] = srv.Admin
			maps.Copy(env, tc.env)
			inv := invocation{args: tc.args, env: env}
			r := runCLI(t, inv)
			golden(t, tc.name, transcript(inv, r, placeholders(srv.URL, unreachable)...))
		})
	}
}

// placeholders returns replacements of the given server URLs, and the
// host:port inside each, by stable names for golden files.
func placeholders(server, unreachable string) []string {
	var r []string
	for _, p := range []struct{ url, name string }{{server, "$SERVER"}, {unreachable, "$UNREACHABLE"}} {
		u, _ := url.Parse(p.url)
		r = append(r, p.url, p.name, u.Host, p.name+"_ADDR")
	}
	return r
}
