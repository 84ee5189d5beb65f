//go:build faults

package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBouncerURLParams is what aforrod's URL needs behind PgBouncer in
// transaction mode before 1.21 (Debian 12 ships 1.18): no named prepared
// statements, which a pooler that changes server connections between
// transactions cannot keep (README "Running many instances").
const pgBouncerURLParams = "&default_query_exec_mode=cache_describe"

// pgBouncer is a pgbouncer process in transaction pooling mode in front of
// a private PostgreSQL, on a free port; it runs as the postgres user when
// the test runs as root (it refuses to run as root).
type pgBouncer struct {
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func newPgBouncer(t *testing.T, pg *postgres) *pgBouncer {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr != nil {
			t.Fatal("no pgbouncer found (apt-get install pgbouncer)")
		}
		bin = "/usr/sbin/pgbouncer"
	}
	b := &pgBouncer{port: freePort(t), done: make(chan struct{})}
	ini := fmt.Sprintf(`[databases]
aforro = host=127.0.0.1 port=%d dbname=aforro

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %[3]s/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = %[3]s/pgbouncer.log
stats_period = 1
`, pg.port, b.port, pg.dir)
	for name, text := range map[string]string{"pgbouncer.ini": ini, "userlist.txt": `"postgres" ""` + "\n"} {
		if err := os.WriteFile(filepath.Join(pg.dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.cmd = exec.Command(bin, filepath.Join(pg.dir, "pgbouncer.ini"))
	if pg.asPostgre != nil {
		// As the postgres user itself rather than through runuser, so that
		// killing the process kills pgbouncer.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		b.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Kill()
		<-b.done
	})
	waitTCP(t, b.port)
	return b
}

func (b *pgBouncer) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", b.port, db)
}

// transactions is the number of transactions PgBouncer has pooled for the
// aforro database, from its admin console.
func (b *pgBouncer) transactions(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.url("pgbouncer")+"&default_query_exec_mode=simple_protocol")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SHOW STATS")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	col := -1
	for i, f := range rows.FieldDescriptions() {
		if f.Name == "total_xact_count" {
			col = i
		}
	}
	for rows.Next() {
		// Simple protocol: every value is text.
		v := rows.RawValues()
		if string(v[0]) == "aforro" && col >= 0 {
			n, err := strconv.ParseInt(string(v[col]), 10, 64)
			if err != nil {
				t.Fatalf("SHOW STATS: total_xact_count %q: %v", v[col], err)
			}
			return n
		}
	}
	t.Fatal("SHOW STATS has no total_xact_count for aforro")
	return 0
}

// searches are the search and browse requests compared through PgBouncer,
// around word, a word of a seeded title: the exact word, a typo of it, its
// prefix, and browsing without a query.
func searches(word string) []string {
	typo := word[:len(word)-1] + "x"
	return []string{
		"/api/search/products/?q=" + word, "/api/search/products/?q=" + typo, "/api/search/products/?q=" + word[:3] + "&sort=price_asc",
		"/api/search/products/?category=1&sort=newest", "/api/search/products/?min_price=1&max_price=50&page=2&page_size=5",
		"/api/search/suggest/?q=" + word[:3], "/api/products/?page_size=7", "/api/categories/", "/api/stores/",
	}
}

// TestPgBouncer runs aforrod behind PgBouncer in transaction pooling mode:
// searches answer what they answer on a direct connection, the order load
// keeps every invariant, and the token cache (whose LISTEN takes the direct
// --listen-database-url) still forgets a revoked token.
func TestPgBouncer(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	bouncer := newPgBouncer(t, c.pg)
	direct := startInstance(t, "direct", c.env)
	pooled := startInstance(t, "pooled", append(slices.Clip(c.env),
		"AFORRO_DATABASE_URL="+bouncer.url("aforro")+pgBouncerURLParams,
		"AFORRO_LISTEN_DATABASE_URL="+c.pg.url("aforro")))
	before := bouncer.transactions(t)
	var word string
	if err := c.pg.conn(t).QueryRow(context.Background(),
		`SELECT lower(w) FROM products, regexp_split_to_table(title, '\W+') w WHERE length(w) >= 5 ORDER BY id LIMIT 1`).Scan(&word); err != nil {
		t.Fatal(err)
	}
	searches := searches(word)

	// Every search, more than five times (when PostgreSQL would switch a
	// prepared statement to its generic plan), answers as it does directly.
	for range 7 {
		for _, path := range searches {
			ds, db := get(t, direct.url()+path, "")
			ps, pb := get(t, pooled.url()+path, "")
			if ds != http.StatusOK || ps != ds || string(pb) != string(db) || strings.Contains(string(db), `"count":0`) {
				t.Fatalf("GET %s: direct %d %s; through PgBouncer %d %s", path, ds, db, ps, pb)
			}
		}
	}

	// Orders under load, with searches alongside.
	l := newLoad(c, pooled)
	var mu sync.Mutex
	var bad []string
	during(l, 6*time.Second, func(ctx context.Context) {
		for n := 0; ctx.Err() == nil; n++ {
			path := searches[n%len(searches)]
			if status, body := get(t, pooled.url()+path, ""); status != http.StatusOK {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("GET %s: %d %s", path, status, body))
				mu.Unlock()
			}
		}
	})
	l.check(t)
	for _, b := range bad {
		t.Error(b)
	}
	// Its statistics lag by up to stats_period.
	waitFor(t, 5*time.Second, "PgBouncer to count a transaction per order at least", func() bool {
		return bouncer.transactions(t)-before >= int64(len(l.placed))
	})

	// A revoked token stops at once: the cache heard of it.
	out := aforrod(t, c.env, "token", "create", "--name", "till", "--role", "staff")
	secret := lastLine(out)
	for range 2 { // the second is answered from the cache
		if status, body := get(t, pooled.url()+"/api/orders/", secret); status != http.StatusOK {
			t.Fatalf("with a fresh staff token: %d %s", status, body)
		}
	}
	if _, err := c.pg.conn(t).Exec(context.Background(), `UPDATE api_tokens SET revoked_at = now() WHERE name = 'till'`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the revoked token to be refused", func() bool {
		status, _ := get(t, pooled.url()+"/api/orders/", secret)
		return status == http.StatusUnauthorized
	})
}

// lastLine is the last line of a command's output: aforrod token create
// prints the secret there.
func lastLine(out string) string {
	out = strings.TrimSpace(out)
	return out[strings.LastIndex(out, "\n")+1:]
}
