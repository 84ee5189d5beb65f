package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
)

// negativeMark prefixes a command-line word that looks like a short flag but
// is a negative number given as an argument. No real argument can contain
// it: the strings of argv end at the first NUL.
const negativeMark = "\x00"

// markNegativeNumbers lets arguments be negative numbers, as DELTA is in
// "inventory adjust --store 1 643 -3 --reason x": kong reads every word that
// starts with "-" as a short flag, and rejects "-3" as an unknown one. Each
// such word that stands where an argument may be (not after a flag that
// takes a value, and not after "--", where kong takes words as they are) is
// prefixed with negativeMark, which kong does not read as a flag and
// intMapper removes. aforroctl has no digit flags, so nothing else changes.
func markNegativeNumbers(model *kong.Application, args []string) []string {
	takesValue := valueFlags(model.Node)
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
		if isNegativeInteger(a) && (i == 0 || !takesValue[args[i-1]]) {
			out[i] = negativeMark + a
		}
	}
	return out
}

// valueFlags returns the spellings ("--store", "-o") of every flag of n and
// its subcommands that takes a value from the next word.
func valueFlags(n *kong.Node) map[string]bool {
	m := map[string]bool{}
	var walk func(*kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			if f.IsBool() || f.IsCounter() {
				continue
			}
			m["--"+f.Name] = true
			for _, alias := range f.Aliases {
				m["--"+alias] = true
			}
			if f.Short != 0 {
				m["-"+string(f.Short)] = true
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	return m
}

// isNegativeInteger reports whether s is "-" and decimal digits.
func isNegativeInteger(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// intMappers decode int and int64 arguments and flags in base 10 (so "010"
// is ten, not kong's octal eight), accepting numbers marked by
// markNegativeNumbers.
func intMappers() []kong.Option {
	return []kong.Option{
		kong.TypeMapper(reflect.TypeFor[int](), intMapper(strconv.IntSize)),
		kong.TypeMapper(reflect.TypeFor[int64](), intMapper(64)),
	}
}

// intMapper decodes a signed integer of the given size.
func intMapper(bits int) kong.MapperFunc {
	return func(ctx *kong.DecodeContext, target reflect.Value) error {
		t, err := ctx.Scan.PopValue("int")
		if err != nil {
			return err
		}
		s := strings.TrimPrefix(fmt.Sprint(t.Value), negativeMark)
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return fmt.Errorf("expected a valid %d bit int but got %q", bits, s)
		}
		target.SetInt(n)
		return nil
	}
}

// unmarkNegative removes negativeMark from a parse error's message, for a
// marked word kong reports as such (e.g. "unexpected argument -3").
func unmarkNegative(msg string) string {
	return strings.ReplaceAll(strings.ReplaceAll(msg, negativeMark, ""), `\x00`, "")
}
