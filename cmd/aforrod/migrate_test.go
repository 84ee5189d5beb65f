package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aforro/aforro/db"
)

// firstWrite is a log destination that says when something was first
// written to it, so a test can act once a retry has been logged.
type firstWrite struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	once  sync.Once
	wrote chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.once.Do(func() { close(w.wrote) })
	return w.buf.Write(p)
}

func (w *firstWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestMigrateWaitsForALatePostgreSQL starts aforrod migrate's retry before
// any PostgreSQL listens at its URL, as on a first docker compose up, then
// starts one there: migrate must log its retries, then migrate the database.
func TestMigrateWaitsForALatePostgreSQL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := &devEnv{dataDir: reachableTempDir(t), log: slog.New(slog.DiscardHandler), binDirs: defaultBinDirs(), out: io.Discard}
	if e.findPostgres("") == "" {
		t.Fatal("initdb and pg_ctl were not found on PATH or in the usual places; install PostgreSQL's server programs (Debian: apt-get install postgresql)")
	}
	port := closedPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	url := "postgres://postgres@" + addr + "/aforro_late?sslmode=disable"
	// The private server takes the port recorded in its directory: this one.
	pgDir := filepath.Join(e.dataDir, "pg")
	if err := os.MkdirAll(pgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pgDir, "port"), []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	logs := &firstWrite{wrote: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- migrateWaiting(ctx, url, 2*time.Minute, slog.New(slog.NewTextHandler(logs, nil))) }()
	select {
	case <-logs.wrote: // the first attempt failed and said so
	case err := <-done:
		t.Fatalf("migrate returned before PostgreSQL started: %v", err)
	}
	got, stop, err := e.startPostgres(ctx, "aforro_late", addr)
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	t.Cleanup(stop)
	if got != url {
		t.Fatalf("PostgreSQL started at %s, not at migrate's %s", got, url)
	}
	if err := <-done; err != nil {
		t.Fatalf("migrate after PostgreSQL started: %v\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), "PostgreSQL cannot be reached yet; trying again") {
		t.Errorf("the retries were not logged:\n%s", logs)
	}
	st, err := db.Status(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if !m.Applied {
			t.Errorf("migration %d %s not applied", m.Version, m.Name)
		}
	}
}

// TestMigrateGivesUp checks that the wait is bounded and the error says so,
// and that a wait of 0 tries once.
func TestMigrateGivesUp(t *testing.T) {
	t.Parallel()
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/aforro?sslmode=disable", closedPort(t))
	log := slog.New(slog.DiscardHandler)
	err := migrateWaiting(t.Context(), url, 1500*time.Millisecond, log)
	if err == nil || !strings.HasPrefix(err.Error(), "gave up after 1.5s and ") || !db.IsConnError(err) {
		t.Errorf("err = %v, want the bounded wait named, wrapping the connection error", err)
	}
	err = migrateWaiting(t.Context(), url, 0, log)
	if err == nil || strings.Contains(err.Error(), "gave up") || !db.IsConnError(err) {
		t.Errorf("wait 0: err = %v, want the connection error of one attempt", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := migrateWaiting(ctx, url, time.Hour, log); err == nil {
		t.Error("a cancelled migrate returned no error")
	}
}
