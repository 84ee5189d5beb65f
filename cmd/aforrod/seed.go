package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/seed"
)

// SeedCmd is `aforrod seed`: it fills the database with deterministic sample
// data.
type SeedCmd struct {
	Products   int    `name:"products" env:"AFORRO_SEED_PRODUCTS" default:"1200" help:"Number of products."`
	Stores     int    `name:"stores" env:"AFORRO_SEED_STORES" default:"25" help:"Number of stores; each stocks a random 20-30% of the products, at most 10,000 unless --dense."`
	Categories int    `name:"categories" env:"AFORRO_SEED_CATEGORIES" default:"15" help:"Number of categories (1-1000)."`
	Dense      bool   `name:"dense" env:"AFORRO_SEED_DENSE" help:"Lift the 10,000-product cap: every store stocks its full 20-30% of the products (1,000,000 products in 100 stores: about 25 million inventory rows and as many ledger rows, instead of 1 million)."`
	Seed       uint64 `name:"seed" env:"AFORRO_SEED" default:"1" help:"Random seed: the same seed on the same day gives the same data."`
	// No environment variable: a forgotten one would wipe data on every run.
	Reset bool `name:"reset" help:"Replace existing data: empty categories, products, stores, inventory, orders, the stock ledger, the outbox and the summaries first. API tokens are kept, but TRUNCATE ... CASCADE removes the store scopes of store-limited tokens, so those tokens are revoked."`
}

// Options returns the seed options the flags describe, anchored at the start
// of the current UTC day so a rerun on the same day gives identical rows.
// Progress is left nil; Run sets it.
func (c *SeedCmd) Options() seed.Options {
	return seed.Options{
		Categories: c.Categories,
		Products:   c.Products,
		Stores:     c.Stores,
		Dense:      c.Dense,
		Seed:       c.Seed,
		Reset:      c.Reset,
		Now:        time.Now().UTC().Truncate(24 * time.Hour),
	}
}

// Run migrates the database, seeds it and prints a one-line summary.
func (c *SeedCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	opts := c.Options()
	if err := opts.Validate(); err != nil {
		return err
	}
	opts.Progress = terminal(g.stderr)
	if err := db.Migrate(ctx, g.DatabaseURL); err != nil {
		return err
	}
	d, err := db.Open(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	res, err := seed.Run(ctx, d, opts)
	if err != nil {
		return err
	}
	took := time.Since(start).Round(time.Millisecond)
	log.Info("seeded the database", "categories", res.Categories, "products", res.Products,
		"stores", res.Stores, "inventory_rows", res.Inventory, "seed", opts.Seed, "took", took.String())
	fmt.Fprintf(g.stdout, "seeded %d categories, %d products, %d stores and %d inventory rows in %s\n",
		res.Categories, res.Products, res.Stores, res.Inventory, took)
	return nil
}

// terminal returns w when it is a terminal, so progress bars never end up in
// logs or pipes, and nil otherwise.
func terminal(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return w
	}
	return nil
}
