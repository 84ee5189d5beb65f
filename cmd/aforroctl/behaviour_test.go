package main

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// get fetches path from the server with the admin token, returning the body.
func (ts *testServer) get(t *testing.T, path string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.Admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJSONOutputIsTheAPIsJSON(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withSummaries(t, srv)
	tests := []struct {
		args []string
		path string
	}{
		{[]string{"search", "gaming", "laptop", "--store", "1", "--in-stock", "--sort", "price_asc"},
			"/api/search/products/?q=gaming+laptop&store_id=1&in_stock=true&sort=price_asc"},
		{[]string{"search", "--category", "1", "--min-price", "10", "--max-price", "1000.5", "--page-size", "1", "--page", "2"},
			"/api/search/products/?category=1&min_price=10.00&max_price=1000.50&page=2&page_size=1"},
		{[]string{"search", "--store", "2", "--no-in-stock"}, "/api/search/products/?store_id=2&in_stock=false"},
		{[]string{"suggest", "lap"}, "/api/search/suggest/?q=lap"},
		{[]string{"summary", "latest"}, "/api/summaries/latest/"},
		{[]string{"summary", "latest", "--store", "2"}, "/api/summaries/?store_id=2&page_size=1"},
		{[]string{"summary", "show", "--date", "2026-03-01", "--store", "all"}, "/api/summaries/?date=2026-03-01&store_id=all"},
		{[]string{"jobs"}, "/api/admin/jobs/"},
		{[]string{"stores", "list"}, "/api/stores/"},
		{[]string{"stores", "show", "2"}, "/api/stores/2/"},
		{[]string{"categories", "list", "--page-size", "1", "--page", "2"}, "/api/categories/?page=2&page_size=1"},
		{[]string{"categories", "show", "1"}, "/api/categories/1/"},
		{[]string{"products", "list", "--category", "1"}, "/api/products/?category=1"},
		{[]string{"products", "show", "1"}, "/api/products/1/"},
		{[]string{"inventory", "list", "--store", "1", "--low-stock", "--q", "o"}, "/api/stores/1/inventory/?low_stock=true&q=o"},
		{[]string{"inventory", "show", "--store", "1", "2"}, "/api/stores/1/inventory/2/"},
		{[]string{"inventory", "movements", "--store", "1", "2", "--page-size", "2"}, "/api/stores/1/inventory/2/movements/?page_size=2"},
		{[]string{"orders", "list", "--store", "1", "--status", "rejected"}, "/api/stores/1/orders/?status=rejected"},
		{[]string{"orders", "list", "--status", "rejected"}, "/api/orders/?status=rejected"},
		{[]string{"orders", "list", "--page-size", "2", "--page", "2"}, "/api/orders/?page=2&page_size=2"},
		{[]string{"products", "list", "--updated-since", "2026-02-01", "--category", "1"}, "/api/products/?category=1&updated_since=2026-02-01T00:00:00Z"},
		{[]string{"orders", "show", "2"}, "/api/orders/2/"},
		{[]string{"health"}, "/readyz"},
		{[]string{"health", "--live"}, "/healthz"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			r := runCLI(t, invocation{args: append(tc.args, "-o", "json"), env: env})
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if want := srv.get(t, tc.path); r.stdout != want {
				t.Errorf("stdout\n got %s\nwant %s", r.stdout, want)
			}
		})
	}
	t.Run("--all streams the results as JSON lines", func(t *testing.T) {
		t.Parallel()
		env := baseEnv(t)
		env["AFORRO_URL"] = srv.URL
		r := runCLI(t, invocation{args: []string{"products", "list", "--all", "--page-size", "2", "-o", "json"}, env: env})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var page struct{ Results []json.RawMessage }
		if err := json.Unmarshal([]byte(srv.get(t, "/api/products/")), &page); err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, p := range page.Results {
			want.Write(p)
			want.WriteByte('\n')
		}
		if d := cmp.Diff(want.String(), r.stdout); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

func TestSettingsPrecedence(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	down := closedURL(t)
	const bogus = "afr_bogus"
	tests := []struct {
		name     string
		file     *config // nil: no config file
		env      map[string]string
		flags    []string
		wantCode int
	}{
		{"config file", &config{Server: srv.URL, Token: srv.Admin}, nil, nil, 0},
		{"env beats file: server", &config{Server: down, Token: srv.Admin},
			map[string]string{"AFORRO_URL": srv.URL}, nil, 0},
		{"env beats file: token", &config{Server: srv.URL, Token: bogus},
			map[string]string{"AFORRO_TOKEN": srv.Admin}, nil, 0},
		{"env beats file: unreachable env server wins", &config{Server: srv.URL, Token: srv.Admin},
			map[string]string{"AFORRO_URL": down}, nil, 3},
		{"env beats file: bad env token wins", &config{Server: srv.URL, Token: srv.Admin},
			map[string]string{"AFORRO_TOKEN": bogus}, nil, 1},
		{"flag beats env: server", nil, map[string]string{"AFORRO_URL": down, "AFORRO_TOKEN": srv.Admin},
			[]string{"--server", srv.URL}, 0},
		{"flag beats env: token", nil, map[string]string{"AFORRO_URL": srv.URL, "AFORRO_TOKEN": bogus},
			[]string{"--token", srv.Admin}, 0},
		{"flag beats file", &config{Server: down, Token: bogus}, nil,
			[]string{"--server", srv.URL, "--token", srv.Admin}, 0},
		{"flag beats env and file: unreachable flag server wins", &config{Server: srv.URL, Token: srv.Admin},
			map[string]string{"AFORRO_URL": srv.URL}, []string{"--server", down}, 3},
		{"file fills in what env leaves unset", &config{Server: down, Token: srv.Admin},
			map[string]string{"AFORRO_URL": srv.URL}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			maps.Copy(env, tc.env)
			if tc.file != nil {
				path, err := configPath(env)
				if err != nil {
					t.Fatal(err)
				}
				if err := writeConfig(path, *tc.file); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"inventory", "list", "--store", "1"}, tc.flags...)
			r := runCLI(t, invocation{args: args, env: env})
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.wantCode, r.stderr)
			}
		})
	}
	// The default server is not the test server, so this case looks at the
	// resolved settings rather than at a run.
	t.Run("default when nothing is set", func(t *testing.T) {
		t.Parallel()
		s, err := resolveSettings(Globals{}, baseEnv(t), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if s.Server != defaultServer || s.Token != "" {
			t.Errorf("settings = %+v, want the default server and no token", s)
		}
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)

	t.Run("saves the settings for later commands", func(t *testing.T) {
		t.Parallel()
		env := baseEnv(t)
		r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", srv.Admin}, env: env})
		if r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		path := filepath.Join(env["XDG_CONFIG_HOME"], "aforro", "config.json")
		if want := "Logged in to " + srv.URL + ` as "test admin": admin token (every store). Saved to ` + path + ".\n"; r.stdout != want {
			t.Errorf("stdout = %q, want %q", r.stdout, want)
		}
		checkConfigFile(t, path, config{Server: srv.URL, Token: srv.Admin})
		// No flags and no environment: the file supplies server and token.
		r = runCLI(t, invocation{args: []string{"inventory", "list", "--store", "1", "-o", "json"}, env: env})
		if r.code != 0 {
			t.Fatalf("inventory list after login: exit %d: %s", r.code, r.stderr)
		}
		if r.stderr != "" {
			t.Errorf("stderr = %q, want nothing", r.stderr)
		}
	})
	t.Run("token from stdin", func(t *testing.T) {
		t.Parallel()
		env := baseEnv(t)
		env["AFORRO_URL"] = srv.URL
		r := runCLI(t, invocation{args: []string{"login", "--token-stdin"}, env: env, stdin: srv.Admin + "\n"})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkConfigFile(t, filepath.Join(env["XDG_CONFIG_HOME"], "aforro", "config.json"), config{Server: srv.URL, Token: srv.Admin})
	})
	t.Run("replaces an existing file", func(t *testing.T) {
		t.Parallel()
		env := baseEnv(t)
		path, _ := configPath(env)
		if err := writeConfig(path, config{Server: "http://old.example", Token: "afr_old"}); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", srv.Admin}, env: env})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkConfigFile(t, path, config{Server: srv.URL, Token: srv.Admin})
	})
	failures := []struct {
		name  string
		args  []string
		stdin string
		code  int
		msg   string
	}{
		{"without a token", []string{"login", "--server", srv.URL}, "", 2,
			"aforroctl: login needs a token: --token, --token-stdin or AFORRO_TOKEN (on the server, aforrod token create makes one)\n"},
		{"with an empty token on stdin", []string{"login", "--server", srv.URL, "--token-stdin"}, "\n", 2,
			"aforroctl: login needs a token: --token, --token-stdin or AFORRO_TOKEN (on the server, aforrod token create makes one)\n"},
		{"with a token the server does not know", []string{"login", "--server", srv.URL, "--token", "afr_bogus"}, "", 1,
			"aforroctl: The token is unknown or revoked at " + srv.URL + ": not logged in, nothing saved\n"},
		{"to an unreachable server", []string{"login", "--server", closedURL(t), "--token", "afr_x"}, "", 3,
			"aforroctl: cannot reach the server at "},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			r := runCLI(t, invocation{args: tc.args, env: env, stdin: tc.stdin})
			if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr starting %q", r.code, r.stderr, tc.code, tc.msg)
			}
			if _, err := os.Stat(filepath.Join(env["XDG_CONFIG_HOME"], "aforro", "config.json")); !os.IsNotExist(err) {
				t.Errorf("a failed login wrote the config file (stat: %v)", err)
			}
		})
	}
}

// checkConfigFile checks the config file's content and that only its owner
// may read it.
func checkConfigFile(t *testing.T, path string, want config) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("config file: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("config file mode %v, want 0600", perm)
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm()&0o077 != 0 {
		t.Errorf("config directory: %v, %v; want mode 0700", di.Mode(), err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got config
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("config file %s: %v", b, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("config (-want +got):\n%s", d)
	}
}

func TestConfigFileProblems(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		name    string
		content string
		mode    fs.FileMode
		code    int
		stderr  string
	}{
		{"readable by others draws a warning", `{"server": "` + srv.URL + `"}`, 0o644, 0,
			"aforroctl: warning: $CONFIG holds a token but others may read it; run: chmod 600 $CONFIG\n"},
		{"malformed is an error", `{"server": `, 0o600, 1,
			"aforroctl: read config $CONFIG: unexpected end of JSON input (fix it, or run \"aforroctl login\" again)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			path, _ := configPath(env)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // umask may have narrowed it
				t.Fatal(err)
			}
			r := runCLI(t, invocation{args: []string{"stores", "list", "-o", "json"}, env: env})
			if got := strings.ReplaceAll(r.stderr, path, "$CONFIG"); r.code != tc.code || got != tc.stderr {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", r.code, got, tc.code, tc.stderr)
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", "login",
		"stores", "stores list", "stores show", "stores create", "stores update", "stores delete",
		"categories", "categories list", "categories show", "categories create", "categories update", "categories delete",
		"products", "products list", "products show", "products create", "products update", "products delete",
		"search", "suggest",
		"inventory", "inventory list", "inventory show", "inventory set", "inventory adjust", "inventory movements",
		"orders", "orders place", "orders list", "orders show", "orders cancel",
		"summary", "summary latest", "summary show", "summary run", "jobs", "health", "tui"} {
		t.Run("aforroctl "+path, func(t *testing.T) {
			t.Parallel()
			args := append(strings.Fields(path), "--help")
			r := runCLI(t, invocation{args: args, env: baseEnv(t)})
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, want := range []string{"Usage: aforroctl " + path, "Examples:\n", "--server=URL"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("help lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

func TestLowStockColour(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	const (
		red    = "\x1b[1;31m"
		yellow = "\x1b[33m"
	)
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantColor bool
	}{
		{"forced colour", map[string]string{"CLICOLOR_FORCE": "1"}, nil, true},
		{"NO_COLOR wins", map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, nil, false},
		{"dumb terminal", map[string]string{"CLICOLOR_FORCE": "1", "TERM": "dumb"}, nil, false},
		{"not a terminal", nil, nil, false},
		{"warn-at moves the threshold", map[string]string{"CLICOLOR_FORCE": "1"}, []string{"--warn-at", "2"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, tc.env)
			r := runCLI(t, invocation{args: append([]string{"inventory", "list", "--store", "1"}, tc.args...), env: env})
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			lines := map[string]string{}
			for l := range strings.SplitSeq(r.stdout, "\n") {
				for _, title := range []string{"Gaming Laptop", "Wireless Mouse", "Laptop Pro 15"} {
					if strings.Contains(l, title) {
						lines[title] = l
					}
				}
			}
			if !tc.wantColor {
				if strings.Contains(r.stdout, "\x1b[") {
					t.Errorf("output has escape sequences:\n%q", r.stdout)
				}
				return
			}
			if !strings.Contains(lines["Gaming Laptop"], red) {
				t.Errorf("out-of-stock row not red: %q", lines["Gaming Laptop"])
			}
			wantLow := len(tc.args) == 0 // at --warn-at 2, 3 units are not low
			if got := strings.Contains(lines["Wireless Mouse"], yellow); got != wantLow {
				t.Errorf("3-unit row yellow = %v, want %v: %q", got, wantLow, lines["Wireless Mouse"])
			}
			if strings.Contains(lines["Laptop Pro 15"], yellow) || strings.Contains(lines["Laptop Pro 15"], red) {
				t.Errorf("well-stocked row highlighted: %q", lines["Laptop Pro 15"])
			}
		})
	}
}

func TestHealthWhenPostgreSQLIsDown(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.DB.Close()
	env := baseEnv(t)
	env["AFORRO_URL"] = srv.URL
	r := runCLI(t, invocation{args: []string{"health"}, env: env})
	if want := "aforroctl: Not ready: PostgreSQL is unreachable.\n"; r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 1, stderr %q", r.code, r.stderr, want)
	}
	// Liveness does not depend on PostgreSQL.
	if r := runCLI(t, invocation{args: []string{"health", "--live"}, env: env}); r.code != 0 {
		t.Errorf("health --live: exit %d: %s", r.code, r.stderr)
	}
}

func TestInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr strings.Builder
	if code := report(ctx, &stderr, ctx.Err(), ""); code != exitInterrupted || stderr.String() != "aforroctl: interrupted\n" {
		t.Errorf("report = %d, %q", code, stderr.String())
	}
}
