package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTUINeedsATerminal(t *testing.T) {
	t.Parallel()
	env := baseEnv(t)
	env["AFORRO_TOKEN"] = "afr_x"
	r := runCLI(t, invocation{args: []string{"tui"}, env: env})
	if r.code != exitUsage || !strings.Contains(r.stderr, "aforroctl tui needs a terminal") {
		t.Errorf("exit %d, stderr %q; want exit %d saying a terminal is needed", r.code, r.stderr, exitUsage)
	}
}

// TestTUISaysHowToLogIn checks that the TUI does not start without a token
// or with one the server refuses, and says how to log in.
func TestTUISaysHowToLogIn(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"tui"}, env: baseEnv(t)})
	want := "aforroctl: aforroctl tui needs a staff token: run \"aforroctl login --token afr_...\" once, or set AFORRO_TOKEN\n"
	if r.code != exitUsage || r.stderr != want {
		t.Errorf("no token: exit %d, stderr %q; want exit %d, stderr %q", r.code, r.stderr, exitUsage, want)
	}
	srv := newTestServer(t)
	run := runOnSilentPTY(t, map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "AFORRO_URL": srv.URL, "AFORRO_TOKEN": "afr_bogus"},
		[]string{"tui"}, "", "")
	want = "aforroctl: The token is unknown or revoked.\r\n" +
		"The token from AFORRO_TOKEN was refused: run \"aforroctl login\" with a live one.\r\n"
	if run.err == nil || run.output != want {
		t.Errorf("refused token: %v, output %q; want exit 1, output %q", run.err, run.output, want)
	}
}

func TestTUIFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"tui", "--refresh", "10ms"},
		{"tui", "--warn-at", "-1"},
		{"tui", "--store", "-2"},
	} {
		r := runCLI(t, invocation{args: args, env: baseEnv(t)})
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d; stderr %q", args, r.code, exitUsage, r.stderr)
		}
	}
}

func TestTUIValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd TUICmd
		ok  bool
	}{
		{TUICmd{WarnAt: 5, Refresh: 30 * time.Second, ScanGap: 35 * time.Millisecond}, true},
		{TUICmd{Store: 3, WarnAt: 0, Refresh: time.Second, ScanGap: time.Second}, true},
		{TUICmd{WarnAt: 5, Refresh: 999 * time.Millisecond, ScanGap: 35 * time.Millisecond}, false},
		{TUICmd{WarnAt: -1, Refresh: time.Minute, ScanGap: 35 * time.Millisecond}, false},
		{TUICmd{Store: -1, Refresh: time.Minute, ScanGap: 35 * time.Millisecond}, false},
		{TUICmd{Refresh: time.Minute, ScanGap: 0}, false},
		{TUICmd{Refresh: time.Minute, ScanGap: 2 * time.Second}, false},
	} {
		if err := tc.cmd.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v, want ok %v", tc.cmd, err, tc.ok)
		}
	}
}

func TestSaveLastStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "aforro", "config.json")
	if err := writeConfig(path, config{Server: "http://till:8000", Token: "afr_secret"}); err != nil {
		t.Fatal(err)
	}
	if err := saveLastStore(path, 7); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got config
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if want := (config{Server: "http://till:8000", Token: "afr_secret", LastStore: 7}); got != want {
		t.Errorf("config = %+v, want %+v", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	// No config file yet: one is made, holding only the store.
	fresh := filepath.Join(t.TempDir(), "aforro", "config.json")
	if err := saveLastStore(fresh, 3); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(fresh); err != nil || !strings.Contains(string(b), `"last_store": 3`) {
		t.Errorf("new config file %s (%v)", b, err)
	}
}

// TestTUIHelp checks that the TUI's help leaves out -o, which does nothing
// there, and that -o json is refused rather than ignored.
func TestTUIHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"tui", "--help"}, env: baseEnv(t)})
	if r.code != 0 || strings.Contains(r.stdout, "--output") || !strings.Contains(r.stdout, "--store") {
		t.Errorf("tui --help: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, invocation{args: []string{"stores", "list", "--help"}, env: baseEnv(t)}); !strings.Contains(r.stdout, "--output") {
		t.Errorf("stores list --help lost --output:\n%s", r.stdout)
	}
	env := baseEnv(t)
	env["AFORRO_TOKEN"] = "afr_x"
	r = runCLI(t, invocation{args: []string{"tui", "-o", "json"}, env: env})
	if r.code != exitUsage || r.stderr != "aforroctl: -o json is for the other commands; aforroctl tui draws a screen\n" {
		t.Errorf("tui -o json: exit %d, stderr %q", r.code, r.stderr)
	}
}
