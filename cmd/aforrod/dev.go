package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/seed"
	"github.com/aforro/aforro/internal/human"
)

// DevCmd is `aforrod dev`: one command from a fresh clone to a running
// server. It starts a private PostgreSQL and Redis when none answer, migrates,
// seeds an empty database with `aforrod seed`'s defaults, makes an admin
// token (kept across restarts) and serves.
type DevCmd struct {
	ServeCmd

	DataDir  string `name:"data-dir" env:"AFORRO_DEV_DATA_DIR" default:".aforro" help:"Where a private PostgreSQL and Redis keep their files."`
	NewToken bool   `name:"new-token" help:"Revoke the dev admin token and print a new one (it is otherwise kept across restarts and printed only when made)."`
}

// Run prepares the services and the database, then serves until ctx is
// cancelled (SIGINT/SIGTERM) and stops what it started.
func (c *DevCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	dbURL, redisURL, stop, err := ensureServices(ctx, g.DatabaseURL, c.RedisURL, c.DataDir, g.stdout, log)
	defer stop()
	if err != nil {
		return err
	}
	g.DatabaseURL, c.RedisURL = dbURL, redisURL
	if err := db.Migrate(ctx, g.DatabaseURL); err != nil {
		return err
	}
	if err := withDB(ctx, g, func(d *db.DB) error {
		if err := seedIfEmpty(ctx, d, g, log); err != nil {
			return err
		}
		return devToken(ctx, d, g, c.NewToken)
	}); err != nil {
		return err
	}
	return c.ServeCmd.Run(ctx, g, log)
}

// devTokenName names the admin token dev makes.
const devTokenName = "aforrod dev"

// devToken makes sure the database has a live dev admin token, printing its
// secret only when it makes one: the first start on a database, after the
// token was revoked (aforrod token revoke), or with fresh (--new-token),
// which revokes the old one first. Otherwise it keeps the token a developer
// logged in with and says which it is, so restarts need no new login. The
// secret is never stored, so it cannot be printed twice.
func devToken(ctx context.Context, d *db.DB, g *Globals, fresh bool) error {
	toks, err := d.ListTokens(ctx)
	if err != nil {
		return err
	}
	var live *aforro.Token
	for i, t := range toks {
		if t.Name != devTokenName || t.RevokedAt != nil || t.Role != aforro.RoleAdmin {
			continue
		}
		if fresh {
			if err := d.RevokeToken(ctx, t.ID); err != nil {
				return err
			}
			continue
		}
		live = &toks[i] // ListTokens is by id: the newest wins
	}
	if live != nil {
		fmt.Fprintf(g.stdout, "admin token %d (made %s) kept from an earlier start, not shown again; aforrod dev --new-token replaces it\n",
			live.ID, human.Time(live.CreatedAt))
		return nil
	}
	tok, secret, err := d.CreateToken(ctx, devTokenName, aforro.RoleAdmin, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "admin token %d, shown only now (restarts keep it; aforrod dev --new-token replaces it):\n  export AFORRO_TOKEN=%s\n",
		tok.ID, secret)
	return nil
}

// seedIfEmpty fills an empty database with the default sample data and
// leaves one holding anything alone: dev never replaces a developer's data.
func seedIfEmpty(ctx context.Context, d *db.DB, g *Globals, log *slog.Logger) error {
	empty, err := seed.IsEmpty(ctx, d)
	if err != nil || !empty {
		return err
	}
	opts := seed.DefaultOptions()
	opts.Progress = terminal(g.stderr)
	start := time.Now()
	res, err := seed.Run(ctx, d, opts)
	if err != nil {
		return fmt.Errorf("seed the empty database: %w", err)
	}
	took := time.Since(start).Round(time.Millisecond)
	log.Debug("seeded the empty database", "took", took.String())
	fmt.Fprintf(g.stdout, "seeded the empty database with %d categories, %d products, %d stores and %d inventory rows in %s\n",
		res.Categories, res.Products, res.Stores, res.Inventory, took)
	return nil
}
