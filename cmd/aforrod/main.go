// Command aforrod is Aforro's server: it serves the REST API, migrates the
// schema, seeds data and manages API tokens.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"

	"github.com/aforro/aforro/internal/kongexit"
	"github.com/aforro/aforro/internal/version"
)

// Globals are the settings every subcommand shares.
type Globals struct {
	DatabaseURL string `name:"database-url" env:"AFORRO_DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/aforro?sslmode=disable" help:"PostgreSQL connection URL."`
	LogFormat   string `name:"log-format" env:"AFORRO_LOG_FORMAT" enum:"auto,json,text" default:"auto" help:"Log format: json, text, or auto (json when stderr is not a terminal)."`
	LogLevel    string `name:"log-level" env:"AFORRO_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" help:"Lowest level logged."`

	Version kong.VersionFlag `help:"Print the version, commit and Go version, then exit."`

	stdout io.Writer
	stderr io.Writer
}

// CLI is aforrod's command tree.
type CLI struct {
	Globals

	Serve   ServeCmd   `cmd:"" help:"Serve the REST API."`
	Migrate MigrateCmd `cmd:"" help:"Apply the schema migrations (idempotent; creates the database when missing)."`
	Seed    SeedCmd    `cmd:"" help:"Fill an empty database with realistic, deterministic sample data."`
	Token   TokenCmd   `cmd:"" help:"Create, list and revoke API tokens."`
	Dev     DevCmd     `cmd:"" help:"Local development: start PostgreSQL/Redis if needed, migrate, seed if empty, serve."`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the chosen command and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	var cli CLI
	cli.stdout, cli.stderr = stdout, stderr
	exit := -1
	parser, err := kong.New(&cli,
		kong.Name("aforrod"),
		kong.Description("Aforro inventory and order service."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kongexit.Option(&exit),
		kong.Vars{"version": version.String("aforrod")},
	)
	if err != nil {
		fmt.Fprintln(stderr, "aforrod:", err)
		return 2
	}
	kctx, exited, err := kongexit.Parse(parser, args)
	if exited {
		return exit
	}
	if err != nil {
		fmt.Fprintln(stderr, "aforrod:", err)
		return 2
	}
	logger := newLogger(cli.LogFormat, cli.LogLevel, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(&cli.Globals, logger); err != nil {
		fmt.Fprintln(stderr, "aforrod:", err)
		return 1
	}
	return 0
}

func newLogger(format, level string, w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
