// Command aforrobench-lookup loads GET /api/products/lookup/ (issue 17): it
// samples codes from a seeded catalogue (EAN-13s, the same in their GTIN-14
// form, SKUs in another case, and codes that name nothing: a wrong check
// digit, an unknown in-house code), serves aforrod's handler in this
// process, replays the codes from N concurrent clients, and reports
// requests per second and latency percentiles as the clients saw them and
// as the handler took them. Seed first, for example:
//
//	aforrod seed --products 1000000 --stores 100
//	aforrobench-lookup --clients 1,16 --duration 20s
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/internal/loadtest"
	"github.com/aforro/aforro/server"
)

// CLI is aforrobench-lookup's configuration.
type CLI struct {
	DatabaseURL string        `name:"database-url" env:"AFORRO_DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/aforro?sslmode=disable" help:"A seeded database (read only)."`
	Clients     []int         `default:"1,16" help:"Concurrent clients, one run each."`
	Duration    time.Duration `default:"20s" help:"Length of each measured run."`
	Warmup      time.Duration `default:"5s" help:"Unmeasured load before the first run."`
	Codes       int           `default:"20000" help:"Distinct codes sampled."`
	Seed        uint64        `default:"1" help:"Random seed of the sample."`
}

func main() {
	var cli CLI
	kong.Parse(&cli, kong.Description("Aforro lookup-by-code load driver."))
	if err := run(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "aforrobench-lookup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cli CLI) error {
	d, err := db.Open(ctx, cli.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	codes, err := sampleCodes(ctx, d, cli.Codes, cli.Seed)
	if err != nil {
		return err
	}
	api := server.New(server.DefaultConfig(), d, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer api.Close()
	rec := &loadtest.Recorder{}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	base, err := loadtest.ServeHandler(sctx, rec.Wrap(api.Handler()))
	if err != nil {
		return err
	}
	var products int64
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM products`).Scan(&products); err != nil {
		return fmt.Errorf("count products: %w", err)
	}
	fmt.Printf("catalogue: %d products; %d codes sampled (seed %d)\n", products, len(codes), cli.Seed)
	fmt.Printf("%7s %8s %9s | %-26s | %s\n", "clients", "requests", "req/s", "server p50 / p95 / p99", "client p50 / p95 / p99")
	load(ctx, base, codes, max(1, slices.Max(cli.Clients)), cli.Warmup)
	for _, n := range cli.Clients {
		rec.Take()
		res := load(ctx, base, codes, n, cli.Duration)
		if res.Failed > 0 {
			return fmt.Errorf("%d clients: %d requests failed (first: %s)", n, res.Failed, res.FirstErr)
		}
		fmt.Printf("%7d %8d %9.0f | %-26s | %s\n", n, len(res.Latencies), res.Rate, loadtest.Percentiles(loadtest.Durations(rec.Take())), loadtest.Percentiles(res.Latencies))
	}
	return nil
}

// sampleCodes draws n codes from random products: 50% a barcode as stored,
// 15% its GTIN-14 form, 20% a SKU in lower case, 15% a code that names
// nothing (the barcode with a wrong check digit, or an unknown in-house
// code), as a counter sees misreads and foreign labels.
func sampleCodes(ctx context.Context, d *db.DB, n int, seed uint64) ([]string, error) {
	var maxID int64
	if err := d.Pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM products`).Scan(&maxID); err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	if maxID == 0 {
		return nil, fmt.Errorf("the database has no products: seed it first")
	}
	r := rand.New(rand.NewPCG(seed, seed^0xc0de))
	ids := make([]int64, 2*n)
	for i := range ids {
		ids[i] = 1 + r.Int64N(maxID)
	}
	rows, err := d.Pool.Query(ctx, `SELECT sku, barcodes FROM products WHERE id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	var codes []string
	for rows.Next() && len(codes) < n {
		var sku *string
		var barcodes []string
		if err := rows.Scan(&sku, &barcodes); err != nil {
			return nil, fmt.Errorf("sample: %w", err)
		}
		if len(barcodes) == 0 || sku == nil {
			continue
		}
		b := barcodes[0]
		switch x := r.IntN(100); {
		case x < 50:
			codes = append(codes, b)
		case x < 65:
			if k, ok := aforro.BarcodeKey(b); ok {
				codes = append(codes, k)
			}
		case x < 85:
			codes = append(codes, strings.ToLower(*sku))
		case x < 93:
			last := (b[len(b)-1]-'0'+1)%10 + '0'
			codes = append(codes, b[:len(b)-1]+string(last))
		default:
			codes = append(codes, fmt.Sprintf("SHELF-%d", r.IntN(1_000_000)))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	r.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
	return codes, nil
}

func load(ctx context.Context, base string, codes []string, n int, dur time.Duration) loadtest.Result {
	return loadtest.Run(n, dur, func(c *loadtest.Client) {
		i := rand.IntN(len(codes))
		for c.Running() {
			code := codes[(i+c.ID)%len(codes)]
			i++
			_ = c.Time(func() error {
				return loadtest.Get(ctx, c.HTTP, base+"/api/products/lookup/?code="+url.QueryEscape(code), "")
			})
		}
	})
}
