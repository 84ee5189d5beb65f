package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

// TestHostileInput sends thousands of malformed, oversized, wrongly typed
// and hostile requests at every route of the route table (issue 13,
// "Hostile input at scale"), over real HTTP with a raw client, to the API as
// aforrod serves it (server.Serve: its timeouts and header limit), with an
// admin token, a staff token scoped to store 1 and none. Routes come from
// Routes(), their query parameters and body schemas from the OpenAPI
// document (TestOpenAPICoversRouteTable keeps the two in step), so a new
// route is attacked without a word here.
//
// The attacks (hostile_attacks_test.go) come in families, each sent to
// every route it applies to: path ids of every shape; query parameters
// (every name the API documents, and others) with huge, negative,
// fractional, non-UTF-8, NUL, tsquery and LIKE values, and malformed query
// strings; bodies that are not JSON, nested 20,000 deep or 10 MB, and each
// field of a schema given each value it refuses, or given twice; headers
// up to net/http's limit and past it; credentials that authenticate nobody
// or fall short; odd methods; broken request lines and framing.
//
// Every answer must pass checkAnswer:
//   - no 5xx, no redirect, and no 2xx to a write: every write here is hostile;
//   - every 4xx is the error envelope as application/json, and every answer
//     has an X-Request-Id, except those net/http gives before any handler
//     runs (goAnswers);
//   - no body names SQL, the PostgreSQL driver or Go internals (leak).
//
// Afterwards every table holds what it held before (tableSums) and the
// process's resident memory grew by less than 300 MB.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	cfg := server.DefaultConfig()
	// Hostile queries must reach autocomplete itself, not stop at its 429,
	// and X-Forwarded-For is parsed only when the peer is a trusted proxy.
	cfg.SuggestLimit = 1 << 30
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	srv := servertest.New(t, cfg, nil)
	srv.Exec(t, servertest.Catalogue)
	creds := credentials{admin: srv.Admin, staff: srv.Token(t, aforro.RoleStaff, 1), revoked: revokedToken(t, srv)}
	addr := serve(t, srv.API)

	routes := hostileRoutes(t, srv.API.Routes())
	attacks := newGenerator(creds, rand.New(rand.NewPCG(13, 13))).all(routes)
	// Measured once the attacks are built: what grows is what serving them costs.
	before, rssBefore := tableSums(t, srv), vmRSS(t)
	var (
		mu       sync.Mutex
		failures failureLog
		families = map[string]int{}
		statuses = map[int]int{}
		byGo     = map[int]int{} // net/http's own answers, by status
	)
	start := time.Now()
	// More clients than cores: a request spends most of its time waiting
	// for PostgreSQL.
	sendAll(addr, attacks, 8, func(ans answer) {
		problem := checkAnswer(ans)
		mu.Lock()
		defer mu.Unlock()
		families[ans.attack.family]++
		statuses[ans.status]++
		if goAnswer(ans) {
			byGo[ans.status]++
		}
		if problem != "" {
			failures.add(problem, ans)
		}
	})
	t.Logf("%d requests in %v; by family %v; by status %v, of which net/http's own %v",
		len(attacks), time.Since(start).Round(time.Millisecond), families, statuses, byGo)
	failures.report(t)

	if after := tableSums(t, srv); !maps.Equal(before, after) {
		for table, sum := range before {
			if after[table] != sum {
				t.Errorf("table %s changed: hostile input wrote to the database", table)
			}
		}
	}
	if rssBefore > 0 {
		grown := vmRSS(t) - rssBefore
		t.Logf("resident memory grew by %d MB", grown>>20)
		if grown > 300<<20 {
			t.Errorf("resident memory grew by %d MB during the run, more than 300 MB", grown>>20)
		}
	}
}

// goAnswers are the answers net/http's server gives by itself, before any
// handler runs, so they carry neither the envelope nor an X-Request-Id:
// http.Server has no hook to shape them. All but the last two are plain
// text (text/plain; charset=utf-8) and close the connection.
var goAnswers = []struct {
	status int
	body   string
}{
	// A request line that does not parse: no version or a malformed one, a
	// method that is not a token (NUL, "(", bytes past ASCII), a target that
	// is not a URL (a bad percent-encoding such as %zz, a space, NUL, tab
	// or DEL, no leading slash, nothing). A header block that does not parse:
	// a line without a colon, a name that is empty or holds NUL or bytes
	// past ASCII, NUL, CR or DEL in a value. A bad Content-Length (negative,
	// not a number, past int64, two of them, a list), two Host headers.
	{400, "400 Bad Request"},
	{400, "400 Bad Request: invalid header name"},          // a space in a name
	{400, "400 Bad Request: malformed Host header"},        // a space in it
	{400, "400 Bad Request: missing required Host header"}, // HTTP/1.1 without Host
	// The request line and headers past MaxHeaderBytes (64 KiB in aforrod
	// serve) and net/http's 4 KiB of slack.
	{431, "431 Request Header Fields Too Large"},
	// A Transfer-Encoding other than chunked, or two of them (RFC 9112
	// asks for 501).
	{501, "Unsupported transfer encoding"},
	// HTTP/0.9, HTTP/2.0 or HTTP/3.0 on an HTTP/1 connection.
	{505, "505 HTTP Version Not Supported: unsupported protocol version"},
	// An Expect other than 100-continue: no body.
	{417, ""},
	// OPTIONS * asks about the server, not a resource: 200, no body.
	{200, ""},
}

// goAnswer reports whether ans is one of goAnswers.
func goAnswer(ans answer) bool {
	if ans.header.Get("X-Request-Id") != "" {
		return false
	}
	for _, g := range goAnswers {
		if ans.status == g.status && string(ans.body) == g.body {
			return g.status != 200 || ans.attack.method == "OPTIONS" && ans.attack.target == "*"
		}
	}
	return false
}

// leaks are what no answer may hold: SQL and the PostgreSQL driver, a
// panic or a stack trace, Go's own error texts and type names. No attack
// sends them, so an echo of the request cannot hold one.
var leaks = []string{
	" SQL", "SQLSTATE", "syntax error at or near", "violates", "pgx", "pgconn", "pgtype",
	"panic", "goroutine", ".go:", "runtime.", "reflect.",
	"json: ", "cannot unmarshal", "invalid character", "unexpected EOF", "http: ", "chunk", "strconv.",
	"Go struct", "int32", "int64", "float64", "interface {", "struct {", "map[", "aforro.", "*server.", "db.",
}

// leak reports whether body holds one of leaks.
func leak(body []byte) bool {
	s := string(body)
	return slices.ContainsFunc(leaks, func(l string) bool { return strings.Contains(s, l) })
}

// codeStatus is the status each error code of the envelope goes with.
var codeStatus = map[string]int{
	aforro.EINVALID: 400, aforro.EUNAUTHORIZED: 401, aforro.EFORBIDDEN: 403, aforro.ENOTFOUND: 404,
	aforro.EPAGEOUTOFRANGE: 404, aforro.EMETHODNOTALLOWED: 405, aforro.ECONFLICT: 409,
	aforro.ETOOLARGE: 413, aforro.ERATELIMITED: 429,
}

// checkAnswer says what is wrong with the answer to an attack, or "".
func checkAnswer(ans answer) string {
	a := ans.attack
	switch {
	case ans.err != nil:
		return "no answer"
	case goAnswer(ans):
		return ""
	case ans.status >= 500:
		return "a 5xx"
	case ans.status >= 300 && ans.status < 400:
		return "a redirect"
	case ans.status < 300 && a.method != "GET" && a.method != "HEAD":
		return "a hostile write succeeded"
	case ans.header.Get("X-Request-Id") == "":
		return "no X-Request-Id"
	case leak(ans.body):
		return "the body names internals"
	case ans.status < 400:
		return ""
	case ans.header.Get("Content-Type") != "application/json; charset=utf-8":
		return "a 4xx that is not JSON"
	case ans.status == 405 && ans.header.Get("Allow") == "":
		return "a 405 without Allow"
	case a.method == "HEAD":
		return ""
	}
	var e struct {
		Error      string            `json:"error"`
		Code       string            `json:"code"`
		Fields     map[string]string `json:"fields"`
		RetryAfter *int              `json:"retry_after"`
	}
	dec := json.NewDecoder(bytes.NewReader(ans.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == "" || codeStatus[e.Code] != ans.status {
		return "a 4xx without the error envelope"
	}
	return ""
}

// failureLog groups failures by problem and family, with a few examples.
type failureLog struct {
	count    map[string]int
	examples map[string][]string
}

func (f *failureLog) add(problem string, ans answer) {
	if f.count == nil {
		f.count, f.examples = map[string]int{}, map[string][]string{}
	}
	key := problem + " (" + ans.attack.family + ")"
	f.count[key]++
	if len(f.examples[key]) < 5 {
		what := fmt.Sprintf("%d %q", ans.status, shorten(string(ans.body), 300))
		if ans.err != nil {
			what = ans.err.Error()
		}
		f.examples[key] = append(f.examples[key], fmt.Sprintf("\t%v\n\t\t-> %s", ans.attack, what))
	}
}

func (f *failureLog) report(t *testing.T) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(f.count)) {
		t.Errorf("%s: %d requests, such as\n%s", key, f.count[key], strings.Join(f.examples[key], "\n"))
	}
}

// credentials are the tokens the attacks carry: an admin's, a staff token
// scoped to store 1, and a revoked one.
type credentials struct{ admin, staff, revoked string }

// revokedToken creates a staff token and revokes it.
func revokedToken(t *testing.T, srv *servertest.Server) string {
	t.Helper()
	ctx := context.Background()
	tok, secret, err := srv.DB.CreateToken(ctx, "revoked", aforro.RoleStaff, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.DB.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	return secret
}

// serve runs api as aforrod serve does, on a loopback port of its own, until
// the test ends.
func serve(t *testing.T, api *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- api.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// tableSums is a checksum of every table in the public schema, and the
// state of every sequence there (a refused write that got as far as taking
// an id shows too). api_tokens.last_used_at is left out: a request with a
// token records its use. The server keeps nothing else in Redis than the
// rate limiter's budgets, which requests spend by design.
func tableSums(t *testing.T, srv *servertest.Server) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := srv.DB.Pool.Query(ctx, `
		SELECT c.relname, c.relkind = 'S'
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S')`)
	if err != nil {
		t.Fatal(err)
	}
	type relation struct {
		Name     string
		Sequence bool
	}
	rels, err := pgx.CollectRows(rows, pgx.RowToStructByPos[relation])
	if err != nil || len(rels) == 0 {
		t.Fatalf("list tables: %v (%d found)", err, len(rels))
	}
	sums := map[string]string{}
	for _, r := range rels {
		row := "t::text"
		if r.Name == "api_tokens" {
			row = "(to_jsonb(t) - 'last_used_at')::text"
		}
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg(%s, ',' ORDER BY %[1]s)), '') FROM %s t`, row, pgx.Identifier{r.Name}.Sanitize())
		if r.Sequence {
			q = fmt.Sprintf(`SELECT last_value || ' ' || is_called FROM %s`, pgx.Identifier{r.Name}.Sanitize())
		}
		var sum string
		if err := srv.DB.Pool.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatalf("checksum %s: %v", r.Name, err)
		}
		sums[r.Name] = sum
	}
	return sums
}

// vmRSS is the process's resident memory in bytes, or 0 (and a note in the
// log) where /proc does not tell.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Logf("resident memory not checked: %v", err)
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
