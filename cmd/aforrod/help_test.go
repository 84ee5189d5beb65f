package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpAndVersion checks that --help lists every command, migrate's own
// included, and that --version names the build.
func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	var out, errs bytes.Buffer
	if code := run([]string{"--help"}, &out, &errs); code != 0 {
		t.Fatalf("--help: exit %d: %s", code, errs.String())
	}
	for _, cmd := range []string{"serve", "migrate up", "migrate status", "seed", "token create", "dev", "--version"} {
		if !strings.Contains(out.String(), "\n  "+cmd) && !strings.Contains(out.String(), cmd) {
			t.Errorf("--help does not list %q:\n%s", cmd, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"--version"}, &out, &errs); code != 0 || !strings.HasPrefix(out.String(), "aforrod ") ||
		!strings.Contains(out.String(), " go1.") {
		t.Errorf("--version: exit %d, stdout %q", code, out.String())
	}
}
