package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestCompletion asks aforroctl, run as the shell runs it (COMP_LINE set),
// for completions of partial command lines.
func TestCompletion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want []string
	}{
		{"aforroctl sto", []string{"stores"}},
		{"aforroctl log", []string{"login", "logout"}},
		{"aforroctl orders ", []string{"cancel", "list", "place", "show"}},
		{"aforroctl orders list --st", []string{"--status", "--store"}},
		{"aforroctl completion ", []string{"bash", "fish", "zsh"}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0])
			cmd.Env = []string{runAsMainEnv + "=1", "COMP_LINE=" + tc.line, "HOME=" + t.TempDir()}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := strings.Fields(string(out))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("completions of %q = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{
		"bash": "complete -o default -o bashdefault -C ",
		"zsh":  "autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -o bashdefault -C ",
		"fish": "function __complete_aforroctl\n",
	} {
		r := runCLI(t, invocation{args: []string{"completion", shell}, env: baseEnv(t)})
		if r.code != 0 || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, "aforroctl") {
			t.Errorf("completion %s: exit %d, stdout %q, stderr %q", shell, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, invocation{args: []string{"completion", "tcsh"}, env: baseEnv(t)}); r.code != exitUsage {
		t.Errorf("completion tcsh: exit %d, want %d", r.code, exitUsage)
	}
}
