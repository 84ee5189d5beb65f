//go:build faults

package faults_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// newStandby makes a streaming standby of primary with pg_basebackup -R
// (through a replication slot of its own, so the primary keeps the WAL it
// has not received) and starts it on a port of its own.
func newStandby(t *testing.T, primary *postgres, slot string) *postgres {
	t.Helper()
	s := preparePostgres(t)
	if out, err := s.run("pg_basebackup", "-D", s.data(), "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port),
		"-U", "postgres", "-R", "-X", "stream", "-C", "-S", slot, "--checkpoint=fast"); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	s.start()
	return s
}

// scrape reads one series of a Prometheus text page, 0 when absent.
func scrape(t *testing.T, metricsURL, series string) float64 {
	t.Helper()
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metrics: %s: %v", sc.Text(), err)
			}
			return f
		}
	}
	return 0
}

// get sends a GET with token (none when empty) and returns the status and body.
func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// catalogueReads are public reads a replica may answer.
var catalogueReads = []string{"/api/search/products/?q=product", "/api/search/suggest/?q=pro",
	"/api/products/", "/api/products/1/", "/api/categories/", "/api/stores/", "/api/stores/1/"}

// TestReadReplicas runs an instance with a streaming standby as its read
// replica: catalogue reads reach the standby; with its replay paused past
// --max-replica-lag they move to the primary and come back once it
// resumes; a token's reads after its own write see it although the standby
// has not; and stopping the standby outright, under reads, fails none.
func TestReadReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newCluster(t)
	standby := newStandby(t, c.pg, "aforro_standby")
	sconn, err := pgx.Connect(ctx, standby.url("aforro"))
	if err != nil {
		t.Fatal(err)
	}
	defer sconn.Close(ctx)
	waitFor(t, 30*time.Second, "the standby to have the catalogue", func() bool {
		var n int
		return sconn.QueryRow(ctx, `SELECT count(*) FROM products`).Scan(&n) == nil && n == seedProducts
	})

	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	replica := fmt.Sprintf("127.0.0.1:%d", standby.port)
	in := startInstance(t, "a", append(slices.Clip(c.env),
		"AFORRO_READ_DATABASE_URLS="+standby.url("aforro")+"&application_name=aforro-replica",
		"AFORRO_MAX_REPLICA_LAG=1s", "AFORRO_READ_YOUR_WRITES_WINDOW=3s", "AFORRO_METRICS_ADDR="+metricsAddr))
	metrics := "http://" + metricsAddr + "/metrics"
	replicaReads := func() float64 { return scrape(t, metrics, `aforro_db_reads_total{pool="`+replica+`"}`) }
	primaryReads := func() float64 { return scrape(t, metrics, `aforro_db_reads_total{pool="primary"}`) }
	healthy := func() bool { return scrape(t, metrics, `aforro_db_replica_healthy{pool="`+replica+`"}`) == 1 }
	readAll := func(t *testing.T) {
		t.Helper()
		for _, path := range catalogueReads {
			if status, body := get(t, in.url()+path, ""); status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
		}
	}
	waitFor(t, 10*time.Second, "the replica to be in use", healthy)

	// Catalogue reads reach the standby: the metrics say so, and so does
	// the standby's own list of sessions.
	before, primaryBefore := replicaReads(), primaryReads()
	readAll(t)
	if got := replicaReads() - before; got != float64(len(catalogueReads)) || primaryReads() != primaryBefore {
		t.Errorf("the replica answered %v of %d catalogue reads, the primary %v", got, len(catalogueReads), primaryReads()-primaryBefore)
	}
	var sessions int
	if err := sconn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'aforro-replica'`).Scan(&sessions); err != nil || sessions == 0 {
		t.Errorf("the standby has %d aforro-replica sessions (%v), want some", sessions, err)
	}

	// Replay paused: the standby stops at what it has. A write now is
	// seen by its writer's next reads, which the primary answers.
	if _, err := sconn.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	var store, product int64
	if err := c.pg.conn(t).QueryRow(ctx, `SELECT store_id, product_id FROM inventory LIMIT 1`).Scan(&store, &product); err != nil {
		t.Fatal(err)
	}
	stock := fmt.Sprintf("%s/api/stores/%d/inventory/%d/", in.url(), store, product)
	item := func(token string) aforro.InventoryItem {
		t.Helper()
		status, body := get(t, stock, token)
		if status != http.StatusOK {
			t.Fatalf("GET inventory: %d %s", status, body)
		}
		var it aforro.InventoryItem
		if err := json.Unmarshal(body, &it); err != nil {
			t.Fatal(err)
		}
		return it
	}
	was := item(c.token).Quantity
	req, _ := http.NewRequest(http.MethodPost, stock+"adjust/",
		strings.NewReader(`{"delta": 7, "reason": "received"}`))
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("adjust: %v %v", resp, err)
	}
	resp.Body.Close()
	if got := item(c.token).Quantity; got != was+7 {
		t.Errorf("the writer's next read says %d, want its write's %d", got, was+7)
	}

	// Past the lag limit the standby is skipped and the primary answers.
	waitFor(t, 10*time.Second, "the paused replica to be skipped", func() bool { return !healthy() })
	before, primaryBefore = replicaReads(), primaryReads()
	readAll(t)
	if replicaReads() != before || primaryReads()-primaryBefore != float64(len(catalogueReads)) {
		t.Errorf("with the replica lagging: replica +%v, primary +%v reads; want all on the primary",
			replicaReads()-before, primaryReads()-primaryBefore)
	}
	// Resumed, it catches up and serves again.
	if _, err := sconn.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the resumed replica to be in use again", healthy)
	before = replicaReads()
	readAll(t)
	if replicaReads()-before != float64(len(catalogueReads)) {
		t.Errorf("after resuming, the replica answered %v of %d reads", replicaReads()-before, len(catalogueReads))
	}

	// The standby stops while clients read: none sees an error.
	sconn.Close(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				path := catalogueReads[n%len(catalogueReads)]
				if status, body := get(t, in.url()+path, ""); status != http.StatusOK {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("GET %s: %d %s", path, status, body))
					mu.Unlock()
				}
			}
		})
	}
	before, primaryBefore = replicaReads(), primaryReads()
	waitFor(t, 10*time.Second, "reads on the replica", func() bool { return replicaReads() > before+20 })
	standby.crash()
	waitFor(t, 10*time.Second, "the stopped replica to be skipped", func() bool { return !healthy() })
	waitFor(t, 10*time.Second, "reads on the primary", func() bool { return primaryReads() > primaryBefore+20 })
	close(stop)
	wg.Wait()
	for _, b := range bad {
		t.Error(b)
	}
	if strings.Contains(in.logs(), `"msg":"internal error"`) {
		t.Errorf("the instance answered internal errors:\n%s", in.logs())
	}
}
