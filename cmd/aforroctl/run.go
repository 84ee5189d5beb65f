package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/aforro/aforro"

	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/internal/kongexit"
	"github.com/aforro/aforro/internal/version"
)

// Exit codes (API.md, "Commands and configuration").
const (
	exitOK          = 0
	exitAPIError    = 1 // the server answered with an error, or anything else went wrong
	exitUsage       = 2 // the command line is wrong
	exitUnreachable = 3 // the server could not be reached
	exitInterrupted = 130
)

// usageError is a command line that parsed but cannot be acted on, such as a
// malformed server URL; it exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run parses args, runs the chosen command and returns the exit code. It
// reads the environment only from env and does all I/O through the given
// streams, so tests run it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env map[string]string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var cli CLI
	exit := -1
	parser, err := newParser(&cli, stdout, stderr, &exit)
	if err != nil {
		fmt.Fprintln(stderr, "aforroctl:", err)
		return exitUsage
	}
	if done, code := registerCompletion(parser); done {
		return code
	}
	args = markNegativeNumbers(parser.Model, args)
	kctx, exited, err := kongexit.Parse(parser, args)
	if exited {
		if exit != exitOK {
			return exitUsage
		}
		return exitOK
	}
	if err != nil {
		return report(ctx, stderr, usagef("%s", unmarkNegative(err.Error())), helpHint(err))
	}
	if err := checkIDs(kctx); err != nil {
		return report(ctx, stderr, err, fmt.Sprintf("Run %q for usage.", "aforroctl "+kctx.Selected().Path()+" --help"))
	}
	if err := checkFormat(kctx, cli.Output); err != nil {
		return report(ctx, stderr, err, "")
	}
	settings, err := resolveSettings(cli.Globals, env, stderr)
	if err != nil {
		return report(ctx, stderr, err, "")
	}
	a := &app{
		ctx:      ctx,
		env:      env,
		stdin:    stdin,
		settings: settings,
		out:      newPrinter(stdout, stderr, cli.Output, env),
	}
	err = kctx.Run(a)
	return report(ctx, stderr, err, tokenHint(err, settings, kctx.Command()))
}

// tokenHint says what to do when the server refused the token (401): how
// to log in when there was none, where the refused one came from otherwise.
// login says it itself.
func tokenHint(err error, s settings, command string) string {
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || command == "login" {
		return ""
	}
	if s.TokenFrom == "" {
		return `No token: run "aforroctl login --token afr_..." once, or set AFORRO_TOKEN.`
	}
	return fmt.Sprintf(`The token from %s was refused: run "aforroctl login" with a live one.`, s.TokenFrom)
}

// newParser returns the parser of aforroctl's command line into cli, writing
// help and errors to stdout and stderr. Where kong would end the process
// (after --help) it sets *exit and unwinds to kongexit.Parse instead.
func newParser(cli *CLI, stdout, stderr io.Writer, exit *int) (*kong.Kong, error) {
	return kong.New(cli, append([]kong.Option{
		kong.Name("aforroctl"),
		kong.Description("Command-line client of Aforro, the inventory and order service."),
		kong.Writers(stdout, stderr),
		kongexit.Option(exit),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Help(helpWithoutIdleFlags),
		kong.Vars{"version": version.String("aforroctl"), "reasons": strings.Join(aforro.StockReasons(), ", ")},
	}, intMappers()...)...)
}

// helpWithoutIdleFlags is kong's help, leaving out of a command's help the
// global flags that do nothing there: -o for the TUI, which draws a screen.
func helpWithoutIdleFlags(options kong.HelpOptions, kctx *kong.Context) error {
	if n := kctx.Selected(); n != nil && n.Name == "tui" {
		for _, f := range kctx.Model.Flags {
			if f.Name == "output" && !f.Hidden {
				f.Hidden = true
				defer func() { f.Hidden = false }()
			}
		}
	}
	return kong.DefaultHelpPrinter(options, kctx)
}

// checkFormat refuses -o csv for a command that does not list: its answer
// is one document, not rows.
func checkFormat(kctx *kong.Context, format string) error {
	if format != formatCSV {
		return nil
	}
	if n := kctx.Selected(); n != nil {
		if _, ok := n.Target.Interface().(lister); ok {
			return nil
		}
		return usagef("-o csv is for the list commands; \"aforroctl %s\" prints one document: use -o json or -o table", n.Path())
	}
	return usagef("-o csv is for the list commands")
}

// helpHint names the --help of the command a parse error is about.
func helpHint(err error) string {
	var pe *kong.ParseError
	path := "aforroctl"
	if errors.As(err, &pe) && pe.Context != nil {
		if n := pe.Context.Selected(); n != nil {
			path = "aforroctl " + n.Path()
		}
	}
	return fmt.Sprintf("Run %q for usage.", path+" --help")
}

// report writes err to stderr and returns its exit code: the API's sentence
// and one indented line per field error for an API error, and for a rate
// limited one when to try again.
func report(ctx context.Context, stderr io.Writer, err error, hint string) int {
	if err == nil {
		return exitOK
	}
	var (
		ue *usageError
		ce *client.ConnError
		ae *client.APIError
	)
	code := exitAPIError
	switch {
	case errors.As(err, &ue):
		code = exitUsage
	case errors.As(err, &ce):
		code = exitUnreachable
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(stderr, "aforroctl: interrupted")
		return exitInterrupted
	}
	msg := err.Error()
	if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests && ae.RetryAfter > 0 {
		msg += fmt.Sprintf(" Try again in %d s.", int(ae.RetryAfter.Round(time.Second)/time.Second))
	}
	fmt.Fprintf(stderr, "aforroctl: %s\n", msg)
	if errors.As(err, &ae) {
		for _, f := range slices.Sorted(maps.Keys(ae.Fields)) {
			fmt.Fprintf(stderr, "  %s: %s\n", f, ae.Fields[f])
		}
	}
	if hint != "" {
		fmt.Fprintln(stderr, hint)
	}
	return code
}
