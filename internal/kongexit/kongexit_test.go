package kongexit

import (
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

type cli struct {
	Serve struct {
		Port int `required:""`
	} `cmd:""`
	Boom boomFlag `help:"Panics while parsing."`
}

// boomFlag panics with something else than kong's Exit.
type boomFlag bool

func (boomFlag) BeforeReset() error { panic("boom") }

func TestParse(t *testing.T) {
	tests := []struct {
		args       []string
		wantExited bool
		wantErr    string
		wantHelps  int
	}{
		{args: []string{"serve", "--port", "1"}},
		{args: []string{"--help"}, wantExited: true, wantHelps: 1},
		// Unwinding at the first Exit is what keeps a second --help from printing twice.
		{args: []string{"--help", "--help"}, wantExited: true, wantHelps: 1},
		{args: []string{"serve", "--help"}, wantExited: true, wantHelps: 1},
		{args: nil, wantErr: `expected "serve"`},
		{args: []string{"serve", "--bogus"}, wantErr: "unknown flag --bogus"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var (
				c    cli
				out  strings.Builder
				code = -1
			)
			p, err := kong.New(&c, kong.Name("x"), kong.Writers(&out, &out), Option(&code))
			if err != nil {
				t.Fatal(err)
			}
			kctx, exited, err := Parse(p, tt.args)
			if exited != tt.wantExited {
				t.Fatalf("exited %v, want %v", exited, tt.wantExited)
			}
			if exited {
				if code != 0 || kctx != nil || err != nil {
					t.Errorf("code %d, context %v, error %v; want code 0 and neither", code, kctx, err)
				}
			} else if code != -1 {
				t.Errorf("code %d was set without an exit", code)
			}
			if got := strings.Count(out.String(), "Usage: x"); got != tt.wantHelps {
				t.Errorf("help printed %d times, want %d:\n%s", got, tt.wantHelps, out.String())
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one saying %q", err, tt.wantErr)
			case tt.wantErr == "" && !exited && kctx == nil:
				t.Error("no context for a good command line")
			}
		})
	}
}

func TestParseRepanics(t *testing.T) {
	var c cli
	code := -1
	p, err := kong.New(&c, kong.Writers(new(strings.Builder), new(strings.Builder)), Option(&code))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the hook's own panic", r)
		}
	}()
	_, _, _ = Parse(p, []string{"--boom", "serve", "--port", "1"})
	t.Error("Parse returned from a foreign panic")
}
