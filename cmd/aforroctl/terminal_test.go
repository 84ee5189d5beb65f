package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/muesli/termenv"
)

// terminalQueries are the sequences termenv writes to learn the terminal's
// background colour (OSC 11) and, as a fallback answer, the cursor position
// (DSR). A terminal that answers neither makes termenv wait OSCTimeout.
var terminalQueries = []string{"\x1b]11;?", "\x1b[6n"}

// ptyRun is aforroctl run as its own process on a pseudo-terminal that never
// answers: what it wrote to the terminal, its exit status and how long it took.
type ptyRun struct {
	output  string
	err     error
	elapsed time.Duration
}

// runOnSilentPTY runs this test binary as aforroctl (see runAsMainEnv) with
// args on a fresh 80x24 pseudo-terminal as stdin, stdout and stderr. The
// terminal never writes anything back, like a relayed pty or a CI runner's;
// keys, when given, are typed once the output contains after.
func runOnSilentPTY(t *testing.T, env map[string]string, args []string, after, keys string) ptyRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	// Only what is set here: a CI variable inherited from the test's
	// environment would make termenv skip its query and hide the bug.
	cmd.Env = []string{runAsMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm-256color"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		typed := keys == ""
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if !typed && strings.Contains(out.String(), after) {
				typed = true
				if _, err := tty.Write([]byte(keys)); err != nil {
					t.Errorf("type %q: %v", keys, err)
				}
			}
			if err != nil { // EIO once the process and its children closed the terminal
				return
			}
		}
	}()
	werr := cmd.Wait()
	elapsed := time.Since(start)
	<-read
	return ptyRun{output: out.String(), err: werr, elapsed: elapsed}
}

// TestNoTerminalQuery runs real commands on a terminal that never answers:
// none may write a terminal query or wait for its answer. Bubble Tea v1's
// package init asks for the background colour in every process that links
// it; package termquiet answers for it first (see its doc).
func TestNoTerminalQuery(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "AFORRO_URL": srv.URL, "AFORRO_TOKEN": srv.Admin}
	tests := []struct {
		name        string
		args        []string
		after, keys string // type keys once the output shows after
		want        string
	}{
		{name: "help", args: []string{"--help"}, want: "Usage: aforroctl"},
		{name: "table", args: []string{"stores", "list", "--page-size", "1"}, want: "Downtown"},
		{name: "json", args: []string{"stores", "list", "--page-size", "1", "-o", "json"}, want: `"Downtown"`},
		{name: "no colour", args: []string{"health"}, want: "Status"},
		{name: "tui", args: []string{"tui", "--store", "1"}, after: "Laptop Pro 15", keys: "q", want: "Laptop Pro 15"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env
			if tc.name == "no colour" {
				e = map[string]string{"NO_COLOR": "1"}
				for k, v := range env {
					e[k] = v
				}
			}
			r := runOnSilentPTY(t, e, tc.args, tc.after, tc.keys)
			if r.err != nil {
				t.Fatalf("aforroctl %s: %v\n%q", strings.Join(tc.args, " "), r.err, r.output)
			}
			for _, q := range terminalQueries {
				if strings.Contains(r.output, q) {
					t.Errorf("aforroctl %s wrote the terminal query %q:\n%q", strings.Join(tc.args, " "), q, r.output)
				}
			}
			if !strings.Contains(r.output, tc.want) {
				t.Errorf("output lacks %q:\n%q", tc.want, r.output)
			}
			// termenv waits OSCTimeout for an answer that never comes; a
			// run that takes that long waited on the terminal somewhere.
			if r.elapsed >= termenv.OSCTimeout {
				t.Errorf("aforroctl %s took %v, as long as a terminal query's timeout", strings.Join(tc.args, " "), r.elapsed)
			}
		})
	}
}
