// Package kongexit lets a command's run function parse its command line with
// kong and return an exit code where kong would end the process (after
// printing --help), so that tests can run the command in-process.
package kongexit

import "github.com/alecthomas/kong"

// unwind is the panic value that carries kong's Exit back to Parse. A panic
// is needed because kong's Parse goes on after Exit returns: it would run the
// remaining hooks (a second --help prints the help again) and report errors
// such as a missing command.
type unwind struct{}

// Option is the kong option that makes Exit store its code in *code and
// unwind to Parse instead of ending the process.
func Option(code *int) kong.Option {
	return kong.Exit(func(c int) {
		*code = c
		panic(unwind{})
	})
}

// Parse parses args with p, a parser built with Option. exited reports that
// kong called Exit during the parse; its code is then in Option's variable,
// and kctx and err are nil. Any other panic goes on up.
func Parse(p *kong.Kong, args []string) (kctx *kong.Context, exited bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unwind); !ok {
				panic(r)
			}
			kctx, exited, err = nil, true, nil
		}
	}()
	kctx, err = p.Parse(args)
	return kctx, false, err
}
