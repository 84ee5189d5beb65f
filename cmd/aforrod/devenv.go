package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	neturl "net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/aforro/aforro/db"
)

// ensureServices makes sure PostgreSQL and Redis answer for `aforrod dev`.
// For each that does not answer at its URL, it starts a private server under
// dataDir (reusing its data and port from an earlier run), prints one line to
// out saying so, and returns a URL pointing at it. stop stops whatever was
// started and may be called any number of times; it is never nil.
func ensureServices(ctx context.Context, dbURL, redisURL, dataDir string, out io.Writer, log *slog.Logger) (newDBURL, newRedisURL string, stop func(), err error) {
	env := &devEnv{dataDir: dataDir, out: out, log: log, binDirs: defaultBinDirs()}
	return env.ensure(ctx, dbURL, redisURL)
}

// devEnv holds what ensureServices needs, so that tests can point the search
// for server programs elsewhere.
type devEnv struct {
	dataDir string
	out     io.Writer
	log     *slog.Logger
	// binDirs are searched in order for initdb/pg_ctl and redis-server; an
	// entry may be a glob such as /usr/lib/postgresql/*/bin.
	binDirs []string
}

// probeTimeout bounds each check that a server answers; a local server
// answers in milliseconds, so waiting longer only delays the fallback.
const probeTimeout = 2 * time.Second

// defaultBinDirs is PATH followed by where Debian, Homebrew, Postgres.app and
// the PGDG packages put the server programs, which are often not on PATH.
func defaultBinDirs() []string {
	dirs := filepath.SplitList(os.Getenv("PATH"))
	return append(dirs,
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/bin",
		"/opt/homebrew/opt/postgresql*/bin",
		"/usr/local/opt/postgresql*/bin",
		"/Applications/Postgres.app/Contents/Versions/*/bin",
		"/usr/local/bin",
		"/usr/bin",
		"/usr/sbin",
	)
}

func (e *devEnv) ensure(ctx context.Context, dbURL, redisURL string) (string, string, func(), error) {
	var stops []func()
	stopAll := func() {
		for _, s := range slices.Backward(stops) {
			s()
		}
	}
	var once sync.Once
	stop := func() { once.Do(stopAll) }

	pgCfg, err := db.ConnConfig(dbURL)
	if err != nil {
		return "", "", stop, err
	}
	rdOpts, err := redis.ParseURL(redisURL)
	if err != nil {
		return "", "", stop, fmt.Errorf("parse redis url: %w", err)
	}

	if !pgAnswers(ctx, pgCfg) {
		addr := net.JoinHostPort(pgCfg.Host, strconv.Itoa(int(pgCfg.Port)))
		e.log.Debug("PostgreSQL does not answer; starting a private one", "addr", addr)
		url, s, err := e.startPostgres(ctx, cmp.Or(pgCfg.Database, "aforro"), addr)
		if err != nil {
			return "", "", stop, err
		}
		stops = append(stops, s)
		dbURL = url
	}
	if !redisAnswers(ctx, rdOpts) {
		e.log.Debug("Redis does not answer; starting a private one", "addr", rdOpts.Addr)
		url, s, err := e.startRedis(ctx, rdOpts.DB, rdOpts.Addr)
		if err != nil {
			stop()
			return "", "", stop, err
		}
		stops = append(stops, s)
		redisURL = url
	}
	return dbURL, redisURL, stop, nil
}

// pgAnswers reports whether a PostgreSQL server answers at cfg. An error
// from the server itself (a missing database, a refused role) still counts:
// something is there, and migrate reports or fixes the rest.
func pgAnswers(ctx context.Context, cfg *pgx.ConnConfig) bool {
	cfg = cfg.Copy()
	cfg.ConnectTimeout = probeTimeout
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		conn.Close(ctx)
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr)
}

// redisAnswers reports whether a Redis server answers at opts; an error
// reply such as NOAUTH counts as answering.
func redisAnswers(ctx context.Context, opts *redis.Options) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	// Dial first: go-redis logs every failed dial, and a closed port is the
	// expected case here, not news.
	conn, err := new(net.Dialer).DialContext(ctx, cmp.Or(opts.Network, "tcp"), opts.Addr)
	if err != nil {
		return false
	}
	conn.Close()
	o := *opts
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = probeTimeout, probeTimeout, probeTimeout
	o.MaxRetries, o.DialerRetries = -1, 1
	rdb := redis.NewClient(&o)
	defer rdb.Close()
	err = rdb.Ping(ctx).Err()
	var replyErr redis.Error
	return err == nil || errors.As(err, &replyErr)
}

// startPostgres starts a private cluster in <dataDir>/pg (creating it on the
// first run) and returns a URL for database name on it and a function that
// stops it.
func (e *devEnv) startPostgres(ctx context.Context, name, addr string) (string, func(), error) {
	notFound := fmt.Sprintf("PostgreSQL is not answering at %s and no initdb/pg_ctl was found to start a private one; start PostgreSQL or set --database-url / AFORRO_DATABASE_URL", addr)
	dir := filepath.Join(e.dataDir, "pg")
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	data := filepath.Join(abs, "data")
	existing, _ := os.ReadFile(filepath.Join(data, "PG_VERSION"))
	bin := e.findPostgres(strings.TrimSpace(string(existing)))
	if bin == "" {
		return "", nil, errors.New(notFound)
	}
	// The data directory stays reachable by others (the postgres user, when we
	// are root); each server's own directory is private to it.
	if err := os.MkdirAll(e.dataDir, 0o755); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", e.dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", dir, err)
	}
	as, err := e.unprivileged(abs)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL is not answering at %s and a private one cannot start: %w", addr, err)
	}
	pgCtl := filepath.Join(bin, "pg_ctl")

	if len(existing) == 0 {
		initdb := filepath.Join(bin, "initdb")
		args := []string{"-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"}
		// C.UTF-8 sorts bytewise and is everywhere on Linux, but not on older macOS.
		if _, err := as.run(ctx, abs, initdb, append(args, "--locale=C.UTF-8")...); err != nil {
			if _, err := as.run(ctx, abs, initdb, args...); err != nil {
				return "", nil, fmt.Errorf("create a private PostgreSQL cluster in %s: %w", dir, err)
			}
		}
	} else if _, err := as.run(ctx, abs, pgCtl, "status", "-D", data); err == nil {
		// A run that was killed left its server behind; stop it so that it
		// restarts below on a port known to be ours.
		_, _ = as.run(ctx, abs, pgCtl, "stop", "-D", data, "-m", "fast", "-w")
	}

	port, err := choosePort(filepath.Join(abs, "port"))
	if err != nil {
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", port, socketDir(abs, port))
	// The context may be cancelled already: stopping must still happen.
	stopServer := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := as.run(ctx, abs, pgCtl, "stop", "-D", data, "-m", "fast", "-w")
		return err
	}
	logPath := filepath.Join(abs, "log")
	if _, err := as.run(ctx, abs, pgCtl, "start", "-D", data, "-l", logPath, "-o", opts, "-w", "-t", "60"); err != nil {
		_ = stopServer() // in case it came up after pg_ctl gave up
		return "", nil, fmt.Errorf("start the private PostgreSQL in %s: %s (its log is %s)", dir, lastLogLine(logPath), filepath.Join(dir, "log"))
	}
	stop := func() {
		if err := stopServer(); err != nil {
			e.log.Warn("stop the private PostgreSQL", "dir", dir, "err", err)
		}
	}
	version, _ := os.ReadFile(filepath.Join(data, "PG_VERSION"))
	fmt.Fprintf(e.out, "started a private PostgreSQL %s in %s on 127.0.0.1:%d (stopped on exit)\n", strings.TrimSpace(string(version)), dir, port)
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, neturl.PathEscape(name))
	return url, stop, nil
}

// findPostgres returns the first directory holding both initdb and pg_ctl,
// preferring one whose major version is want (the existing cluster's) when
// want is set, since a cluster only starts under its own major version.
func (e *devEnv) findPostgres(want string) string {
	var found []string
	for _, d := range e.expandDirs() {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return ""
	}
	if want != "" {
		for _, d := range found {
			out, err := exec.Command(filepath.Join(d, "pg_ctl"), "--version").Output()
			if err == nil && pgMajor(string(out)) == want {
				return d
			}
		}
	}
	return found[0]
}

// pgMajor returns the major version in pg_ctl --version's output, such as
// "15" from "pg_ctl (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)".
func pgMajor(s string) string {
	_, after, ok := strings.Cut(s, ") ")
	if !ok {
		return ""
	}
	fields := strings.Fields(after)
	if len(fields) == 0 {
		return ""
	}
	major, _, _ := strings.Cut(fields[0], ".")
	return major
}

var firstNumber = regexp.MustCompile(`\d+`)

// expandDirs resolves the globs in binDirs, newest version first within each
// glob, and drops duplicates.
func (e *devEnv) expandDirs() []string {
	var dirs []string
	for _, d := range e.binDirs {
		if d == "" {
			continue
		}
		matches, _ := filepath.Glob(d)
		slices.SortStableFunc(matches, func(a, b string) int {
			na, _ := strconv.Atoi(firstNumber.FindString(a))
			nb, _ := strconv.Atoi(firstNumber.FindString(b))
			return cmp.Compare(nb, na)
		})
		for _, m := range matches {
			if !slices.Contains(dirs, m) {
				dirs = append(dirs, m)
			}
		}
	}
	return dirs
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// socketDir is the -k value for postgres, quoted for the shell pg_ctl starts
// it through: the cluster's own directory, so a private server never collides
// with a system one's socket, or an empty value (no Unix socket) when that
// path is too long for a socket address or awkward to quote.
func socketDir(dir string, port int) string {
	const maxSocketPath = 103 // sun_path is 104 bytes on macOS, 108 on Linux
	if len(dir)+len(fmt.Sprintf("/.s.PGSQL.%d.lock", port)) > maxSocketPath || strings.ContainsAny(dir, `'"\ $`+"`") {
		return "''"
	}
	return "'" + dir + "'"
}

// runner runs PostgreSQL's programs, as another user when needed.
type runner struct {
	user    string // run as this user; empty means as ourselves
	runuser string // path of runuser; empty means use su
}

// unprivileged returns how to run initdb and pg_ctl. They refuse to run as
// root, so when this process is root they run as the postgres system user
// (through runuser, or su where there is no runuser), and dir is handed to
// that user first.
func (e *devEnv) unprivileged(dir string) (runner, error) {
	if os.Geteuid() != 0 {
		return runner{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runner{}, errors.New("running as root, which initdb and pg_ctl refuse, and there is no postgres user to run them as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for p := filepath.Dir(dir); p != filepath.Dir(p); p = filepath.Dir(p) {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o001 == 0 {
			return runner{}, fmt.Errorf("running as root, so initdb and pg_ctl run as user postgres, who cannot enter %s; make it reachable (chmod o+x) or set --data-dir elsewhere", p)
		}
	}
	err = filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return runner{}, fmt.Errorf("hand %s to the postgres user: %w", dir, err)
	}
	r := runner{user: "postgres"}
	if p, err := exec.LookPath("runuser"); err == nil {
		r.runuser = p
	} else if isExecutable("/usr/sbin/runuser") {
		r.runuser = "/usr/sbin/runuser"
	}
	return r, nil
}

// run runs name with args in dir and returns its combined output; an error
// carries the output's last line, which is where PostgreSQL's programs say
// what went wrong.
func (r runner) run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	argv := append([]string{name}, args...)
	switch {
	case r.user == "":
	case r.runuser != "":
		argv = append([]string{r.runuser, "-u", r.user, "--"}, argv...)
	default:
		quoted := make([]string, len(argv))
		for i, a := range argv {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		argv = []string{"su", "-s", "/bin/sh", "-c", strings.Join(quoted, " "), r.user}
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir // the postgres user may not be allowed into the caller's directory
	out, err := cmd.CombinedOutput()
	if err != nil {
		if line := lastLine(out); line != "" {
			// The programs usually name themselves already: "initdb: error: ...".
			if !strings.HasPrefix(line, filepath.Base(name)+":") {
				line = filepath.Base(name) + ": " + line
			}
			return out, errors.New(line)
		}
		return out, fmt.Errorf("%s: %w", filepath.Base(name), err)
	}
	return out, nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// startRedis starts a private redis-server as a child process with its
// working directory in <dataDir>/redis, and returns a URL for database db on
// it and a function that stops it. It keeps nothing on disk: Redis holds only
// rate-limit counters and the jobs lock.
func (e *devEnv) startRedis(ctx context.Context, db int, addr string) (string, func(), error) {
	var bin string
	for _, d := range e.expandDirs() {
		if p := filepath.Join(d, "redis-server"); isExecutable(p) {
			bin = p
			break
		}
	}
	if bin == "" {
		//lint:ignore ST1005 the message is shown as is and starts with a name.
		return "", nil, fmt.Errorf("Redis is not answering at %s and no redis-server was found to start a private one; start Redis or set --redis-url / AFORRO_REDIS_URL", addr)
	}
	dir := filepath.Join(e.dataDir, "redis")
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	if err := os.MkdirAll(e.dataDir, 0o755); err != nil { // see startPostgres
		return "", nil, fmt.Errorf("create %s: %w", e.dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", dir, err)
	}
	portFile := filepath.Join(abs, "port")
	shutDownLeftover(ctx, portFile, abs)
	port, err := choosePort(portFile)
	if err != nil {
		return "", nil, err
	}
	logPath := filepath.Join(abs, "log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return "", nil, fmt.Errorf("create %s: %w", logPath, err)
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", abs, "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt) // redis-server shuts down cleanly on SIGINT
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
	}

	opts := &redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), DB: db}
	deadline := time.Now().Add(10 * time.Second)
	for !redisAnswers(ctx, opts) {
		select {
		case <-exited:
			return "", nil, fmt.Errorf("the private redis-server in %s exited: %s", dir, lastLogLine(logPath))
		case <-ctx.Done():
			stop()
			return "", nil, fmt.Errorf("start the private redis-server: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("the private redis-server in %s did not answer within 10s (its log is %s)", dir, filepath.Join(dir, "log"))
		}
	}
	version := "server"
	if out, err := exec.Command(bin, "--version").Output(); err == nil {
		// "Redis server v=7.0.15 sha=..." -> "7.0.15"
		if _, v, ok := strings.Cut(string(out), "v="); ok && len(strings.Fields(v)) > 0 {
			version = strings.Fields(v)[0]
		}
	}
	fmt.Fprintf(e.out, "started a private Redis %s in %s on %s (stopped on exit)\n", version, dir, opts.Addr)
	return fmt.Sprintf("redis://%s/%d", opts.Addr, db), stop, nil
}

// shutDownLeftover stops a private redis-server that a killed run left on
// the port recorded in portFile, so that port is free again. It is ours only
// if it works in dir; anything else there is left alone.
func shutDownLeftover(ctx context.Context, portFile, dir string) {
	b, err := os.ReadFile(portFile)
	if err != nil {
		return
	}
	opts := &redis.Options{Addr: net.JoinHostPort("127.0.0.1", string(bytes.TrimSpace(b)))}
	if !redisAnswers(ctx, opts) {
		return
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	real, _ := filepath.EvalSymlinks(dir) // redis-server reports its getcwd()
	if got, err := rdb.ConfigGet(ctx, "dir").Result(); err == nil && (got["dir"] == dir || got["dir"] == real) {
		_ = rdb.ShutdownNoSave(ctx).Err() // the connection closes without a reply
		for i := 0; i < 50 && redisAnswers(ctx, opts); i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func lastLogLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var last string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	return cmp.Or(last, "no output")
}

// choosePort returns the loopback port recorded in file when it is free, and
// otherwise a free one, which it records so the next run uses it again.
func choosePort(file string) (int, error) {
	if b, err := os.ReadFile(file); err == nil {
		if p, err := strconv.Atoi(string(bytes.TrimSpace(b))); err == nil && portFree(p) {
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := os.WriteFile(file, []byte(strconv.Itoa(p)+"\n"), 0o644); err != nil {
		return 0, fmt.Errorf("record the port: %w", err)
	}
	return p, nil
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
