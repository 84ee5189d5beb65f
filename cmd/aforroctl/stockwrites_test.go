package main

import (
	"context"
	"testing"

	"github.com/aforro/aforro/client"
)

// TestStockWritesGolden covers --expected and --idempotency-key of
// inventory set and adjust. Store 1 holds 3 of product 2.
func TestStockWritesGolden(t *testing.T) {
	t.Parallel()
	setFirst := func(t *testing.T, c *client.Client) {
		t.Helper()
		if _, _, _, err := c.SetStockWith(context.Background(), 1, 2, 40, "received", client.StockOptions{IdempotencyKey: "count-7"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, c *client.Client)
		args  []string
	}{
		{"inventory-set-expected", nil, []string{"inventory", "set", "--store", "1", "2", "40", "--reason", "count", "--expected", "3"}},
		{"inventory-set-stale", nil, []string{"inventory", "set", "--store", "1", "2", "40", "--reason", "count", "--expected", "5"}},
		{"inventory-set-stale-json", nil, []string{"inventory", "set", "--store", "1", "2", "40", "--reason", "count", "--expected", "5", "-o", "json"}},
		{"inventory-set-replayed", setFirst, []string{"inventory", "set", "--store", "1", "2", "40", "--reason", "received", "--idempotency-key", "count-7"}},
		{"inventory-set-key-reused", setFirst, []string{"inventory", "set", "--store", "1", "2", "41", "--reason", "received", "--idempotency-key", "count-7"}},
		{"inventory-adjust-expected", nil, []string{"inventory", "adjust", "--store", "1", "2", "-1", "--reason", "shrinkage", "--expected", "3"}},
		{"inventory-adjust-stale", nil, []string{"inventory", "adjust", "--store", "1", "2", "-1", "--reason", "shrinkage", "--expected", "2"}},
		{"usage-inventory-set-bad-expected", nil, []string{"inventory", "set", "--store", "1", "2", "4", "--reason", "other", "--expected", "many"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			if tc.setup != nil {
				tc.setup(t, srv.apiClient(t))
			}
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			inv := invocation{args: tc.args, env: env}
			got := clockTimes.ReplaceAllString(transcript(inv, runCLI(t, inv), placeholders(srv.URL, srv.URL)...), "<now>")
			golden(t, tc.name, got)
		})
	}
}

// TestAdjustTwiceWithOneKey repeats an adjust with its key: one change.
func TestAdjustTwiceWithOneKey(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
	args := []string{"inventory", "adjust", "--store", "1", "2", "+5", "--reason", "correction", "--idempotency-key", "adj-1", "-o", "json"}
	first := runCLI(t, invocation{args: args, env: env})
	again := runCLI(t, invocation{args: args, env: env})
	if first.code != 0 || again.code != 0 || first.stdout != again.stdout || first.stderr != "" || again.stderr == "" {
		t.Fatalf("first %d %q %q, again %d %q %q", first.code, first.stdout, first.stderr, again.code, again.stdout, again.stderr)
	}
	it, err := srv.apiClient(t).InventoryItem(context.Background(), 1, 2)
	if err != nil || it.Quantity != 8 {
		t.Errorf("quantity %d (%v), want 8", it.Quantity, err)
	}
}
