// Command aforroctl is the command-line client of Aforro: it lists, shows
// and (with an admin token) changes stores, categories and products, searches
// and autocompletes the catalogue, shows and changes a store's stock, places,
// lists and cancels orders, shows the daily summaries and the background
// jobs, checks the server's health and starts the terminal UI. Run
// "aforroctl --help" for the commands.
package main

import (
	"os"
	"strings"

	// Before Bubble Tea's init: keeps it from querying the terminal in
	// every command (see the package's doc).
	_ "github.com/aforro/aforro/internal/termquiet"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, environ(os.Environ())))
}

// environ turns "KEY=value" pairs into a map.
func environ(pairs []string) map[string]string {
	env := make(map[string]string, len(pairs))
	for _, p := range pairs {
		if k, v, ok := strings.Cut(p, "="); ok {
			env[k] = v
		}
	}
	return env
}
