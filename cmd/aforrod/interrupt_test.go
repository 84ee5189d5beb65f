package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/aforro/aforro/db/dbtest"
)

// lockedBuffer is a bytes.Buffer two goroutines may use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDevInterrupt presses Ctrl-C on a running aforrod dev in a terminal (a
// pty: the terminal sends SIGINT to its foreground process group). aforrod
// dev stops cleanly and exits 0; so does make run (the README's one
// command), without make's "*** [run] Error 1" or "Interrupt" line.
func TestDevInterrupt(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "aforrod")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"aforrod dev", func() *exec.Cmd { return exec.Command(bin, "dev") }},
		{"make run", func() *exec.Cmd {
			if _, err := exec.LookPath("make"); err != nil {
				t.Skip("make is not installed")
			}
			c := exec.Command("make", "--no-print-directory", "run")
			c.Dir = root
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fmt.Sprintf("127.0.0.1:%d", closedPort(t))
			cmd := tc.cmd()
			// Jobs off: a dev server must not take the test Redis's leader
			// lease from another package's tests.
			cmd.Env = append(os.Environ(), "AFORRO_DATABASE_URL="+dbtest.New(t), "AFORRO_REDIS_URL="+dbtest.RedisURL(),
				"AFORRO_ADDR="+addr, "AFORRO_NO_JOBS=true", "AFORRO_LOG_FORMAT=text",
				"AFORRO_DEV_DATA_DIR="+filepath.Join(t.TempDir(), "dev"))
			// A terminal of its own: ^C typed on it sends SIGINT to its
			// foreground process group, as Ctrl-C in a shell does.
			tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 120})
			if err != nil {
				t.Fatal(err)
			}
			defer tty.Close()
			var out lockedBuffer
			go func() { _, _ = io.Copy(&out, tty) }()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.Now().Add(3 * time.Minute) // make run builds aforrod first
			for {
				if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
					r.Body.Close()
					break
				}
				select {
				case err := <-done:
					t.Fatalf("exited before serving: %v\n%s", err, out.String())
				case <-time.After(100 * time.Millisecond):
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("not serving at %s after 3 minutes:\n%s", addr, out.String())
				}
			}
			if _, err := tty.Write([]byte{3}); err != nil { // ctrl+c
				t.Fatal(err)
			}
			select {
			case err := <-done:
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					t.Errorf("exit status %v after Ctrl-C, want 0:\n%s", ee, out.String())
				} else if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("still running a minute after Ctrl-C:\n%s", out.String())
			}
			if s := out.String(); strings.Contains(s, "make: ***") || strings.Contains(s, "level=ERROR") {
				t.Errorf("Ctrl-C was not quiet:\n%s", s)
			}
		})
	}
}
