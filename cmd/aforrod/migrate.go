package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/internal/human"
)

// MigrateCmd applies migrations, or lists them with `status`.
type MigrateCmd struct {
	Up     MigrateUpCmd     `cmd:"" default:"withargs" help:"Apply every pending migration (what a bare \"aforrod migrate\" does)."`
	Status MigrateStatusCmd `cmd:"" help:"List the migrations and which are applied."`
}

// MigrateUpCmd is `aforrod migrate`.
type MigrateUpCmd struct {
	Wait time.Duration `name:"wait" env:"AFORRO_MIGRATE_WAIT" default:"60s" help:"Keep trying this long while PostgreSQL cannot be reached, as when it starts beside this in a container; 0 tries once."`
}

// Run applies every pending migration.
func (c MigrateUpCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	if err := migrateWaiting(ctx, g.DatabaseURL, c.Wait, log); err != nil {
		return err
	}
	st, err := db.Status(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "database is at schema version %d\n", current(st))
	return nil
}

// migrateRetryEvery is the pause between attempts to reach PostgreSQL.
const migrateRetryEvery = time.Second

// migrateWaiting runs db.Migrate, trying again while PostgreSQL cannot be
// reached (not yet listening, still starting up) for up to wait, and saying
// so at each attempt: under docker compose on an empty volume the database
// may come up after migrate starts. Any other failure, a failed migration
// included, is returned at once.
func migrateWaiting(ctx context.Context, url string, wait time.Duration, log *slog.Logger) error {
	deadline := time.Now().Add(wait)
	for attempt := 1; ; attempt++ {
		err := db.Migrate(ctx, url)
		if err == nil || !db.IsConnError(err) {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			if wait <= 0 {
				return err
			}
			return fmt.Errorf("gave up after %s and %s: %w", wait, human.Plural(attempt, "attempt", "attempts"), err)
		}
		log.Warn("PostgreSQL cannot be reached yet; trying again", "attempt", attempt,
			"gives_up_in", left.Round(time.Second).String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return err
		case <-time.After(min(migrateRetryEvery, left)):
		}
	}
}

// MigrateStatusCmd is `aforrod migrate status`.
type MigrateStatusCmd struct{}

// Run prints one line per migration.
func (MigrateStatusCmd) Run(ctx context.Context, g *Globals) error {
	st, err := db.Status(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATUS")
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, state)
	}
	return tw.Flush()
}

func current(st []db.MigrationStatus) int32 {
	var v int32
	for _, m := range st {
		if m.Applied {
			v = m.Version
		}
	}
	return v
}
