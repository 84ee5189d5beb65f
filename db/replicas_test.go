package db_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
)

// withParam adds a query parameter to a connection URL.
func withParam(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}

// closedPortURL is a URL on a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "postgres://postgres@" + addr + "/aforro?sslmode=disable&connect_timeout=1"
}

// appName reads the application_name of the session a read ran in, which
// tells the pools apart: the replica URLs below set their own.
func appName(ctx context.Context, d *db.DB) (string, error) {
	var name string
	err := d.Pool.QueryRow(ctx, `SELECT current_setting('application_name')`).Scan(&name)
	return name, err
}

// openWithReplicas opens the primary on a fresh database and replicas at
// urls (built from the database's URL).
func openWithReplicas(t *testing.T, replicaURLs func(primary string) []string) *db.DB {
	t.Helper()
	ctx := context.Background()
	url := dbtest.New(t)
	d, err := db.Open(ctx, withParam(url, "application_name=primary"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if err := d.OpenReplicas(ctx, db.ReplicaConfig{URLs: replicaURLs(url)}, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestReadUsesHealthyReplicas points two "replicas" at the primary's own
// database (not in recovery, so never behind) and one at a closed port: the
// reads go to the two in turn, never to the dead one, and the stats count
// them.
func TestReadUsesHealthyReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dead := closedPortURL(t)
	d := openWithReplicas(t, func(url string) []string {
		return []string{withParam(url, "application_name=r1"), dead, withParam(url, "application_name=r2")}
	})
	seen := map[string]int{}
	for range 10 {
		name, err := db.Read(ctx, d, func(ctx context.Context, r *db.DB) (string, error) { return appName(ctx, r) })
		if err != nil {
			t.Fatal(err)
		}
		seen[name]++
	}
	if seen["r1"] == 0 || seen["r2"] == 0 || seen["r1"]+seen["r2"] != 10 {
		t.Errorf("reads by session: %v, want all on r1 and r2, both used", seen)
	}
	stats := d.PoolStats()
	if len(stats) != 4 || stats[0].Name != "primary" || stats[0].Reads != 0 {
		t.Fatalf("stats = %+v, want the primary first with no reads, then three replicas", stats)
	}
	if stats[2].Healthy || stats[2].Reads != 0 || !stats[1].Healthy || !stats[3].Healthy {
		t.Errorf("stats = %+v, want the closed port unhealthy and unused, the others healthy", stats)
	}
}

// TestReadFallsBackToPrimary: with no healthy replica every read goes to the
// primary; without replicas configured Read is the call itself.
func TestReadFallsBackToPrimary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dead := closedPortURL(t)
	d := openWithReplicas(t, func(string) []string { return []string{dead} })
	name, err := db.Read(ctx, d, func(ctx context.Context, r *db.DB) (string, error) { return appName(ctx, r) })
	if err != nil || name != "primary" {
		t.Fatalf("read = %q, %v; want it answered by the primary", name, err)
	}
	if st := d.PoolStats(); st[0].Reads != 1 || st[1].Reads != 0 {
		t.Errorf("stats = %+v, want one read on the primary", st)
	}

	plain := dbtest.Open(t)
	if plain.HasReplicas() || plain.PoolStats() != nil {
		t.Error("a DB without replicas reports replicas")
	}
	calls := 0
	if _, err := db.Read(ctx, plain, func(_ context.Context, r *db.DB) (int, error) {
		calls++
		if r != plain {
			t.Error("without replicas, Read must pass the DB itself")
		}
		return 0, nil
	}); err != nil || calls != 1 {
		t.Errorf("Read without replicas: %d calls, %v", calls, err)
	}
}

// TestReadRetriesOnPrimary: a read that fails on a replica for a reason the
// replica may be to blame for runs again on the primary; one the client is
// to blame for does not.
func TestReadRetriesOnPrimary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		onReplica error
		retried   bool
	}{
		{"unavailable", db.ErrUnavailable, true},
		{"internal", errors.New("search products: conflict with recovery"), true},
		{"not found", aforro.Errorf(aforro.ENOTFOUND, "Product 7 not found."), false},
		{"invalid", aforro.Errorf(aforro.EINVALID, "bad"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A replica that failed to answer is skipped until its next
			// check, so each case has replicas of its own.
			d := openWithReplicas(t, func(url string) []string { return []string{withParam(url, "application_name=r1")} })
			var ran []string
			got, err := db.Read(ctx, d, func(ctx context.Context, r *db.DB) (string, error) {
				name, err := appName(ctx, r)
				if err != nil {
					return "", err
				}
				ran = append(ran, name)
				if name == "r1" {
					return "", tt.onReplica
				}
				return name, nil
			})
			if tt.retried {
				if err != nil || got != "primary" || strings.Join(ran, ",") != "r1,primary" {
					t.Errorf("got %q, %v after %v; want the primary's answer after the replica's failure", got, err, ran)
				}
				return
			}
			if !errors.Is(err, tt.onReplica) || strings.Join(ran, ",") != "r1" {
				t.Errorf("got %q, %v after %v; want the replica's own answer", got, err, ran)
			}
		})
	}
}

// freezer forwards a loopback port to target until frozen, when it stops
// passing bytes either way (and holds new connections) without closing
// anything, as a network partition does.
type freezer struct {
	addr   string
	frozen atomic.Bool
}

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{addr: ln.Addr().String()}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			for f.frozen.Load() {
				time.Sleep(10 * time.Millisecond) // a partition: nothing moves
			}
			if n > 0 {
				if _, err := dst.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				dst.Close()
				return
			}
		}
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go pipe(up, c)
			go pipe(c, up)
		}
	}()
	return f
}

// TestReadSurvivesPartitionedReplica: a read under way on a replica that
// stops answering without closing its connections is cancelled when the
// checker finds the replica down, and the primary answers it.
func TestReadSurvivesPartitionedReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if !strings.Contains(url, addr) {
		t.Fatalf("the test database URL %s does not name %s", url, addr)
	}
	f := newFreezer(t, addr)
	d, err := db.Open(ctx, withParam(url, "application_name=primary"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	replicaURL := withParam(strings.Replace(url, addr, f.addr, 1), "application_name=r1")
	rcfg := db.ReplicaConfig{URLs: []string{replicaURL}, MaxLag: time.Second, CheckInterval: 100 * time.Millisecond}
	if err := d.OpenReplicas(ctx, rcfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// A check gets one interval (100 ms): on a loaded machine the first may
	// not make it, and the read would start on the primary.
	waitHealthy(t, d, 1)
	var ran []string
	// Thawed before the cleanups close the pools, which would wait on it.
	defer f.frozen.Store(false)
	got, err := db.Read(ctx, d, func(ctx context.Context, r *db.DB) (string, error) {
		name, err := appName(ctx, r)
		if err != nil {
			return "", err
		}
		ran = append(ran, name)
		if name == "r1" {
			f.frozen.Store(true) // the partition begins mid-read
			if _, err := r.Pool.Exec(ctx, `SELECT 1`); err != nil {
				return "", err
			}
		}
		return name, nil
	})
	if err != nil || got != "primary" || strings.Join(ran, ",") != "r1,primary" {
		t.Fatalf("got %q, %v after %v; want the primary's answer after the replica froze", got, err, ran)
	}
	if st := d.PoolStats(); st[1].Healthy || st[1].Errors != 1 {
		t.Errorf("replica stats %+v, want it unhealthy with one failed read", st[1])
	}
}

// waitHealthy waits until the checker has found replica i (1-based, as in
// PoolStats) healthy.
func waitHealthy(t *testing.T, d *db.DB, i int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !d.PoolStats()[i].Healthy; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica %d never became healthy: %+v", i, d.PoolStats()[i])
		}
	}
}
