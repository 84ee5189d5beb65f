package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// KindHeader names the kind of query a request stands for, so a Recorder
// can tell the server's times apart by kind.
const KindHeader = "X-Bench-Kind"

// Sample is the handler's own time of one request.
type Sample struct {
	D          time.Duration
	Kind, Path string
}

// Recorder wraps a handler and keeps the handler's own time of every
// request: what the server spent, without the client's and the network's
// share that a client-side latency includes.
type Recorder struct {
	mu      sync.Mutex
	samples []Sample
}

// Wrap returns next, timed.
func (rec *Recorder) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, uri := time.Now(), r.URL.RequestURI()
		next.ServeHTTP(w, r)
		s := Sample{D: time.Since(start), Kind: r.Header.Get(KindHeader), Path: uri}
		rec.mu.Lock()
		rec.samples = append(rec.samples, s)
		rec.mu.Unlock()
	})
}

// Take returns the samples recorded since the last Take and forgets them;
// call it before a measured run to drop the warm-up's.
func (rec *Recorder) Take() []Sample {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.samples
	rec.samples = nil
	return s
}

// Durations returns the times of ss, in their order.
func Durations(ss []Sample) []time.Duration {
	ds := make([]time.Duration, len(ss))
	for i, s := range ss {
		ds[i] = s.D
	}
	return ds
}

// ServeHandler serves h on a free loopback port until ctx ends and returns
// its base URL.
func ServeHandler(ctx context.Context, h http.Handler) (string, error) {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	return Serve(ctx, func(ctx context.Context, ln net.Listener) error {
		go func() { <-ctx.Done(); _ = hs.Close() }()
		return hs.Serve(ln)
	})
}

// Get requests url with the kind in KindHeader (none when empty), reads the
// whole body and fails on any status but 200.
func Get(ctx context.Context, hc *http.Client, url, kind string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if kind != "" {
		req.Header.Set(KindHeader, kind)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	return nil
}

// Millis formats d as milliseconds with two decimals, as the bench tables
// print latencies.
func Millis(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// Percentiles formats p50 / p95 / p99 of ds, in any order; "-" when empty.
func Percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Millis(Percentile(s, 50)) + " / " + Millis(Percentile(s, 95)) + " / " + Millis(Percentile(s, 99))
}
