//go:build faults

package faults_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// aforrodBin is the aforrod binary TestMain builds for the suite.
var aforrodBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aforro-faults-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
	aforrodBin = filepath.Join(dir, "aforrod")
	build := exec.Command("go", "build", "-race", "-o", aforrodBin, "github.com/aforro/aforro/cmd/aforrod")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults: build aforrod:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// postgres is a private PostgreSQL cluster on a free port, stopped and
// removed when the test ends. initdb and pg_ctl refuse to run as root, so
// as root they run as the postgres user.
type postgres struct {
	t         *testing.T
	bin, dir  string
	port      int
	asPostgre []string // the command prefix that runs as the postgres user, or nil
}

func newPostgres(t *testing.T) *postgres {
	t.Helper()
	p := preparePostgres(t)
	if out, err := p.run("initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start()
	return p
}

// preparePostgres makes the directory and picks the port of a cluster that
// is yet to be created, and removes it when the test ends.
func preparePostgres(t *testing.T) *postgres {
	t.Helper()
	bin := pgBinDir(t)
	dir, err := os.MkdirTemp("", "aforro-faults-pg")
	if err != nil {
		t.Fatal(err)
	}
	p := &postgres{t: t, bin: bin, dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root and there is no postgres user to run initdb and pg_ctl as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asPostgre = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		_ = p.ctl("stop", "-m", "immediate", "-w")
		os.RemoveAll(dir)
	})
	return p
}

// pgBinDir finds the directory of initdb and pg_ctl.
func pgBinDir(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real)
		}
		return filepath.Dir(p)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i]
		}
	}
	t.Fatal("no pg_ctl found (install PostgreSQL's server package: apt-get install postgresql)")
	return ""
}

func (p *postgres) data() string { return filepath.Join(p.dir, "data") }

func (p *postgres) run(name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, p.asPostgre...), filepath.Join(p.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = p.dir
	return cmd.CombinedOutput()
}

func (p *postgres) ctl(args ...string) error {
	out, err := p.run("pg_ctl", append([]string{"-D", p.data()}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the cluster and waits until it accepts connections.
func (p *postgres) start() {
	p.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c max_connections=200", p.port, p.dir)
	if err := p.ctl("start", "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "-t", "60"); err != nil {
		p.t.Fatal(err)
	}
}

// restart is a clean restart: sessions are ended and the server comes back.
func (p *postgres) restart() {
	p.t.Helper()
	// -l again: the restarted server would otherwise write to pg_ctl's
	// output, which this process then waits on for ever.
	if err := p.ctl("restart", "-m", "fast", "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60"); err != nil {
		p.t.Fatal(err)
	}
}

// crash stops the server as a power cut would, without a checkpoint: the
// next start recovers from the WAL.
func (p *postgres) crash() {
	p.t.Helper()
	if err := p.ctl("stop", "-m", "immediate", "-w"); err != nil {
		p.t.Fatal(err)
	}
}

func (p *postgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// conn connects to the aforro database for the checks.
func (p *postgres) conn(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), p.url("aforro"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// redisServer is a private redis-server on a free port that the test can
// stop and start again on the same port.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func newRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("no redis-server found (apt-get install redis-server)")
	}
	r := &redisServer{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", os.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	waitTCP(r.t, r.port)
}

// stop kills redis-server; it keeps nothing, as in production.
func (r *redisServer) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

// waitTCP waits until something listens on port.
func waitTCP(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on port %d after 20 s", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// instance is one aforrod serve process.
type instance struct {
	t        *testing.T
	name     string
	port     int
	env      []string
	cmd      *exec.Cmd
	done     chan struct{}
	exitCode int

	mu  sync.Mutex
	log strings.Builder
}

// aforrod runs an aforrod command to completion and returns its stdout.
func aforrod(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(aforrodBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aforrod %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func startInstance(t *testing.T, name string, env []string) *instance {
	t.Helper()
	in := &instance{t: t, name: name, port: freePort(t), env: env}
	in.start()
	t.Cleanup(in.kill)
	return in
}

func (in *instance) url() string { return fmt.Sprintf("http://127.0.0.1:%d", in.port) }

func (in *instance) start() {
	in.t.Helper()
	cmd := exec.Command(aforrodBin, "serve")
	cmd.Env = append(append(os.Environ(), in.env...), "AFORRO_ADDR="+fmt.Sprintf("127.0.0.1:%d", in.port),
		"AFORRO_LOG_FORMAT=json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		in.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.cmd, in.done = cmd, make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			in.mu.Lock()
			in.log.WriteString(sc.Text() + "\n")
			in.mu.Unlock()
		}
	}()
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		in.exitCode = cmd.ProcessState.ExitCode()
		close(done)
	}(cmd, in.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(in.url() + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-in.done:
			in.t.Fatalf("%s exited at start:\n%s", in.name, in.logs())
		default:
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("%s does not answer after 30 s:\n%s", in.name, in.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) logs() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.log.String()
}

func (in *instance) pid() int { return in.cmd.Process.Pid }

// kill sends SIGKILL, as the kernel's OOM killer or a pulled plug would.
func (in *instance) kill() {
	if in.cmd == nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.done
}

// signal sends sig to the process.
func (in *instance) signal(sig syscall.Signal) { _ = in.cmd.Process.Signal(sig) }

// wait waits at most d for the process to exit.
func (in *instance) wait(d time.Duration) (code int, ok bool) {
	select {
	case <-in.done:
		return in.exitCode, true
	case <-time.After(d):
		return -1, false
	}
}
