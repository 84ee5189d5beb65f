// Command aforrobench-search is the search and autocomplete load driver. It
// samples realistic queries from a seeded catalogue (one word, two words,
// words being typed, typos, filtered searches), serves aforrod's handler in
// this process with the autocomplete rate limit raised out of the way,
// replays the queries from N concurrent clients, and reports requests per
// second and latency percentiles, measured both inside the server (the
// handler's own time) and by the clients. Seed first, for example:
//
//	aforrod seed --products 1000000 --stores 100 --reset
//	aforrobench-search --clients 1,16,32 --duration 20s
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/kong"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/internal/loadtest"
	"github.com/aforro/aforro/server"
)

// CLI is aforrobench-search's configuration.
type CLI struct {
	DatabaseURL string        `name:"database-url" env:"AFORRO_DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/aforro?sslmode=disable" help:"A seeded database (read only)."`
	RedisURL    string        `name:"redis-url" env:"AFORRO_REDIS_URL" default:"redis://127.0.0.1:6379/0" help:"Redis for the rate limiter, as aforrod uses it (empty: none)."`
	Endpoints   []string      `default:"suggest,search" enum:"suggest,search" help:"Endpoints to load, one run each."`
	Clients     []int         `default:"1,16,32" help:"Concurrent clients, one run each."`
	Duration    time.Duration `default:"20s" help:"Length of each measured run."`
	Warmup      time.Duration `default:"5s" help:"Unmeasured load before each run's first client count."`
	Queries     int           `default:"5000" help:"Distinct queries sampled per endpoint."`
	Seed        uint64        `default:"1" help:"Random seed of the query sample."`
	List        bool          `help:"Print the sampled queries (kind and path) and exit."`
	Slowest     int           `default:"0" help:"After each run, list this many of its slowest requests (server time) with their paths."`
}

func main() {
	var cli CLI
	kong.Parse(&cli, kong.Description("Aforro search and autocomplete load driver."))
	if err := run(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "aforrobench-search:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cli CLI) error {
	d, err := db.Open(ctx, cli.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	var rdb *redis.Client
	if cli.RedisURL != "" {
		opts, err := redis.ParseURL(cli.RedisURL)
		if err != nil {
			return fmt.Errorf("--redis-url: %w", err)
		}
		rdb = redis.NewClient(opts)
		defer rdb.Close()
	}
	cat, err := sampleCatalogue(ctx, d, cli.Queries, cli.Seed)
	if err != nil {
		return err
	}
	if cli.List {
		for _, ep := range cli.Endpoints {
			for _, q := range map[string][]query{"suggest": cat.suggest, "search": cat.search}[ep] {
				fmt.Printf("%s\t%s\t%s\n", ep, q.kind, q.path)
			}
		}
		return nil
	}
	cfg := server.DefaultConfig()
	// The limiter still runs (a Redis round trip per suggest, as in
	// production) but never refuses.
	cfg.SuggestLimit = 1 << 30
	cfg.RateLimitPrefix = fmt.Sprintf("bench:%d:", time.Now().UnixNano())
	api := server.New(cfg, d, rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	fmt.Printf("catalogue: %d products; %d suggest and %d search queries sampled (seed %d)\n",
		products, len(cat.suggest), len(cat.search), cli.Seed)
	fmt.Printf("%-8s %7s %8s %9s | %-26s | %-26s | %s\n", "endpoint", "clients", "requests", "req/s",
		"server p50 / p95 / p99", "client p50 / p95 / p99", "server p99 by kind")
	for _, ep := range cli.Endpoints {
		qs := map[string][]query{"suggest": cat.suggest, "search": cat.search}[ep]
		load(ctx, base, qs, max(1, slices.Max(cli.Clients)), cli.Warmup) // warm caches and plans
		for _, n := range cli.Clients {
			rec.Take()
			res := load(ctx, base, qs, n, cli.Duration)
			if res.Failed > 0 {
				return fmt.Errorf("%s with %d clients: %d requests failed (first: %s)", ep, n, res.Failed, res.FirstErr)
			}
			srv := rec.Take()
			fmt.Printf("%-8s %7d %8d %9.0f | %-26s | %-26s | %s\n", ep, n, len(res.Latencies), res.Rate,
				loadtest.Percentiles(loadtest.Durations(srv)), loadtest.Percentiles(res.Latencies), byKind(srv))
			for _, s := range slowest(srv, cli.Slowest) {
				fmt.Printf("    %8s  %-8s %s\n", loadtest.Millis(s.D), s.Kind, s.Path)
			}
		}
	}
	return nil
}

// query is one request of the mix: a path and the kind it stands for.
type query struct {
	path, kind string
}

// catalogue is the sampled query mix of each endpoint.
type catalogue struct {
	suggest, search []query
}

// sampleCatalogue draws n queries per endpoint from random products, so the
// words follow the catalogue's own frequencies: common words come up often,
// as they do in real traffic. Suggest: 60% a prefix of a title word, 20% a
// word and the start of the next, 20% a misspelt word. Search: 35% one
// word, 20% two words, 10% a word being typed, 15% a misspelt word, 20% a
// word with a filter or sort (category, price range, store stock, price or
// newest order).
func sampleCatalogue(ctx context.Context, d *db.DB, n int, seed uint64) (catalogue, error) {
	var maxID int64
	var stores []int64
	if err := d.Pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM products`).Scan(&maxID); err != nil {
		return catalogue{}, fmt.Errorf("sample: %w", err)
	}
	if err := d.Pool.QueryRow(ctx, `SELECT coalesce(array_agg(id), '{}') FROM stores`).Scan(&stores); err != nil {
		return catalogue{}, fmt.Errorf("sample: %w", err)
	}
	if maxID == 0 || len(stores) == 0 {
		return catalogue{}, fmt.Errorf("the database has no products or stores: seed it first")
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	ids := make([]int64, 2*n)
	for i := range ids {
		ids[i] = 1 + r.Int64N(maxID)
	}
	rows, err := d.Pool.Query(ctx, `SELECT title, category_id, price::float8 FROM products WHERE id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return catalogue{}, fmt.Errorf("sample: %w", err)
	}
	type product struct {
		words    []string
		category int64
		price    float64
	}
	var ps []product
	for rows.Next() {
		var title string
		var p product
		if err := rows.Scan(&title, &p.category, &p.price); err != nil {
			return catalogue{}, fmt.Errorf("sample: %w", err)
		}
		for _, w := range strings.FieldsFunc(title, func(c rune) bool { return !unicode.IsLetter(c) }) {
			if utf8.RuneCountInString(w) >= 3 {
				p.words = append(p.words, strings.ToLower(w))
			}
		}
		if len(p.words) > 0 {
			ps = append(ps, p)
		}
	}
	if err := rows.Err(); err != nil {
		return catalogue{}, fmt.Errorf("sample: %w", err)
	}
	var c catalogue
	for len(c.suggest) < n || len(c.search) < n {
		p := ps[r.IntN(len(ps))]
		w := p.words[r.IntN(len(p.words))]
		i := slices.Index(p.words, w)
		runes := utf8.RuneCountInString(w)
		if len(c.suggest) < n {
			switch u := r.Float64(); {
			case u < 0.6:
				c.suggest = append(c.suggest, suggestQuery("prefix", prefix(w, 3+r.IntN(min(runes, 8)-2))))
			case u < 0.8 && i+1 < len(p.words):
				next := p.words[i+1]
				c.suggest = append(c.suggest, suggestQuery("two-word", w+" "+prefix(next, 1+r.IntN(utf8.RuneCountInString(next)))))
			case u >= 0.8 && runes >= 5:
				c.suggest = append(c.suggest, suggestQuery("typo", typo(r, w)))
			}
		}
		if len(c.search) < n {
			switch u := r.Float64(); {
			case u < 0.35:
				c.search = append(c.search, searchQuery("one-word", w, ""))
			case u < 0.55 && len(p.words) > 1:
				other := p.words[(i+1+r.IntN(len(p.words)-1))%len(p.words)]
				c.search = append(c.search, searchQuery("two-word", w+" "+other, ""))
			case u >= 0.55 && u < 0.65 && runes >= 5:
				c.search = append(c.search, searchQuery("prefix", prefix(w, 3+r.IntN(runes-3)), ""))
			case u >= 0.65 && u < 0.8 && runes >= 5:
				c.search = append(c.search, searchQuery("typo", typo(r, w), ""))
			case u >= 0.8:
				var f string
				switch r.IntN(5) {
				case 0:
					f = fmt.Sprintf("category=%d", p.category)
				case 1:
					f = fmt.Sprintf("min_price=%.2f&max_price=%.2f", p.price*0.5, p.price*1.5)
				case 2:
					f = fmt.Sprintf("store_id=%d&in_stock=true", stores[r.IntN(len(stores))])
				case 3:
					f = "sort=price_asc"
				default:
					f = "sort=newest"
				}
				c.search = append(c.search, searchQuery("filtered", w, f))
			}
		}
	}
	return c, nil
}

func suggestQuery(kind, q string) query {
	return query{path: "/api/search/suggest/?q=" + url.QueryEscape(q), kind: kind}
}

func searchQuery(kind, q, filter string) query {
	p := "/api/search/products/?q=" + url.QueryEscape(q)
	if filter != "" {
		p += "&" + filter
	}
	return query{path: p, kind: kind}
}

// typo makes one typing mistake in w: two letters swapped, one replaced,
// one dropped or one doubled.
func typo(r *rand.Rand, w string) string {
	b := []rune(w)
	i := 1 + r.IntN(len(b)-2)
	switch r.IntN(4) {
	case 0:
		b[i], b[i+1] = b[i+1], b[i]
	case 1:
		b[i] = rune('a' + r.IntN(26))
	case 2:
		b = append(b[:i], b[i+1:]...)
	default:
		b = append(b[:i+1], b[i:]...)
	}
	return string(b)
}

// prefix returns the first n runes of w.
func prefix(w string, n int) string { return string([]rune(w)[:n]) }

// load replays qs from n clients for dur, each client starting at a random
// place in the list.
func load(ctx context.Context, base string, qs []query, n int, dur time.Duration) loadtest.Result {
	return loadtest.Run(n, dur, func(c *loadtest.Client) {
		i := rand.IntN(len(qs))
		for c.Running() {
			q := qs[(i+c.ID)%len(qs)]
			i++
			_ = c.Time(func() error { return loadtest.Get(ctx, c.HTTP, base+q.path, q.kind) })
		}
	})
}

// slowest returns the n slowest of ss, slowest first.
func slowest(ss []loadtest.Sample, n int) []loadtest.Sample {
	if n <= 0 {
		return nil
	}
	s := slices.Clone(ss)
	slices.SortFunc(s, func(a, b loadtest.Sample) int { return cmp.Compare(b.D, a.D) })
	return s[:min(n, len(s))]
}

// byKind formats the p99 of each kind of query.
func byKind(ss []loadtest.Sample) string {
	m := map[string][]time.Duration{}
	for _, s := range ss {
		m[s.Kind] = append(m[s.Kind], s.D)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s := m[k]
		slices.Sort(s)
		parts = append(parts, k+" "+loadtest.Millis(loadtest.Percentile(s, 99)))
	}
	return strings.Join(parts, ", ")
}
