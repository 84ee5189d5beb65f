package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	kongcompletion "github.com/jotaen/kong-completion"
)

// registerCompletion makes aforroctl answer a shell's completion request
// (COMP_LINE set by bash's complete -C, or the fish function below) with the
// commands and flags of the command tree, and report that it did so that
// run returns without running a command. kong-completion derives the
// completions from the kong model, so they follow every change to it.
func registerCompletion(parser *kong.Kong) (completed bool, code int) {
	code = -1
	kongcompletion.Register(parser,
		kongcompletion.WithExitFunc(func(c int) { code = c }),
		kongcompletion.WithErrorHandler(func(err error) { fmt.Fprintln(parser.Stderr, "aforroctl: completion:", err) }))
	return code >= 0, code
}

// CompletionCmd prints the shell code that turns on tab completion.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: bash, zsh or fish."`
}

// Help is shown under the usage of the command.
func (CompletionCmd) Help() string {
	return "Prints the code that makes the shell complete aforroctl's commands and flags\n" +
		"(the shell then asks aforroctl itself, so completions always match this\n" +
		"version). Load it in the shell's init file:\n\n" +
		"    echo 'source <(aforroctl completion bash)' >> ~/.bashrc\n" +
		"    echo 'source <(aforroctl completion zsh)' >> ~/.zshrc\n" +
		"    echo 'aforroctl completion fish | source' >> ~/.config/fish/config.fish"
}

// completionScripts are the init code of each shell; %[1]s is the binary's
// absolute path, %[2]s its name. They are kong-completion's, which does not
// export them.
var completionScripts = map[string]string{
	"bash": "complete -o default -o bashdefault -C %[1]s %[2]s\n",
	"zsh":  "autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -o bashdefault -C %[1]s %[2]s\n",
	"fish": `function __complete_%[2]s
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    %[1]s
end
complete -f -c %[2]s -a "(__complete_%[2]s)"
`,
}

// Run prints the shell's init code.
func (c *CompletionCmd) Run(a *app) error {
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find aforroctl's path: %w", err)
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return fmt.Errorf("find aforroctl's path: %w", err)
	}
	if strings.ContainsAny(bin, " \t\n'\"$\\`") {
		bin = "'" + strings.ReplaceAll(bin, "'", `'\''`) + "'"
	}
	_, err = fmt.Fprintf(a.out.stdout, completionScripts[c.Shell], bin, "aforroctl")
	return err
}
