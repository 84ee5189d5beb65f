package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro/db"
)

// The local servers every package's tests use; see .ci/run.
const (
	localDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	localRedisURL    = "redis://127.0.0.1:6379/0"
)

func TestEnsureServicesStartsAndReusesPrivateServers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := reachableTempDir(t)
	e := &devEnv{dataDir: dir, log: slog.New(slog.DiscardHandler), binDirs: defaultBinDirs()}
	if e.findPostgres("") == "" {
		t.Fatal("initdb and pg_ctl were not found on PATH or in the usual places (/usr/lib/postgresql/*/bin, ...); install PostgreSQL's server programs (Debian: apt-get install postgresql)")
	}
	if !hasRedisServer(e) {
		t.Fatal("redis-server was not found on PATH or in the usual places; install it (Debian: apt-get install redis-server)")
	}
	// Nothing listens on these ports, so both servers must be started.
	dbURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/aforro_devtest?sslmode=disable", closedPort(t))
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/3", closedPort(t))

	var out bytes.Buffer
	e.out = &out
	pgURL, rdURL, stop, err := e.ensure(ctx, dbURL, redisURL)
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	t.Cleanup(stop)
	lines := regexp.MustCompile(`(?m)^started a private PostgreSQL \d+ in ` + regexp.QuoteMeta(filepath.Join(dir, "pg")) +
		` on 127\.0\.0\.1:\d+ \(stopped on exit\)\nstarted a private Redis [\d.]+ in ` + regexp.QuoteMeta(filepath.Join(dir, "redis")) +
		` on 127\.0\.0\.1:\d+ \(stopped on exit\)\n$`)
	if !lines.MatchString(out.String()) {
		t.Errorf("ensure printed %q, want one line per started server", out.String())
	}
	if !strings.HasSuffix(pgURL, "/aforro_devtest?sslmode=disable") || pgURL == dbURL {
		t.Errorf("database url = %q, want the private server's, naming database aforro_devtest", pgURL)
	}
	if !strings.HasSuffix(rdURL, "/3") || rdURL == redisURL {
		t.Errorf("redis url = %q, want the private server's, database 3", rdURL)
	}

	// The database does not exist yet: db.Migrate creates it the same way.
	if _, err := db.EnsureDatabase(ctx, pgURL); err != nil {
		t.Fatal(err)
	}
	pgExec(t, pgURL, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
	rdb := redisClient(t, rdURL)
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("redis SET on the private server: %v", err)
	}

	stop()
	stop() // idempotent
	if pgConnects(ctx, pgURL) {
		t.Error("the private PostgreSQL still answers after stop")
	}
	if redisAnswers(ctx, rdb.Options()) {
		t.Error("the private Redis still answers after stop")
	}

	out.Reset()
	pgURL2, rdURL2, stop2, err := e.ensure(ctx, dbURL, redisURL)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	t.Cleanup(stop2)
	if pgURL2 != pgURL || rdURL2 != rdURL {
		t.Errorf("second start gave %s and %s, want the same ports as the first: %s and %s", pgURL2, rdURL2, pgURL, rdURL)
	}
	if got := strings.Count(out.String(), "\n"); got != 2 {
		t.Errorf("second start printed %q, want two lines", out.String())
	}
	var v string
	if err := pgQueryRow(t, pgURL2, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Errorf("data from the first run: got %q, %v; want %q", v, err, "still here")
	}
	if err := redisClient(t, rdURL2).Ping(ctx).Err(); err != nil {
		t.Errorf("the restarted private Redis does not answer: %v", err)
	}
	stop2()
	if pgConnects(ctx, pgURL2) {
		t.Error("the private PostgreSQL still answers after the second stop")
	}
}

func TestEnsureServicesLeavesAnsweringServersAlone(t *testing.T) {
	t.Parallel()
	// A missing database still means PostgreSQL answers: migrate creates it.
	dbURL := strings.Replace(localDatabaseURL, "/postgres?", "/aforro_no_such_database?", 1)
	var out bytes.Buffer
	// No search directories: nothing may be started.
	e := &devEnv{dataDir: t.TempDir(), out: &out, log: slog.New(slog.DiscardHandler)}
	pgURL, rdURL, stop, err := e.ensure(t.Context(), dbURL, localRedisURL)
	if err != nil {
		t.Fatalf("ensure with local PostgreSQL and Redis (they must be running; .ci/run starts them): %v", err)
	}
	stop()
	if pgURL != dbURL || rdURL != localRedisURL {
		t.Errorf("ensure returned %s and %s, want the answering servers' %s and %s", pgURL, rdURL, dbURL, localRedisURL)
	}
	if out.Len() != 0 {
		t.Errorf("ensure printed %q, want nothing", out.String())
	}
}

func TestEnsureServicesExplainsWhenNothingCanStart(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	tests := []struct {
		name, dbURL, redisURL, want string
	}{
		{
			name:     "postgres",
			dbURL:    fmt.Sprintf("postgres://postgres@127.0.0.1:%d/aforro", closed),
			redisURL: localRedisURL,
			want:     fmt.Sprintf("PostgreSQL is not answering at 127.0.0.1:%d and no initdb/pg_ctl was found to start a private one; start PostgreSQL or set --database-url / AFORRO_DATABASE_URL", closed),
		},
		{
			name:     "redis",
			dbURL:    localDatabaseURL,
			redisURL: fmt.Sprintf("redis://127.0.0.1:%d/0", closed),
			want:     fmt.Sprintf("Redis is not answering at 127.0.0.1:%d and no redis-server was found to start a private one; start Redis or set --redis-url / AFORRO_REDIS_URL", closed),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			// An empty directory stands for a machine without the server programs.
			e := &devEnv{dataDir: t.TempDir(), out: &out, log: slog.New(slog.DiscardHandler), binDirs: []string{t.TempDir()}}
			_, _, stop, err := e.ensure(t.Context(), tt.dbURL, tt.redisURL)
			stop()
			if err == nil {
				t.Fatal("ensure succeeded with nothing answering and nothing to start")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("ensure printed %q, want nothing", out.String())
			}
		})
	}
}

func TestPgMajor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"pg_ctl (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n": "15",
		"pg_ctl (PostgreSQL) 9.6.24\n":                         "9",
		"pg_ctl (PostgreSQL) 17devel":                          "17devel",
		"something else":                                       "",
		"pg_ctl (PostgreSQL) ":                                 "",
	} {
		if got := pgMajor(in); got != want {
			t.Errorf("pgMajor(%q) = %q, want %q", in, got, want)
		}
	}
}

// reachableTempDir returns a temporary directory that the postgres user can
// reach: as root, initdb and pg_ctl run as that user, and t.TempDir's
// directories are private to their owner.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for p := dir; p != filepath.Dir(p) && p != filepath.Clean(os.TempDir()); p = filepath.Dir(p) {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func hasRedisServer(e *devEnv) bool {
	for _, d := range e.expandDirs() {
		if isExecutable(filepath.Join(d, "redis-server")) {
			return true
		}
	}
	return false
}

// closedPort returns a loopback port that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func pgConnects(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return false
	}
	conn.Close(ctx)
	return true
}

func pgExec(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect to the private PostgreSQL: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func pgQueryRow(t *testing.T, url, sql string) pgx.Row {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect to the private PostgreSQL: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn.QueryRow(t.Context(), sql)
}

func redisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries = -1
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
