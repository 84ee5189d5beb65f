package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/internal/human"
)

// TokenCmd manages API tokens.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create a token and print its secret once, on the last line of stdout."`
	List   TokenListCmd   `cmd:"" help:"List tokens (secrets are never shown: only their hashes are stored)."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke a token by id; it stops working at once."`
}

// TokenCreateCmd is `aforrod token create`.
type TokenCreateCmd struct {
	Name  string  `required:"" help:"What the token is for, e.g. \"till 3, Lisbon\"."`
	Role  string  `required:"" enum:"admin,staff" help:"admin (everything) or staff (orders, inventory, summaries)."`
	Store []int64 `name:"store" help:"Limit a staff token to this store (repeatable); none means every store."`
}

// Run creates the token.
func (c *TokenCreateCmd) Run(ctx context.Context, g *Globals) error {
	return withDB(ctx, g, func(d *db.DB) error {
		t, secret, err := d.CreateToken(ctx, c.Name, c.Role, c.Store)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "created %s token %d %q (%s); keep the secret below, it is not shown again:\n%s\n",
			t.Role, t.ID, t.Name, storesText(t.Stores), secret)
		return nil
	})
}

// TokenListCmd is `aforrod token list`.
type TokenListCmd struct{}

// Run lists the tokens.
func (TokenListCmd) Run(ctx context.Context, g *Globals) error {
	return withDB(ctx, g, func(d *db.DB) error {
		toks, err := d.ListTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTORES\tCREATED\tLAST USED\tREVOKED")
		for _, t := range toks {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, storesText(t.Stores),
				human.Time(t.CreatedAt), timeText(t.LastUsedAt), timeText(t.RevokedAt))
		}
		return tw.Flush()
	})
}

// TokenRevokeCmd is `aforrod token revoke ID`.
type TokenRevokeCmd struct {
	ID int64 `arg:"" help:"Token id (see token list)."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(ctx context.Context, g *Globals) error {
	return withDB(ctx, g, func(d *db.DB) error {
		if err := d.RevokeToken(ctx, c.ID); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "revoked token %d\n", c.ID)
		return nil
	})
}

// withDB opens the database for one command.
func withDB(ctx context.Context, g *Globals, fn func(*db.DB) error) error {
	d, err := db.Open(ctx, g.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(d)
}

func storesText(stores []int64) string {
	if len(stores) == 0 {
		return "all stores"
	}
	s := make([]string, len(stores))
	for i, id := range stores {
		s[i] = fmt.Sprint(id)
	}
	return "stores " + strings.Join(s, ",")
}

func timeText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return human.Time(*t)
}
