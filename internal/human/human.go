// Package human writes counts and times for people: "1 line", "3 lines",
// "2026-03-01 14:05" in local time. aforrod, aforroctl and the TUI all use
// it, so no message says "1 lines" and a time reads the same everywhere
// (JSON keeps RFC 3339 UTC, for programs).
package human

import (
	"strconv"
	"time"
)

// TimeLayout is how a time is shown to people: to the minute, local time.
const TimeLayout = "2006-01-02 15:04"

// Time writes t for people, in the local time zone (TZ).
func Time(t time.Time) string { return t.Local().Format(TimeLayout) }

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
