// Package english writes counts for people: "1 line", "3 lines". Both
// programs and the TUI use it, so no message says "1 lines".
package english

import "strconv"

// Plural writes n and the noun that goes with it: one when n is 1 (or -1),
// many otherwise, zero included ("0 stores").
func Plural(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Noun(n, one, many)
}

// Noun is the noun alone that goes with n.
func Noun(n int, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}
