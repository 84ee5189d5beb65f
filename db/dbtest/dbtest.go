// Package dbtest gives each test its own freshly migrated PostgreSQL database.
// A package's TestMain calls Main, which migrates one template database; each
// test then clones it with New (CREATE DATABASE ... TEMPLATE), so tests are
// isolated, parallel and fast. Nothing is mocked: the server is the one at
// AFORRO_TEST_DATABASE_URL (default: the local PostgreSQL), and a test that
// cannot reach it fails with a clear message instead of skipping.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro/db"
)

// DefaultURL is the server tests use unless AFORRO_TEST_DATABASE_URL is set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	template string     // the package's migrated template database
	cloneMu  sync.Mutex // PostgreSQL refuses two clones of one template at once
)

// ServerURL is the URL of the test server's maintenance database.
func ServerURL() string {
	if u := os.Getenv("AFORRO_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// URLFor returns ServerURL pointed at database name.
func URLFor(name string) string {
	cfg, err := pgx.ParseConfig(ServerURL())
	if err != nil {
		panic(fmt.Sprintf("dbtest: AFORRO_TEST_DATABASE_URL: %v", err))
	}
	u := ServerURL()
	old := "/" + cfg.Database
	if i := strings.Index(u, old+"?"); i >= 0 {
		return u[:i] + "/" + name + u[i+len(old):]
	}
	if strings.HasSuffix(u, old) {
		return strings.TrimSuffix(u, old) + "/" + name
	}
	panic(fmt.Sprintf("dbtest: cannot find the database name in %s", db.Redact(u)))
}

// Main migrates a template database for the package, runs its tests and drops
// the template. Call it from TestMain: os.Exit(dbtest.Main(m)).
func Main(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	name := "aforro_tmpl_" + randomSuffix()
	err := db.Migrate(ctx, URLFor(name))
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: cannot prepare a test database on PostgreSQL at %s "+
			"(set AFORRO_TEST_DATABASE_URL, or start PostgreSQL): %v\n", db.Redact(ServerURL()), err)
		dropDatabase(name)
		return 1
	}
	template = name
	code := m.Run()
	dropDatabase(name)
	return code
}

// New returns the URL of a fresh database cloned from the package's template,
// dropped when the test ends.
func New(t testing.TB) string {
	t.Helper()
	if template == "" {
		t.Fatal("dbtest: call dbtest.Main from the package's TestMain first")
	}
	name := "aforro_test_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		t.Fatalf("dbtest: cannot reach PostgreSQL at %s: %v", db.Redact(ServerURL()), err)
	}
	defer conn.Close(ctx)
	cloneMu.Lock()
	_, err = conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize()))
	cloneMu.Unlock()
	if err != nil {
		t.Fatalf("dbtest: clone template database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(name) })
	return URLFor(name)
}

// Open returns a pool on a fresh database, closed when the test ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), New(t))
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

func dropDatabase(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
