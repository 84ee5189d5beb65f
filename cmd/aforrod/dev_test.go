package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/aforro/aforro/db/dbtest"
)

// TestDevTokenKeptAcrossRestarts starts dev's token step as successive
// make run starts on one database would: the first prints a secret, a
// restart keeps that token (a developer logs in once) without printing it
// again, a revoked token or --new-token makes a new one.
func TestDevTokenKeptAcrossRestarts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := dbtest.Open(t)
	secretLine := regexp.MustCompile(`(?m)^  export AFORRO_TOKEN=(afr_\S+)$`)
	start := func(fresh bool) (out string, secret string) {
		t.Helper()
		var b bytes.Buffer
		if err := devToken(ctx, d, &Globals{stdout: &b}, fresh); err != nil {
			t.Fatalf("devToken: %v", err)
		}
		if m := secretLine.FindStringSubmatch(b.String()); m != nil {
			secret = m[1]
		}
		return b.String(), secret
	}
	live := func(secret string) bool {
		t.Helper()
		_, err := d.Authenticate(ctx, secret)
		return err == nil
	}

	out, first := start(false)
	if first == "" || !live(first) {
		t.Fatalf("first start printed %q: want a live token's secret", out)
	}
	out, again := start(false)
	if again != "" || !regexp.MustCompile(`^admin token \d+ \(made .+\) kept from an earlier start, not shown again`).MatchString(out) {
		t.Errorf("restart printed %q: want the kept token named, no secret", out)
	}
	if !live(first) {
		t.Error("a restart revoked the token a developer logged in with")
	}

	// Revoked by hand (aforrod token revoke): the next start makes another.
	toks, err := d.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeToken(ctx, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	out, second := start(false)
	if second == "" || second == first || !live(second) {
		t.Fatalf("start after revoke printed %q: want a new live token", out)
	}

	// --new-token revokes the kept one and prints a new one.
	out, third := start(true)
	if third == "" || third == second || !live(third) || live(second) {
		t.Errorf("--new-token printed %q: want a new live token and the old one revoked", out)
	}
	if toks, err = d.ListTokens(ctx); err != nil {
		t.Fatal(err)
	}
	alive := 0
	for _, tok := range toks {
		if tok.RevokedAt == nil {
			alive++
		}
	}
	if alive != 1 {
		t.Errorf("%d live dev tokens, want 1", alive)
	}
}
