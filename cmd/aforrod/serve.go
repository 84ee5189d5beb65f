package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/server"
)

// ServeCmd runs the HTTP server.
type ServeCmd struct {
	RedisURL string `name:"redis-url" env:"AFORRO_REDIS_URL" default:"redis://127.0.0.1:6379/0" help:"Redis URL (rate limits, jobs leader lock)."`
	Addr     string `name:"addr" env:"AFORRO_ADDR" default:"127.0.0.1:8000" help:"Address to listen on."`
	LowStock int    `name:"low-stock" env:"AFORRO_LOW_STOCK" default:"5" help:"Stock at or below this is low."`
}

// Validate checks the settings before anything starts.
func (c *ServeCmd) Validate() error {
	if c.LowStock < 0 {
		return fmt.Errorf("--low-stock must be >= 0")
	}
	if _, err := redis.ParseURL(c.RedisURL); err != nil {
		return fmt.Errorf("--redis-url: %w", err)
	}
	return nil
}

// Run serves until ctx is cancelled (SIGINT/SIGTERM), then drains in-flight
// requests.
func (c *ServeCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	d, err := db.Open(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	opts, _ := redis.ParseURL(c.RedisURL) // checked in Validate
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Warn("Redis is unreachable; serving without it", "redis", c.RedisURL, "error", err)
	}
	cfg := server.DefaultConfig()
	cfg.LowStock = c.LowStock
	return server.New(cfg, d, rdb, log).ListenAndServe(ctx, c.Addr)
}
