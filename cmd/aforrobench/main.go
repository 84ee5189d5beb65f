// Command aforrobench is the order load driver: it seeds a database, starts
// aforrod's HTTP server in this process (or targets one at --url), places
// orders from N concurrent clients, reports orders/s and latency percentiles,
// and checks the stock invariant afterwards.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kong"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/seed"
	"github.com/aforro/aforro/internal/loadtest"
	"github.com/aforro/aforro/server"
)

// CLI is aforrobench's configuration.
type CLI struct {
	DatabaseURL string        `name:"database-url" default:"postgres://postgres@127.0.0.1:5432/aforro_bench?sslmode=disable" help:"Database to seed and use (its data is replaced)."`
	URL         string        `name:"url" help:"Target a running aforrod at this URL instead of starting one in-process."`
	Token       string        `name:"token" env:"AFORRO_TOKEN" help:"Token for --url; in-process runs create their own."`
	Products    int           `default:"10000" help:"Products to seed."`
	Stores      int           `default:"20" help:"Stores to seed."`
	Clients     []int         `default:"1,16,64" help:"Concurrent clients, one run each."`
	Duration    time.Duration `default:"10s" help:"Length of each run."`
	Scenario    []string      `default:"random,hot" enum:"random,hot,transfers" help:"random: one random in-stock product of a random store per order; hot: one product of one store; transfers: orders and transfer ships racing for the same 8 products of one store."`
	NoSeed      bool          `name:"no-seed" help:"Reuse the database as it is."`
}

func main() {
	var cli CLI
	kong.Parse(&cli, kong.Description("Aforro order load driver."))
	if err := run(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "aforrobench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cli CLI) error {
	if err := db.Migrate(ctx, cli.DatabaseURL); err != nil {
		return err
	}
	d, err := db.Open(ctx, cli.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if !cli.NoSeed {
		opts := seed.DefaultOptions()
		opts.Products, opts.Stores, opts.Reset, opts.Now = cli.Products, cli.Stores, true, time.Now().UTC().Truncate(24*time.Hour)
		res, err := seed.Run(ctx, d, opts)
		if err != nil {
			return err
		}
		fmt.Printf("seeded %d products, %d stores, %d inventory rows\n", res.Products, res.Stores, res.Inventory)
	}
	base, token := cli.URL, cli.Token
	if base == "" {
		if _, token, err = d.CreateToken(ctx, "aforrobench", aforro.RoleAdmin, nil); err != nil {
			return err
		}
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		srv := server.New(server.DefaultConfig(), d, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if base, err = loadtest.Serve(sctx, srv.Serve); err != nil {
			return err
		}
	}

	rows, err := stockedRows(ctx, d)
	if err != nil {
		return err
	}
	header := false
	for _, sc := range cli.Scenario {
		if sc == "transfers" {
			if err := runTransfers(ctx, d, base, token, cli); err != nil {
				return err
			}
			continue
		}
		if !header {
			fmt.Printf("%-8s %7s %9s %8s %8s %8s %9s %9s\n", "scenario", "clients", "orders/s", "p50", "p95", "p99", "confirmed", "rejected")
			header = true
		}
		for _, n := range cli.Clients {
			pick := func(r *rand.Rand) [2]int64 { return rows[r.IntN(len(rows))] }
			if sc == "hot" {
				hot := rows[0]
				// Enough stock that every order confirms: this measures lock queuing.
				if _, err := d.Pool.Exec(ctx, `UPDATE inventory SET quantity = quantity + 10000000 WHERE store_id = $1 AND product_id = $2`, hot[0], hot[1]); err != nil {
					return fmt.Errorf("stock the hot row: %w", err)
				}
				if _, err := d.Pool.Exec(ctx, `INSERT INTO stock_movements (store_id, product_id, delta, quantity_before, quantity_after, reason)
					SELECT store_id, product_id, 10000000, quantity - 10000000, quantity, 'restock' FROM inventory WHERE store_id = $1 AND product_id = $2`, hot[0], hot[1]); err != nil {
					return fmt.Errorf("ledger the hot row: %w", err)
				}
				pick = func(*rand.Rand) [2]int64 { return hot }
			}
			res := load(ctx, base, token, n, cli.Duration, pick)
			fmt.Printf("%-8s %7d %9.0f %8s %8s %8s %9d %9d\n", sc, n, res.Rate, res.p(50), res.p(95), res.p(99), res.confirmed, res.rejected)
			if res.Failed > 0 {
				return fmt.Errorf("%d orders failed (first: %s)", res.Failed, res.FirstErr)
			}
		}
	}
	return checkInvariant(ctx, d)
}

// stockedRows lists (store, product) pairs with stock, for random orders.
func stockedRows(ctx context.Context, d *db.DB) ([][2]int64, error) {
	rows, err := d.Pool.Query(ctx, `SELECT store_id, product_id FROM inventory WHERE quantity > 0 ORDER BY id LIMIT 200000`)
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var r [2]int64
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			return nil, fmt.Errorf("list stock: %w", err)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no stocked inventory rows to order from")
	}
	return out, rows.Err()
}

// result is a run's measurements and its orders' outcomes.
type result struct {
	loadtest.Result
	confirmed, rejected int64
}

func (r result) p(q int) string {
	if len(r.Latencies) == 0 {
		return "-"
	}
	return loadtest.Percentile(r.Latencies, q).Round(10 * time.Microsecond).String()
}

// load places one-line orders from n clients for dur.
func load(ctx context.Context, base, token string, n int, dur time.Duration, pick func(*rand.Rand) [2]int64) result {
	seed := uint64(time.Now().UnixNano())
	var confirmed, rejected atomic.Int64
	res := loadtest.Run(n, dur, func(c *loadtest.Client) {
		r := rand.New(rand.NewPCG(uint64(c.ID), seed))
		for c.Running() {
			row := pick(r)
			body, _ := json.Marshal(aforro.PlaceOrder{StoreID: row[0], Items: []aforro.OrderLine{{ProductID: row[1], QuantityRequested: 1}}})
			var status string
			err := c.Time(func() (err error) {
				status, err = place(ctx, c.HTTP, base, token, body)
				return err
			})
			switch {
			case err != nil: // Time counted it as failed
			case status == aforro.StatusConfirmed:
				confirmed.Add(1)
			default:
				rejected.Add(1)
			}
		}
	})
	return result{res, confirmed.Load(), rejected.Load()}
}

func place(ctx context.Context, hc *http.Client, base, token string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/orders/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var o struct{ Status string }
	if err := json.Unmarshal(b, &o); err != nil {
		return "", err
	}
	return o.Status, nil
}

// checkInvariant proves that no stock went negative, that every row's
// quantity equals the sum of its ledger, and that every product's
// stocked_stores (what in_stock searches read) are the stores with stock.
func checkInvariant(ctx context.Context, d *db.DB) error {
	// What the servers' background sync has not reached yet.
	if _, err := d.SyncStockedStores(ctx); err != nil {
		return err
	}
	var bad, negative, drift int
	err := d.Pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE i.quantity <> coalesce(m.s, 0)), count(*) FILTER (WHERE i.quantity < 0),
		       (SELECT count(*) FROM products p
		          LEFT JOIN (SELECT product_id, array_agg(store_id ORDER BY store_id) AS stores
		                       FROM inventory WHERE quantity > 0 GROUP BY product_id) s ON s.product_id = p.id
		         WHERE ARRAY(SELECT x FROM unnest(p.stocked_stores) AS x ORDER BY x) IS DISTINCT FROM coalesce(s.stores, '{}'))
		  FROM inventory i
		  LEFT JOIN (SELECT store_id, product_id, sum(delta) AS s FROM stock_movements GROUP BY 1, 2) m
		 USING (store_id, product_id)`).Scan(&bad, &negative, &drift)
	if err != nil {
		return fmt.Errorf("check invariant: %w", err)
	}
	if bad != 0 || negative != 0 || drift != 0 {
		return fmt.Errorf("invariant broken: %d rows disagree with their ledger, %d negative, %d products' stores with stock wrong",
			bad, negative, drift)
	}
	fmt.Println("invariant holds: every quantity equals its ledger sum; none negative; stores with stock match")
	return nil
}
