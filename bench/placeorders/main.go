// Command placeorders places orders through aforrod's API so that the order
// lists bench/reads.sh measures have rows: a seeded database has none, and
// orders only ever come through POST /api/orders/ (they deduct stock and
// write the ledger, which an INSERT would skip). Most go to one store, the
// one whose lists are measured, the rest to random stores. One in twenty
// asks for more than the shelf held and others meet a product at zero or
// sold out, so about a fifth are REJECTED, and a tenth of the orders are
// cancelled once confirmed, so every ?status= has rows. It speaks net/http
// only.
//
//	placeorders --token "$AFORRO_TOKEN" --store 1 http://127.0.0.1:8000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kong"
)

// CLI is placeorders' configuration.
type CLI struct {
	URL       string `arg:"" help:"aforrod's base URL, e.g. http://127.0.0.1:8000."`
	Token     string `env:"AFORRO_TOKEN" help:"Staff or admin token."`
	Store     int64  `default:"1" help:"The store that gets most orders."`
	Orders    int    `default:"2000" help:"Orders at --store."`
	Elsewhere int    `default:"1000" help:"Orders at random other stores."`
	Clients   int    `default:"4" help:"Orders placed at once."`
	Seed      uint64 `default:"1" help:"Random seed of the orders' stores, lines and quantities."`
}

func main() {
	var cli CLI
	kong.Parse(&cli, kong.Description("Place orders through aforrod's API for the read benchmarks."))
	if err := run(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "placeorders:", err)
		os.Exit(1)
	}
}

// stock is the part of a store's inventory the orders draw from.
type stock struct {
	ProductID int64 `json:"product_id"`
	Quantity  int   `json:"quantity"`
}

// api is the HTTP client of one run.
type api struct {
	hc          *http.Client
	base, token string
}

func run(ctx context.Context, cli CLI) error {
	a := api{hc: &http.Client{Timeout: 30 * time.Second}, base: cli.URL, token: cli.Token}
	var stores []struct {
		ID int64 `json:"id"`
	}
	if err := a.all(ctx, "/api/stores/", 1_000, &stores); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(cli.Seed, 14))
	// The stores of every order, decided up front so the run is repeatable.
	plan := make([]int64, 0, cli.Orders+cli.Elsewhere)
	for range cli.Orders {
		plan = append(plan, cli.Store)
	}
	for range cli.Elsewhere {
		plan = append(plan, stores[r.IntN(len(stores))].ID)
	}
	r.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })

	// 1,000 products of the main store (10 pages), 100 of each other one.
	shelves := map[int64][]stock{}
	for _, s := range plan {
		if shelves[s] != nil {
			continue
		}
		n := 100
		if s == cli.Store {
			n = 1_000
		}
		var rows []stock
		if err := a.all(ctx, "/api/stores/"+strconv.FormatInt(s, 10)+"/inventory/", n, &rows); err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("store %d stocks nothing to order", s)
		}
		shelves[s] = rows
	}

	var confirmed, rejected, cancelled atomic.Int64
	var mu sync.Mutex // guards r, the orders' shared random stream
	next := atomic.Int64{}
	errs := make(chan error, cli.Clients)
	start := time.Now()
	var wg sync.WaitGroup
	for range cli.Clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plan) {
					return
				}
				mu.Lock()
				body, cancel := order(r, plan[i], shelves[plan[i]])
				mu.Unlock()
				var o struct {
					ID     int64  `json:"id"`
					Status string `json:"status"`
				}
				if err := a.do(ctx, http.MethodPost, "/api/orders/", body, http.StatusCreated, &o); err != nil {
					errs <- err
					return
				}
				switch {
				case o.Status != "CONFIRMED":
					rejected.Add(1)
				case cancel:
					path := "/api/orders/" + strconv.FormatInt(o.ID, 10) + "/cancel/"
					if err := a.do(ctx, http.MethodPost, path, nil, http.StatusOK, nil); err != nil {
						errs <- err
						return
					}
					cancelled.Add(1)
				default:
					confirmed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("placed %d orders (%d at store %d) in %.1f s: %d confirmed, %d rejected, %d cancelled\n",
		len(plan), cli.Orders, cli.Store, time.Since(start).Seconds(), confirmed.Load(), rejected.Load(), cancelled.Load())
	return nil
}

// order draws one order of one to three lines at store and says whether to
// cancel it once placed (if it confirms). One order in twenty asks for more
// of a line than the store had when the run began, so it is rejected.
func order(r *rand.Rand, store int64, shelf []stock) ([]byte, bool) {
	type line struct {
		ProductID         int64 `json:"product_id"`
		QuantityRequested int   `json:"quantity_requested"`
	}
	var lines []line
	used := map[int64]bool{}
	greedy := r.IntN(20) == 0
	for range 1 + r.IntN(3) {
		s := shelf[r.IntN(len(shelf))]
		if used[s.ProductID] {
			continue
		}
		used[s.ProductID] = true
		q := 1 + r.IntN(2)
		if greedy {
			q, greedy = s.Quantity+1, false
		}
		lines = append(lines, line{s.ProductID, q})
	}
	body, _ := json.Marshal(struct {
		StoreID int64  `json:"store_id"`
		Items   []line `json:"items"`
	}{store, lines})
	return body, r.IntN(10) == 0
}

// all reads up to limit rows of a list, following next_cursor, into out (a
// pointer to a slice).
func (a api) all(ctx context.Context, path string, limit int, out any) error {
	var rows []json.RawMessage
	cursor := ""
	for len(rows) < limit {
		u := path + "?page_size=100"
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		var p struct {
			Results    []json.RawMessage `json:"results"`
			NextCursor *string           `json:"next_cursor"`
		}
		if err := a.do(ctx, http.MethodGet, u, nil, http.StatusOK, &p); err != nil {
			return err
		}
		rows = append(rows, p.Results...)
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	b, _ := json.Marshal(rows[:min(len(rows), limit)])
	return json.Unmarshal(b, out)
}

// do sends one request and decodes the answer into out (nil: discard it);
// a status other than want is an error carrying the answer.
func (a api) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}
