// Command cursorwalk follows next_cursor through the whole of one list of
// aforrod's API, as a client syncing a store's inventory would, and reports
// how many rows it read and how long that took. It speaks HTTP with net/http
// only, so it measures the wire API, not the client package. Each row is
// expected once (by its id, or its whole text when it has none): a row seen
// twice, or a total other than --want, fails the walk, since either means
// the keyset skipped or repeated rows.
//
//	cursorwalk --token "$AFORRO_TOKEN" 'http://127.0.0.1:8000/api/stores/1/inventory/?category=3'
//
// It prints one line: rows=N pages=N seconds=S p50_ms=X p99_ms=X max_ms=X
// and "end" (the last page came) or "stopped" (at --max-rows).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/alecthomas/kong"
)

// CLI is cursorwalk's configuration.
type CLI struct {
	URL      string        `arg:"" help:"The list's URL with its filters, without page or cursor."`
	Token    string        `env:"AFORRO_TOKEN" help:"Bearer token (staff or admin for a store's lists)."`
	PageSize int           `name:"page-size" default:"100" help:"Rows per page (aforrod clamps at 100)."`
	Want     int           `default:"-1" help:"Fail unless the walk reads exactly this many rows (-1: any)."`
	MaxRows  int           `name:"max-rows" default:"0" help:"Stop after the page that reaches this many rows (0: walk to the end); --want is then not checked."`
	Timeout  time.Duration `default:"30s" help:"Longest wait for one page."`
}

func main() {
	var cli CLI
	kong.Parse(&cli, kong.Description("Walk a whole aforrod list by cursor and time it."))
	if err := run(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "cursorwalk:", err)
		os.Exit(1)
	}
}

// page is what the walk reads of a list answer: the rows' ids and the cursor.
type page struct {
	Results    []json.RawMessage `json:"results"`
	NextCursor *string           `json:"next_cursor"`
}

func run(ctx context.Context, cli CLI) error {
	base, err := url.Parse(cli.URL)
	if err != nil {
		return fmt.Errorf("parse %q: %w", cli.URL, err)
	}
	hc := &http.Client{Timeout: cli.Timeout}
	seen := map[string]bool{}
	var times []time.Duration
	cursor := ""
	stopped := false // at --max-rows, before the end
	start := time.Now()
	for {
		u := *base
		q := u.Query()
		q.Set("page_size", strconv.Itoa(cli.PageSize))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u.RawQuery = q.Encode()
		t0 := time.Now()
		p, err := get(ctx, hc, u.String(), cli.Token)
		if err != nil {
			return fmt.Errorf("page %d: %w", len(times)+1, err)
		}
		times = append(times, time.Since(t0))
		for _, r := range p.Results {
			k := rowKey(r)
			if seen[k] {
				return fmt.Errorf("page %d: row %s again, after %d rows", len(times), k, len(seen))
			}
			seen[k] = true
		}
		if p.NextCursor == nil {
			break
		}
		if cli.MaxRows > 0 && len(seen) >= cli.MaxRows {
			stopped = true
			break
		}
		if len(p.Results) == 0 {
			return fmt.Errorf("page %d: no rows, yet a next_cursor", len(times))
		}
		cursor = *p.NextCursor
	}
	took := time.Since(start)
	if cli.Want >= 0 && !stopped && len(seen) != cli.Want {
		return fmt.Errorf("read %d rows in %d pages, want %d", len(seen), len(times), cli.Want)
	}
	slices.Sort(times)
	end := "end"
	if stopped {
		end = "stopped"
	}
	fmt.Printf("rows=%d pages=%d seconds=%.2f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f %s\n", len(seen), len(times),
		took.Seconds(), ms(quantile(times, 0.50)), ms(quantile(times, 0.99)), ms(times[len(times)-1]), end)
	return nil
}

// get reads one page; anything but 200 is an error carrying the answer.
func get(ctx context.Context, hc *http.Client, u, token string) (page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return page{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return page{}, fmt.Errorf("GET %s: %s: %.300s", u, resp.Status, body)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return page{}, fmt.Errorf("GET %s: %w", u, err)
	}
	return p, nil
}

// rowKey names a row by its id, or by its whole text for a row without
// one (a daily summary: a store and a date).
func rowKey(r json.RawMessage) string {
	var v struct {
		ID *int64 `json:"id"`
	}
	if json.Unmarshal(r, &v) == nil && v.ID != nil {
		return "id " + strconv.FormatInt(*v.ID, 10)
	}
	return string(r)
}

// quantile returns the q-quantile of sorted, nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
