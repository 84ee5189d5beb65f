package main

import (
	"context"
	"io"

	"github.com/alecthomas/kong"

	"github.com/aforro/aforro/client"
)

// Settings defaults.
const (
	defaultServer = "http://127.0.0.1:8000"
	envServer     = "AFORRO_URL"
	envToken      = "AFORRO_TOKEN"
)

// Globals are the flags every command takes. Server and token fall back to
// the environment, then the config file, then the default (see
// resolveSettings); they are not read with kong's env tags so that run sees
// only the environment it is given.
type Globals struct {
	Server string `placeholder:"URL" help:"Aforro server URL (env AFORRO_URL, then the config file; default http://127.0.0.1:8000)."`
	Token  string `placeholder:"TOKEN" help:"API token (env AFORRO_TOKEN, then the config file)."`
	Output string `short:"o" enum:"table,json,csv" default:"table" placeholder:"table|json|csv" help:"Output format: table for people, json for scripts (exactly the API's JSON), csv for the list commands (a header line, then one row per line)."`

	Version kong.VersionFlag `help:"Print the version, commit and Go version, then exit."`
}

// CLI is aforroctl's command tree: one command group per resource, each with
// its operations, so new resources and operations slot in beside these.
type CLI struct {
	Globals

	Login      LoginCmd      `cmd:"" help:"Check a token against the server and save it, with the server URL, in the config file."`
	Logout     LogoutCmd     `cmd:"" help:"Remove the saved token from the config file."`
	Stores     StoresCmd     `cmd:"" help:"List, show and (admin) change stores."`
	Categories CategoriesCmd `cmd:"" help:"List, show and (admin) change product categories."`
	Products   ProductsCmd   `cmd:"" help:"List, show and (admin) change products."`
	Search     SearchCmd     `cmd:"" help:"Search products by words, category, price and a store's stock."`
	Suggest    SuggestCmd    `cmd:"" help:"Complete a product title (autocomplete)."`
	Inventory  InventoryCmd  `cmd:"" help:"Show and change a store's stock (staff token)."`
	Orders     OrdersCmd     `cmd:"" help:"Place, list, show and cancel orders (staff token)."`
	Transfers  TransfersCmd  `cmd:"" help:"Move stock between stores: create, ship, receive, cancel, list, show (staff token)."`
	Summary    SummaryCmd    `cmd:"" help:"Show the daily inventory and order summaries (staff token); run one now (admin)."`
	Jobs       JobsCmd       `cmd:"" help:"Show the background jobs: leader, runs, order emails (admin token)."`
	Webhooks   WebhooksCmd   `cmd:"" help:"Register webhook endpoints and see their deliveries (admin token)."`
	Health     HealthCmd     `cmd:"" help:"Check that the server is alive and ready."`
	TUI        TUICmd        `cmd:"" name:"tui" help:"The terminal UI for store staff: inventory, search, orders, summary (staff token)."`
	Completion CompletionCmd `cmd:"" help:"Print the shell code for tab completion: bash, zsh or fish."`
}

// Help is shown under the usage of "aforroctl --help".
func (CLI) Help() string {
	return `Settings come from flags, then the environment (AFORRO_URL, AFORRO_TOKEN),
then the config file written by "aforroctl login" (aforro/config.json in the user
config directory, $XDG_CONFIG_HOME on Linux), then defaults.

Exit codes: 0 success, 1 the server answered with an error (its sentence is
printed on stderr), 2 usage error, 3 the server cannot be reached.

Examples:

    aforroctl login --server https://aforro.example.com --token afr_...
    aforroctl stores list
    aforroctl products list --category 3 -o json | jq '.results[].title'
    aforroctl search gaming laptop --store 1 --in-stock
    aforroctl suggest lap
    aforroctl inventory list --store 1 --low-stock
    aforroctl inventory set --store 1 643 40 --reason "delivery 2211"
    aforroctl orders place --store 1 --item 643:2 --item 124:1
    aforroctl orders list --status rejected --all -o csv > rejected.csv
    aforroctl transfers create --from 1 --to 2 --line 643:10 --line 124:4
    aforroctl summary latest --store 1
    aforroctl products create --title "Mouse Pad" --price 5.50 --category 1
    aforroctl tui`
}

// app is what every command's Run receives: this invocation's I/O and
// resolved settings.
type app struct {
	ctx      context.Context
	env      map[string]string
	stdin    io.Reader
	settings settings
	out      *printer
}

// client returns a client for the configured server and token.
func (a *app) client() (*client.Client, error) {
	c, err := client.New(a.settings.Server, client.WithToken(a.settings.Token), client.WithUserAgent("aforroctl"))
	if err != nil {
		return nil, usagef("%v (set by %s)", err, a.settings.ServerFrom)
	}
	return c, nil
}
