package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLoginSaysWhoTheTokenIs checks that login names the token, its role
// and its stores as the server knows them.
func TestLoginSaysWhoTheTokenIs(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		name, token, want string
	}{
		{"staff of two stores", srv.Token(t, "staff", 2, 1), `as "test staff": staff token for stores 1 Downtown, 2 Harbour.`},
		{"staff of one store", srv.Token(t, "staff", 3), `as "test staff": staff token for store 3 Empty.`},
		{"staff of every store", srv.Token(t, "staff"), `as "test staff": staff token for every store.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", tc.token}, env: env})
			if r.code != 0 || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want stdout with %q", r.code, r.stdout, r.stderr, tc.want)
			}
		})
	}
	t.Run("-o json is the server's answer", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", srv.Admin, "-o", "json"}, env: baseEnv(t)})
		if r.code != 0 || !strings.HasPrefix(r.stdout, `{"id":`) || !strings.Contains(r.stdout, `"role":"admin"`) {
			t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("logging in again keeps the TUI's store", func(t *testing.T) {
		t.Parallel()
		env := baseEnv(t)
		path := filepath.Join(env["XDG_CONFIG_HOME"], "aforro", "config.json")
		if err := writeConfig(path, config{Server: srv.URL, Token: "afr_old", LastStore: 2}); err != nil {
			t.Fatal(err)
		}
		if r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", srv.Admin}, env: env}); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkConfigFile(t, path, config{Server: srv.URL, Token: srv.Admin, LastStore: 2})
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	env := baseEnv(t)
	path := filepath.Join(env["XDG_CONFIG_HOME"], "aforro", "config.json")
	if r := runCLI(t, invocation{args: []string{"login", "--server", srv.URL, "--token", srv.Admin}, env: env}); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	if err := saveLastStore(path, 1); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name           string
		args           []string
		env            map[string]string
		code           int
		stdout, stderr string
	}{
		{"logout", []string{"logout"}, nil, 0, "Logged out: removed the token from " + path + ".\n", ""},
		{"a command after logout", []string{"inventory", "list", "--store", "1"}, nil, 1, "",
			"aforroctl: Authentication required: send Authorization: Bearer <token>.\n" +
				"No token: run \"aforroctl login --token afr_...\" once, or set AFORRO_TOKEN.\n"},
		{"logout again", []string{"logout"}, nil, 0, "Not logged in: " + path + " holds no token.\n", ""},
		{"logout with AFORRO_TOKEN set", []string{"logout"}, map[string]string{"AFORRO_TOKEN": "afr_x"}, 0,
			"Not logged in: " + path + " holds no token.\n",
			"AFORRO_TOKEN is still set in this environment, and commands use it: unset AFORRO_TOKEN.\n"},
		{"a refused token from the environment", []string{"orders", "list"}, map[string]string{"AFORRO_TOKEN": "afr_x"}, 1, "",
			"aforroctl: The token is unknown or revoked.\n" +
				"The token from AFORRO_TOKEN was refused: run \"aforroctl login\" with a live one.\n"},
	}
	for _, st := range steps {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		for k, v := range st.env {
			e[k] = v
		}
		r := runCLI(t, invocation{args: st.args, env: e})
		if r.code != st.code || r.stdout != st.stdout || r.stderr != st.stderr {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
				st.name, r.code, r.stdout, r.stderr, st.code, st.stdout, st.stderr)
		}
	}
	// The server URL and the TUI's store stay.
	checkConfigFile(t, path, config{Server: srv.URL, LastStore: 1})
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"--version"}, env: baseEnv(t)})
	if r.code != 0 || !strings.HasPrefix(r.stdout, "aforroctl ") || !strings.Contains(r.stdout, " go1.") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the version line", r.code, r.stdout, r.stderr)
	}
}
