package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// runAsMainEnv, set to 1, makes the test binary run as aforroctl itself, so
// a shell script under test can call it by that name (as testscript does).
const runAsMainEnv = "AFORROCTL_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsMainEnv) == "1" {
		main() // exits
	}
	// Tables show local time; the golden files hold UTC, whatever TZ says.
	time.Local = time.UTC
	os.Exit(dbtest.Main(m))
}

// testServer is a real aforrod API over a fresh database holding the fixture.
type testServer struct{ *servertest.Server }

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerWith(t, server.DefaultConfig())
}

// newTestServerWith is newTestServer with settings of the test's own.
func newTestServerWith(t *testing.T, cfg server.Config) *testServer {
	t.Helper()
	ts := &testServer{servertest.New(t, cfg, nil)}
	ts.Exec(t, fixture)
	return ts
}

// closedURL returns the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string { return "http://" + servertest.ClosedAddr(t) }

// fixture is a small, hand-checkable catalogue with stock in two stores.
const fixture = `
INSERT INTO categories (id, name) VALUES (1, 'Electronics'), (2, 'Books'), (3, 'Kitchen and dining room furniture');
INSERT INTO products (id, title, description, price, category_id, created_at, updated_at) VALUES
  (1, 'Laptop Pro 15', 'A fast laptop', 1299.99, 1, '2026-01-02T10:00:00Z', '2026-01-02T10:00:00Z'),
  (2, 'Wireless Mouse', 'Quiet clicks', 29.99, 1, '2026-01-03T10:00:00Z', '2026-02-10T09:30:00Z'),
  (3, 'Gaming Laptop', 'RGB everywhere', 999.00, 1, '2026-01-04T10:00:00Z', '2026-01-04T10:00:00Z'),
  (4, 'Go Programming', 'A book about Go', 39.50, 2, '2026-01-05T10:00:00Z', '2026-02-10T09:30:00Z'),
  (5, 'Cast Iron Skillet with an extraordinarily long product title', '12-inch', 45, 3, '2026-01-06T10:00:00Z', '2026-01-20T16:45:00.25Z');
INSERT INTO stores (id, name, location) VALUES
  (1, 'Downtown', '1 Main St, Lisbon'), (2, 'Harbour', '2 Dock Rd, Porto'), (3, 'Empty', 'Nowhere');
INSERT INTO inventory (store_id, product_id, quantity, updated_at) VALUES
  (1, 1, 10, '2026-02-01T00:00:00Z'), (1, 2, 3, '2026-02-01T00:00:00Z'),
  (1, 3, 0, '2026-02-01T00:00:00Z'), (1, 4, 50, '2026-02-01T00:00:00Z'),
  (1, 5, 1200, '2026-02-01T00:00:00Z'), (2, 5, 7, '2026-02-01T00:00:00Z');
SELECT setval(pg_get_serial_sequence('categories', 'id'), 3);
SELECT setval(pg_get_serial_sequence('products', 'id'), 5);
SELECT setval(pg_get_serial_sequence('stores', 'id'), 3);
`

// result is what one in-process run of aforroctl produced.
type result struct {
	stdout, stderr string
	code           int
}

// invocation is one run of aforroctl: its arguments, environment and stdin.
type invocation struct {
	args  []string
	env   map[string]string
	stdin string
}

// baseEnv is the environment of every test run: a private config directory,
// a fixed table width and no terminal, so output is plain and stable.
func baseEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "COLUMNS": "100"}
}

// runCLI runs aforroctl in-process.
func runCLI(t *testing.T, inv invocation) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(inv.args, strings.NewReader(inv.stdin), &stdout, &stderr, inv.env)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// cursors matches the next_cursor of a page, in JSON: the server signs
// cursors with a key of each database's own.
var cursors = regexp.MustCompile(`"next_cursor":"[^"]*"`)

// transcript renders a run for a golden file, with the run-specific server
// address, config directory and cursors replaced by placeholders.
func transcript(inv invocation, r result, replace ...string) string {
	var b strings.Builder
	quoted := make([]string, len(inv.args))
	for i, a := range inv.args {
		quoted[i] = shellQuote(a)
	}
	b.WriteString("$ aforroctl " + strings.Join(quoted, " ") + "\n")
	b.WriteString("exit " + strconv.Itoa(r.code) + "\n")
	b.WriteString("-- stdout --\n" + r.stdout)
	b.WriteString("-- stderr --\n" + r.stderr)
	return cursors.ReplaceAllString(strings.NewReplacer(replace...).Replace(b.String()), `"next_cursor":"$$CURSOR"`)
}

// shellQuote quotes a for a POSIX shell when it needs quoting, so a
// transcript's command line can be pasted as it is.
func shellQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n'\"$\\`*?[]{}()<>|&;#~") {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s (-want +got):\n%s", path, d)
	}
}
