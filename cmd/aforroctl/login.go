package main

import (
	"fmt"
)

// LoginCmd saves the server URL and token for later commands.
type LoginCmd struct {
	TokenStdin bool `help:"Read the token from the first line of standard input, keeping it out of the process list and shell history."`
}

// Help is shown under the usage of the command.
func (LoginCmd) Help() string {
	return "Checks that the server answers, then writes the server URL and token to\n" +
		"aforro/config.json in the user config directory, readable only by you. Later\n" +
		"commands use them unless a flag or AFORRO_URL/AFORRO_TOKEN says otherwise.\n\n" +
		"Examples:\n\n" +
		"    aforroctl login --server https://aforro.example.com --token afr_...\n" +
		"    pass show aforro | aforroctl login --server https://aforro.example.com --token-stdin"
}

// Run checks the server and writes the config file.
func (c *LoginCmd) Run(a *app) error {
	if c.TokenStdin {
		tok, err := readToken(a.stdin)
		if err != nil {
			return err
		}
		a.settings.Token = tok
	}
	if a.settings.Token == "" {
		return usagef("login needs a token: --token, --token-stdin or AFORRO_TOKEN")
	}
	cl, err := a.client()
	if err != nil {
		return err
	}
	if _, err := cl.Health(a.ctx); err != nil {
		return err
	}
	if err := writeConfig(a.settings.ConfigPath, config{Server: a.settings.Server, Token: a.settings.Token}); err != nil {
		return err
	}
	fmt.Fprintf(a.out.stdout, "Logged in to %s; saved to %s.\n", a.settings.Server, a.settings.ConfigPath)
	return nil
}
