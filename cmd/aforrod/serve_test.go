package main

import (
	"strings"
	"testing"
)

// TestServeRefusesBadReplicaSettings: the replica, lag, read-your-writes
// and LISTEN settings are checked before anything starts, with one line
// naming the setting, and exit code 2.
func TestServeRefusesBadReplicaSettings(t *testing.T) {
	replica := "postgres://postgres@127.0.0.1:1/aforro?sslmode=disable"
	tests := []struct {
		name string
		args []string
		env  string // AFORRO_READ_DATABASE_URLS
		want string
	}{
		{"window not above the lag", []string{"--read-database-url", replica, "--max-replica-lag", "5s", "--read-your-writes-window", "5s"}, "",
			"--read-your-writes-window (5s) must exceed --max-replica-lag (5s)"},
		{"window not above the lag, from the environment", []string{"--read-your-writes-window", "2s"}, replica + "," + replica,
			"--read-your-writes-window (2s) must exceed --max-replica-lag (5s)"},
		{"lag too small", []string{"--max-replica-lag", "10ms"}, "", "--max-replica-lag must be at least 100ms"},
		{"replica URL", []string{"--read-database-url", "postgres://%zz"}, "", "--read-database-url postgres://%zz"},
		{"one bad replica URL among several", nil, replica + ",postgres://%zz", "--read-database-url postgres://%zz"},
		{"LISTEN URL", []string{"--listen-database-url", "postgres://%zz"}, "", "--listen-database-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AFORRO_READ_DATABASE_URLS", tt.env)
			var stdout, stderr strings.Builder
			code := run(append([]string{"serve"}, tt.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}
