package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"

	"github.com/aforro/aforro/db"
)

// MigrateCmd applies migrations, or lists them with `status`.
type MigrateCmd struct {
	Up     MigrateUpCmd     `cmd:"" default:"1" help:"Apply every pending migration (what a bare \"aforrod migrate\" does)."`
	Status MigrateStatusCmd `cmd:"" help:"List the migrations and which are applied."`
}

// MigrateUpCmd is `aforrod migrate`.
type MigrateUpCmd struct{}

// Run applies every pending migration.
func (MigrateUpCmd) Run(ctx context.Context, g *Globals, log *slog.Logger) error {
	if err := db.Migrate(ctx, g.DatabaseURL); err != nil {
		return err
	}
	st, err := db.Status(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "database is at schema version %d\n", current(st))
	return nil
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
