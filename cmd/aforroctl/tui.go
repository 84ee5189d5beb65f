package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/tui"
)

// tuiRequestTimeout bounds each attempt of a TUI request: at the till a
// quick "cannot reach the server" beats a long wait.
const tuiRequestTimeout = 8 * time.Second

// TUICmd runs the terminal UI.
type TUICmd struct {
	Store   int64         `placeholder:"ID" help:"Store to open (default: the one chosen last time, else a store picker)."`
	WarnAt  int           `default:"5" placeholder:"N" help:"Highlight quantities at or below N (the server's default low-stock threshold)."`
	Refresh time.Duration `default:"30s" placeholder:"DURATION" help:"How often the Summary screen refreshes itself while shown."`
	ScanGap time.Duration `default:"35ms" placeholder:"DURATION" help:"Longest pause between two characters of a barcode scanner's burst (raise it for a slow Bluetooth scanner)."`
}

// Help is shown under the usage of the command.
func (TUICmd) Help() string {
	return "Eight screens: Inventory, Search, Order (the basket), Orders, Summary,\n" +
		"Transfers, Receive and Count. tab or 1-8 switches screens, s chooses the\n" +
		"store (remembered in the config file), ? shows every key, q quits. A\n" +
		"barcode scanner works on Inventory, Order, Receive and Count. Colours are\n" +
		"off with NO_COLOR.\n\n" +
		"Examples:\n\n" +
		"    aforroctl tui\n" +
		"    aforroctl tui --store 3 --refresh 10s"
}

// Validate rejects settings the UI cannot use.
func (c *TUICmd) Validate() error {
	switch {
	case c.Store < 0:
		return fmt.Errorf("--store must be a store id")
	case c.WarnAt < 0:
		return fmt.Errorf("--warn-at must be >= 0")
	case c.Refresh < time.Second:
		return fmt.Errorf("--refresh must be at least 1s")
	case c.ScanGap < time.Millisecond || c.ScanGap > time.Second:
		return fmt.Errorf("--scan-gap must be between 1ms and 1s")
	}
	return nil
}

// Run draws the UI until the user quits.
func (c *TUICmd) Run(a *app) error {
	if a.out.format != formatTable {
		return usagef("-o %s is for the other commands; aforroctl tui draws a screen", a.out.format)
	}
	// Without a token every screen would fail; say how to get one instead.
	if a.settings.Token == "" {
		return usagef(`aforroctl tui needs a staff token: run "aforroctl login --token afr_..." once, or set AFORRO_TOKEN`)
	}
	in, inOK := a.stdin.(*os.File)
	out, outOK := a.out.stdout.(*os.File)
	if !inOK || !outOK || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return usagef("aforroctl tui needs a terminal for its input and output; for scripts, use the other commands")
	}
	cl, err := client.New(a.settings.Server, client.WithToken(a.settings.Token),
		client.WithUserAgent("aforroctl-tui"), client.WithTimeout(tuiRequestTimeout))
	if err != nil {
		return usagef("%v (set by %s)", err, a.settings.ServerFrom)
	}
	// A token the server refuses is said here, in full, with how to log in
	// (see tokenHint); an unreachable server is the UI's to wait for.
	ctx, cancel := context.WithTimeout(a.ctx, tuiRequestTimeout)
	_, err = cl.CurrentToken(ctx)
	cancel()
	if ae := (*client.APIError)(nil); errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return err
	}
	storeID := c.Store
	path := a.settings.ConfigPath
	if storeID == 0 {
		// A config file that cannot be read only means no remembered store;
		// its warnings would land under the UI, so they are dropped.
		cfg, _ := readConfig(path, io.Discard)
		storeID = cfg.LastStore
	}
	env := envMap(a.env)
	// termenv answers NO_COLOR by dropping every attribute; the TUI keeps
	// bold and reverse video (NO_COLOR is about colour) and leaves colours
	// out of its styles itself, so the renderer detects the terminal as if
	// NO_COLOR were unset.
	detect := maps.Clone(env)
	delete(detect, "NO_COLOR")
	r := lipgloss.NewRenderer(out, termenv.WithEnvironment(detect))
	r.SetHasDarkBackground(true) // only ANSI colours are used: never query the terminal
	opts := tui.Options{
		Client:     cl,
		StoreID:    storeID,
		SaveStore:  func(id int64) error { return saveLastStore(path, id) },
		Renderer:   r,
		Color:      a.env["NO_COLOR"] == "" && a.env["TERM"] != "dumb",
		WarnAt:     c.WarnAt,
		WatchEvery: c.Refresh,
		ScanGap:    c.ScanGap,
		Context:    a.ctx,
	}
	m, err := tui.New(opts)
	if err != nil {
		return err
	}
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(a.ctx),
		tea.WithInput(in), tea.WithOutput(out), tea.WithEnvironment(env.Environ()))
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && a.ctx.Err() != nil {
			return fmt.Errorf("tui: %w", context.Canceled)
		}
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// saveLastStore remembers the chosen store in the config file, keeping
// everything else in it.
func saveLastStore(path string, id int64) error {
	cfg, err := readConfig(path, io.Discard)
	if err != nil {
		return err
	}
	if cfg.LastStore == id {
		return nil
	}
	cfg.LastStore = id
	return writeConfig(path, cfg)
}

// envMap is run's environment as termenv asks for it, so the UI too reads
// only the environment run is given.
type envMap map[string]string

// Environ returns the variables as "KEY=value" pairs.
func (e envMap) Environ() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// Getenv returns one variable.
func (e envMap) Getenv(key string) string { return e[key] }
