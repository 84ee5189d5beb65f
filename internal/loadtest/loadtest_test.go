package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		var ds []time.Duration
		for _, v := range vs {
			ds = append(ds, time.Duration(v)*time.Millisecond)
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		sorted []time.Duration
		q      int
		want   time.Duration
	}{
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2), 100, 2 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 95, 95 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 0, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("p%d of %d", tt.q, len(tt.sorted)), func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.q); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRun(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	rec := &Recorder{}
	base, err := ServeHandler(ctx, rec.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			http.Error(w, "no", http.StatusTeapot)
		}
	})))
	if err != nil {
		t.Fatal(err)
	}

	const n, failEvery = 4, 3
	var (
		mu    sync.Mutex
		ids   []int
		calls int
	)
	start := time.Now()
	res := Run(n, 200*time.Millisecond, func(c *Client) {
		mine := 0
		for c.Running() {
			path := "/ok"
			if mine%failEvery == failEvery-1 {
				path = "/fail"
			}
			mine++
			_ = c.Time(func() error { return Get(ctx, c.HTTP, base+path, "k") })
		}
		mu.Lock()
		ids, calls = append(ids, c.ID), calls+mine
		mu.Unlock()
	})
	took := time.Since(start)

	if slices.Sort(ids); !slices.Equal(ids, []int{0, 1, 2, 3}) {
		t.Errorf("client ids %v, want 0 to 3", ids)
	}
	if took < 200*time.Millisecond || took > 5*time.Second {
		t.Errorf("the run took %v for a duration of 200ms", took)
	}
	if calls == 0 || len(res.Latencies) != calls {
		t.Fatalf("%d latencies for %d requests", len(res.Latencies), calls)
	}
	if !slices.IsSorted(res.Latencies) {
		t.Error("latencies are not sorted")
	}
	if res.Failed == 0 || res.Failed > calls/failEvery+n {
		t.Errorf("%d of %d requests failed, want about one in %d", res.Failed, calls, failEvery)
	}
	if want := "GET " + base + "/fail: status 418: no\n"; res.FirstErr == nil || res.FirstErr.Error() != want {
		t.Errorf("first error %v, want the failed GET's", res.FirstErr)
	}
	samples := rec.Take()
	if len(samples) != calls {
		t.Errorf("the recorder kept %d samples of %d requests", len(samples), calls)
	}
	for _, s := range samples {
		if s.Kind != "k" || (s.Path != "/ok" && s.Path != "/fail") {
			t.Fatalf("sample %+v, want kind k and the request's path", s)
		}
	}
	if again := rec.Take(); len(again) != 0 {
		t.Errorf("a second Take returned %d samples, want none", len(again))
	}
	// The run ends inside the measured time, so its rate is at least this.
	if least := float64(calls) / took.Seconds(); res.Rate < least {
		t.Errorf("rate %.0f/s for %d requests in %v", res.Rate, calls, took)
	}
}

func TestRunNoFailures(t *testing.T) {
	res := Run(2, 20*time.Millisecond, func(c *Client) {
		for c.Running() {
			if err := c.Time(func() error { time.Sleep(time.Millisecond); return nil }); err != nil {
				t.Error(err)
			}
		}
	})
	if res.Failed != 0 || res.FirstErr != nil {
		t.Errorf("failed %d, first error %v; want none", res.Failed, res.FirstErr)
	}
	if len(res.Latencies) == 0 || res.Latencies[0] < time.Millisecond {
		t.Errorf("latencies %v, want each at least 1ms", res.Latencies)
	}
}

func TestPercentiles(t *testing.T) {
	tests := []struct {
		ds   []time.Duration
		want string
	}{
		{nil, "-"},
		{[]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, "2.00ms / 2.00ms / 2.00ms"},
		{[]time.Duration{1500 * time.Microsecond}, "1.50ms / 1.50ms / 1.50ms"},
	}
	for _, tt := range tests {
		if got := Percentiles(tt.ds); got != tt.want {
			t.Errorf("Percentiles(%v) = %q, want %q", tt.ds, got, tt.want)
		}
	}
}

func TestServeUntilContextEnds(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	addr := make(chan string, 1)
	done := make(chan struct{})
	base, err := Serve(ctx, func(ctx context.Context, ln net.Listener) error {
		addr <- ln.Addr().String()
		<-ctx.Done()
		close(done)
		return ln.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "http://" + <-addr; base != want {
		t.Errorf("base %q, want %q", base, want)
	}
	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("the serve function did not see ctx end")
	}
}
