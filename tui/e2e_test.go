package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server/servertest"
)

// e2eWait bounds each wait for the terminal to show something.
const e2eWait = 15 * time.Second

// TestEndToEndTmux runs the real programs: aforrod serving a test database,
// and "aforroctl tui" in a detached tmux session of a fixed size, driven by
// send-keys and read back with capture-pane. It types a search, adds the
// product it finds, places the order and expects CONFIRMED.
func TestEndToEndTmux(t *testing.T) {
	e := startE2E(t)
	dir, addr, aforroctl := e.dir, e.addr, e.aforroctl
	token := e.token(t, "--name", "till 1", "--role", "staff", "--store", "1")

	cfgDir := filepath.Join(dir, "config")
	tm := newTmux(t, 100, 30, fmt.Sprintf("env XDG_CONFIG_HOME=%s AFORRO_URL=http://%s AFORRO_TOKEN=%s %s tui --store 1; echo \"aforroctl exited: $?\"; sleep 600",
		cfgDir, addr, token, aforroctl))

	tm.waitFor("Downtown (#1)", "Laptop Pro 15", "● online")
	tm.keys("2")
	tm.waitFor("[2 Search]", "Search:")
	tm.literal("wirel")
	tm.waitFor("Wireless Mouse") // a suggestion
	tm.keys("Down", "Enter")
	tm.waitFor("Page 1 of 1 · 1 product")
	tm.keys("a")
	tm.waitFor("Added Wireless Mouse: 1 in the basket.")
	tm.keys("3")
	tm.waitFor("Basket for Downtown", "1 line, 1 item", "Total 29.99")
	tm.keys("Enter")
	screen := tm.waitFor("CONFIRMED")
	t.Logf("the screen after placing the order:\n%s", screen)
	tm.keys("q")
	tm.waitFor("aforroctl exited: 0")

	b, err := os.ReadFile(filepath.Join(cfgDir, "aforro", "config.json"))
	if err != nil {
		t.Fatalf("the config file: %v", err)
	}
	var cfg struct {
		LastStore int64 `json:"last_store"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.LastStore != 1 {
		t.Errorf("config file %s: last_store %d (%v), want 1", b, cfg.LastStore, err)
	}
}

// e2eEnv is aforrod, built from the tree, serving a fresh database that
// holds the fixture; aforroctl is built beside it.
type e2eEnv struct {
	dir, aforrod, aforroctl, dbURL, addr string
}

// startE2E skips the test without tmux (the end-to-end tests drive the
// TUI through it), makes it parallel, and starts the environment.
func startE2E(t *testing.T) *e2eEnv {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test of aforroctl tui needs it (CI installs it)")
	}
	t.Parallel()
	e := &e2eEnv{dir: t.TempDir(), dbURL: dbtest.New(t)}
	e.aforrod, e.aforroctl = buildBinaries(t, e.dir)
	d, err := db.Open(context.Background(), e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Pool.Exec(context.Background(), fixture)
	d.Close()
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	e.addr = serve(t, e.aforrod, e.dbURL, e.dir)
	return e
}

// token creates a token (args: its --name, --role, --store) and returns
// its secret, which aforrod prints on the last line.
func (e *e2eEnv) token(t *testing.T, args ...string) string {
	t.Helper()
	out := strings.TrimSpace(run(t, e.aforrod, append([]string{"token", "create", "--database-url", e.dbURL}, args...)...))
	return out[strings.LastIndexByte(out, '\n')+1:]
}

// buildBinaries builds aforrod and aforroctl into dir.
func buildBinaries(t *testing.T, dir string) (aforrod, aforroctl string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build aforrod and aforroctl: %v", err)
	}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "github.com/aforro/aforro/cmd/aforrod", "github.com/aforro/aforro/cmd/aforroctl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goBin, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return filepath.Join(dir, "aforrod"), filepath.Join(dir, "aforroctl")
}

// serve starts aforrod serve on a free loopback port and waits until it
// answers; it is stopped when the test ends.
func serve(t *testing.T, aforrod, dbURL, dir string) string {
	t.Helper()
	addr := servertest.FreeAddr(t)
	logPath := filepath.Join(dir, "aforrod.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(aforrod, "serve", "--database-url", dbURL, "--addr", addr,
		"--redis-url", dbtest.RedisURL(), "--no-jobs", "--log-format", "text")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aforrod: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil {
				t.Logf("aforrod's log:\n%s", b)
			}
		}
	})
	deadline := time.Now().Add(e2eWait)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("aforrod does not answer on %s after %s: %v", addr, e2eWait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run runs a program and returns its stdout, failing the test on an error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// tmuxSession is one detached session on a private tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string
}

// newTmux starts command in a detached session of width by height on a
// private tmux server (its own socket), killed when the test ends.
func newTmux(t *testing.T, width, height int, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, socket: "aforro-e2e-" + randomHex()}
	s.tmux("new-session", "-d", "-s", "tui", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), command)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

// tmux runs a tmux command on the session's server.
func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends keys by tmux's names ("Enter", "Down") or as single letters.
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", "-t", "tui", k)
	}
}

// literal types text.
func (s *tmuxSession) literal(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "tui", "-l", text)
}

// capture returns what the terminal shows.
func (s *tmuxSession) capture() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", "tui")
}

// waitFor polls the screen until it shows every one of texts, and returns it.
func (s *tmuxSession) waitFor(texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		screen := s.capture()
		ok := true
		for _, x := range texts {
			ok = ok && strings.Contains(screen, x)
		}
		if ok {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after %s the screen does not show %q:\n%s", e2eWait, texts, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestEndToEndScanBurst drives the counter as a barcode scanner does: each
// code and its Enter reach the terminal in one write (one tmux send-keys),
// as fast as a USB scanner types. It finds a product on Inventory, sets its
// stock, scans one into the basket and counts a shelf, and checks what the
// server holds afterwards.
func TestEndToEndScanBurst(t *testing.T) {
	e := startE2E(t)
	dir, addr, aforroctl := e.dir, e.addr, e.aforroctl
	admin := e.token(t, "--name", "back office", "--role", "admin")
	staff := e.token(t, "--name", "till 1", "--role", "staff", "--store", "1")
	ctl := func(token string, args ...string) string {
		t.Helper()
		cmd := exec.Command(aforroctl, args...)
		cmd.Env = append(os.Environ(), "AFORRO_URL=http://"+addr, "AFORRO_TOKEN="+token, "XDG_CONFIG_HOME="+filepath.Join(dir, "admin"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aforroctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	ctl(admin, "products", "update", "1", "--sku", "LAP-15", "--barcode", "5901234123457")
	ctl(admin, "products", "update", "2", "--barcode", "96385074")

	// --scan-gap 150ms: the race detector and a busy CI machine may
	// delay the handling of a burst's keys well past a scanner's 35 ms.
	tm := newTmux(t, 100, 30, fmt.Sprintf("env XDG_CONFIG_HOME=%s AFORRO_URL=http://%s AFORRO_TOKEN=%s %s tui --store 1 --scan-gap 150ms; echo \"aforroctl exited: $?\"; sleep 600",
		filepath.Join(dir, "config"), addr, staff, aforroctl))
	burst := func(code string) { tm.tmux("send-keys", "-t", "tui", "-l", code+"\r") }

	tm.waitFor("Downtown (#1)", "Laptop Pro 15", "● online")
	burst("96385074")
	tm.waitFor("Scanned 96385074", "Wireless Mouse: 3 units in stock.")
	tm.keys("e")
	tm.waitFor("Set Wireless Mouse (now 3)")
	tm.literal("8")
	tm.keys("Enter")
	tm.waitFor("Set Wireless Mouse from 3 to 8 (count)? y/n")
	tm.keys("y")
	tm.waitFor("Wireless Mouse: 3 → 8 (count).")

	tm.keys("3")
	tm.waitFor("Basket for Downtown")
	burst("lap-15")
	tm.waitFor("Added Laptop Pro 15: 1 in the basket.")

	tm.keys("8")
	tm.waitFor("Count at Downtown")
	for range 3 {
		burst("96385074")
	}
	tm.waitFor("Wireless Mouse: 3 counted.")
	tm.keys("Enter")
	tm.waitFor("Review: set 1 product to the counts")
	tm.keys("y")
	screen := tm.waitFor("Count committed: 1 product corrected, 0 matched.")
	t.Logf("the Count screen after the commit:\n%s", screen)

	if out := ctl(admin, "inventory", "show", "--store", "1", "2", "-o", "json"); !strings.Contains(out, `"quantity": 3`) && !strings.Contains(out, `"quantity":3`) {
		t.Errorf("the mouse at store 1 after the count: %s, want quantity 3", out)
	}
	tm.keys("q")
	tm.waitFor("Quit anyway? y/n") // the basket holds the laptop
	tm.keys("y")
	tm.waitFor("aforroctl exited: 0")
}
