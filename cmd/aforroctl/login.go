package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/internal/human"
)

// LoginCmd checks a token against the server and saves it with the server
// URL for later commands.
type LoginCmd struct {
	TokenStdin bool `help:"Read the token from the first line of standard input, keeping it out of the process list and shell history."`
}

// Help is shown under the usage of the command.
func (LoginCmd) Help() string {
	return "Asks the server who the token is (GET /api/auth/token/), says its name, role\n" +
		"and stores, then writes the server URL and token to aforro/config.json in the\n" +
		"user config directory, readable only by you. Later commands use them unless a\n" +
		"flag or AFORRO_URL/AFORRO_TOKEN says otherwise. A token the server does not\n" +
		"know (or has revoked) is refused and nothing is saved. -o json prints the\n" +
		"server's answer about the token.\n\n" +
		"Examples:\n\n" +
		"    aforroctl login --server https://aforro.example.com --token afr_...\n" +
		"    pass show aforro | aforroctl login --server https://aforro.example.com --token-stdin"
}

// Run checks the token and writes the config file.
func (c *LoginCmd) Run(a *app) error {
	if c.TokenStdin {
		tok, err := readToken(a.stdin)
		if err != nil {
			return err
		}
		a.settings.Token = tok
	}
	if a.settings.Token == "" {
		return usagef("login needs a token: --token, --token-stdin or AFORRO_TOKEN (on the server, aforrod token create makes one)")
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	var body []byte
	tok, err := cl.CurrentToken(client.WithResponseBody(a.ctx, func(b []byte) { body = b }))
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			return fmt.Errorf("%s at %s: not logged in, nothing saved", strings.TrimSuffix(ae.Message, "."), a.settings.Server)
		}
		return err
	}
	// Logging in again to the same server keeps the store the TUI opens.
	old, _ := readConfig(a.settings.ConfigPath, io.Discard)
	cfg := config{Server: a.settings.Server, Token: a.settings.Token}
	if old.Server == cfg.Server {
		cfg.LastStore = old.LastStore
	}
	if err := writeConfig(a.settings.ConfigPath, cfg); err != nil {
		return err
	}
	if a.out.json() {
		return a.out.raw(body)
	}
	fmt.Fprintf(a.out.stdout, "Logged in to %s as %q: %s. Saved to %s.\n",
		a.settings.Server, tok.Name, describeToken(a.ctx, cl, tok), a.settings.ConfigPath)
	return nil
}

// describeToken says what a token may do: "admin token (every store)",
// "staff token for store 1 Downtown". Store names are looked up; a store
// that cannot be looked up shows as its id alone.
func describeToken(ctx context.Context, cl *client.Client, tok aforro.Token) string {
	if tok.Role == aforro.RoleAdmin {
		return "admin token (every store)"
	}
	if len(tok.Stores) == 0 {
		return tok.Role + " token for every store"
	}
	names := make([]string, len(tok.Stores))
	for i, id := range tok.Stores {
		names[i] = strconv.FormatInt(id, 10)
		if st, err := cl.Store(ctx, id); err == nil {
			names[i] += " " + st.Name
		}
	}
	return fmt.Sprintf("%s token for %s %s", tok.Role, human.Noun(len(names), "store", "stores"), strings.Join(names, ", "))
}

// LogoutCmd removes the saved token.
type LogoutCmd struct{}

// Help is shown under the usage of the command.
func (LogoutCmd) Help() string {
	return "Removes the token from the config file that \"aforroctl login\" wrote, keeping\n" +
		"the server URL and the TUI's last store. The token itself stays valid on the\n" +
		"server: to stop it everywhere, revoke it there (aforrod token revoke ID).\n\n" +
		"Examples:\n\n" +
		"    aforroctl logout"
}

// Run removes the token from the config file.
func (c *LogoutCmd) Run(a *app) error {
	path := a.settings.ConfigPath
	cfg, err := readConfig(path, io.Discard)
	if err != nil {
		return err
	}
	if cfg.Token == "" {
		fmt.Fprintf(a.out.stdout, "Not logged in: %s holds no token.\n", path)
	} else {
		cfg.Token = ""
		if err := writeConfig(path, cfg); err != nil {
			return err
		}
		fmt.Fprintf(a.out.stdout, "Logged out: removed the token from %s.\n", path)
	}
	if a.env[envToken] != "" {
		a.out.note("AFORRO_TOKEN is still set in this environment, and commands use it: unset AFORRO_TOKEN.")
	}
	return nil
}
