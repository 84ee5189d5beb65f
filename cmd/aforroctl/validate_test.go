package main

import (
	"strings"
	"testing"
)

// TestCLIChecksWhatItCan runs commands whose mistake aforroctl can see
// itself, against a server that is not there: each must exit 2 naming the
// flag or argument as typed, before any request (which would exit 3).
func TestCLIChecksWhatItCan(t *testing.T) {
	t.Parallel()
	url := closedURL(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"orders", "list", "--status", "bogus"},
			"aforroctl: orders list: --status must be confirmed, rejected or cancelled, not \"bogus\"\nRun \"aforroctl orders list --help\" for usage.\n"},
		{[]string{"orders", "place", "--store", "1", "--item", "643:0"},
			"aforroctl: --item: \"643:0\": the quantity must be at least 1\nRun \"aforroctl orders place --help\" for usage.\n"},
		{[]string{"orders", "place", "--store", "1", "--item", "0:2"},
			"aforroctl: --item: \"0:2\": the product id must be positive\nRun \"aforroctl orders place --help\" for usage.\n"},
		{[]string{"orders", "place", "--store", "1", "--item", "643:1", "--item", "643:2"},
			"aforroctl: orders place: --item names product 643 twice: give it once with the total quantity\nRun \"aforroctl orders place --help\" for usage.\n"},
		{[]string{"search", "--in-stock", "laptop"},
			"aforroctl: search: --in-stock needs --store\nRun \"aforroctl search --help\" for usage.\n"},
		{[]string{"search", "--no-in-stock"},
			"aforroctl: search: --no-in-stock needs --store\nRun \"aforroctl search --help\" for usage.\n"},
		{[]string{"search", "--min-price", "5", "--max-price", "1"},
			"aforroctl: search: --min-price is above --max-price\nRun \"aforroctl search --help\" for usage.\n"},
		{[]string{"stores", "show", "-1"},
			"aforroctl: ID must be a positive id, not -1\nRun \"aforroctl stores show --help\" for usage.\n"},
		{[]string{"orders", "show", "0"},
			"aforroctl: ID must be a positive id, not 0\nRun \"aforroctl orders show --help\" for usage.\n"},
		{[]string{"inventory", "list", "--store", "0"},
			"aforroctl: --store must be a positive id, not 0\nRun \"aforroctl inventory list --help\" for usage.\n"},
		{[]string{"inventory", "show", "--store", "1", "-5"},
			"aforroctl: PRODUCT must be a positive id, not -5\nRun \"aforroctl inventory show --help\" for usage.\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = url, "afr_x"
			r := runCLI(t, invocation{args: tc.args, env: env})
			if r.code != exitUsage || r.stderr != tc.want {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", r.code, r.stderr, exitUsage, tc.want)
			}
		})
	}
}
