// Package loadtest is the harness of the bench programs in cmd/: it serves a
// handler in-process, drives it from concurrent clients for a set time and
// sums up their latencies.
package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Serve listens on a free loopback port, runs serve on that listener in the
// background and returns the listener's base URL, such as
// "http://127.0.0.1:41234". serve is to stop when ctx ends; its error is
// dropped, as the server of a bench lives as long as the bench.
func Serve(ctx context.Context, serve func(context.Context, net.Listener) error) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	go func() { _ = serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Result is what the clients of a run measured.
type Result struct {
	// Latencies are the times of all requests, failed ones included, in
	// increasing order.
	Latencies []time.Duration
	// Rate is requests per second, from the start of the run until its last
	// client stopped.
	Rate float64
	// Failed counts the requests that returned an error, and FirstErr is one
	// of those errors (nil when none failed).
	Failed   int
	FirstErr error
}

// Client is one of a run's concurrent clients. Its function makes requests
// while Running, each through Time; what it does around Time is not timed.
type Client struct {
	// ID numbers the clients of a run from 0.
	ID int
	// HTTP is the run's HTTP client, shared by its clients, with up to one
	// connection per client.
	HTTP *http.Client

	stop     *atomic.Bool
	lat      []time.Duration
	failed   int
	firstErr error
}

// Running reports whether the run's time is not up yet.
func (c *Client) Running() bool { return !c.stop.Load() }

// Time makes one request by calling req, records how long it took and
// whether it failed, and returns its error.
func (c *Client) Time(req func() error) error {
	t0 := time.Now()
	err := req()
	c.lat = append(c.lat, time.Since(t0))
	if err != nil {
		c.failed++
		if c.firstErr == nil {
			c.firstErr = err
		}
	}
	return err
}

// Run starts n clients, each running client in its own goroutine, stops them
// after dur (a request under way is finished, not cut off) and returns what
// they measured.
func Run(n int, dur time.Duration, client func(*Client)) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		clients = make([]*Client, n)
	)
	start := time.Now()
	time.AfterFunc(dur, func() { stop.Store(true) })
	for i := range clients {
		c := &Client{ID: i, HTTP: hc, stop: &stop}
		clients[i] = c
		wg.Go(func() { client(c) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	var res Result
	for _, c := range clients {
		res.Latencies = append(res.Latencies, c.lat...)
		res.Failed += c.failed
		if res.FirstErr == nil {
			res.FirstErr = c.firstErr
		}
	}
	res.Rate = float64(len(res.Latencies)) / elapsed.Seconds()
	slices.Sort(res.Latencies)
	return res
}

// Percentile returns the q-th percentile of sorted, a non-empty list of
// latencies in increasing order: the one at index (len(sorted)-1)*q/100.
func Percentile(sorted []time.Duration, q int) time.Duration {
	return sorted[(len(sorted)-1)*q/100]
}
