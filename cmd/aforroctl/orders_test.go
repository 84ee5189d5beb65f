package main

import (
	"context"
	"io"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// apiClient returns a client of srv with its admin token, for setting up
// state the way any API user would.
func (ts *testServer) apiClient(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(ts.URL, client.WithToken(ts.Admin))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lines builds order lines from product id and quantity pairs.
func lines(pairs ...int) []aforro.OrderLine {
	var ls []aforro.OrderLine
	for i := 0; i+1 < len(pairs); i += 2 {
		ls = append(ls, aforro.OrderLine{ProductID: int64(pairs[i]), QuantityRequested: pairs[i+1]})
	}
	return ls
}

// mustPlace places an order through the API.
func mustPlace(t *testing.T, c *client.Client, storeID int64, key string, ls []aforro.OrderLine) aforro.Order {
	t.Helper()
	o, _, err := c.PlaceOrder(context.Background(), aforro.PlaceOrder{StoreID: storeID, Items: ls}, key)
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	return o
}

// withOrders gives the fixture a history, then fixes its times so the
// golden files do not depend on the clock:
//
//	order 1  store 1  CONFIRMED  1x2, 2x1, ana@example.com
//	order 2  store 1  REJECTED   3x1 (none in stock), 4x2, 5x2000 (1200 in stock)
//	order 3  store 1  CANCELLED  4x1
//	order 4  store 2  CONFIRMED  5x1
//	store 1, product 2: set to 40 ("delivery 2211"), then adjusted by -2 ("damaged")
func withOrders(t *testing.T, srv *testServer) {
	t.Helper()
	c := srv.apiClient(t)
	ctx := context.Background()
	if _, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 1, Items: lines(1, 2, 2, 1), CustomerEmail: "ana@example.com"}, ""); err != nil {
		t.Fatal(err)
	}
	mustPlace(t, c, 1, "", lines(3, 1, 4, 2, 5, 2000))
	mustPlace(t, c, 1, "", lines(4, 1))
	if _, err := c.CancelOrder(ctx, 3); err != nil {
		t.Fatal(err)
	}
	mustPlace(t, c, 2, "", lines(5, 1))
	if _, _, err := c.SetStock(ctx, 1, 2, 40, "received"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdjustStock(ctx, 1, 2, -2, "damaged"); err != nil {
		t.Fatal(err)
	}
	srv.Exec(t, `
UPDATE orders SET created_at = '2026-03-01T09:00:00Z'::timestamptz + id * interval '1 hour',
  cancelled_at = CASE WHEN status = 'CANCELLED' THEN '2026-03-02T12:30:00Z'::timestamptz END;
UPDATE stock_movements SET created_at = '2026-03-01T08:00:00Z'::timestamptz + id * interval '1 minute';
UPDATE inventory SET updated_at = '2026-03-03T00:00:00Z' WHERE updated_at > '2026-02-01T00:00:00Z';`)
}

func TestOrderAndInventoryGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	harbourStaff := srv.Token(t, aforro.RoleStaff, 2)
	unreachable := closedURL(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string // added to the base environment
	}{
		{"orders-show", []string{"orders", "show", "1"}, nil},
		{"orders-show-rejected", []string{"orders", "show", "2"}, nil},
		{"orders-show-cancelled", []string{"orders", "show", "3"}, nil},
		{"orders-show-json", []string{"orders", "show", "2", "-o", "json"}, nil},
		{"orders-list", []string{"orders", "list", "--store", "1"}, nil},
		{"orders-list-rejected", []string{"orders", "list", "--store", "1", "--status", "rejected"}, nil},
		{"orders-list-json", []string{"orders", "list", "--store", "1", "-o", "json"}, nil},
		{"orders-list-all-json", []string{"orders", "list", "--store", "1", "--all", "--page-size", "2", "-o", "json"}, nil},
		{"orders-list-page", []string{"orders", "list", "--store", "1", "--page-size", "2"}, nil},
		{"orders-list-empty", []string{"orders", "list", "--store", "3"}, nil},
		{"orders-list-store-csv", []string{"orders", "list", "--store", "1", "-o", "csv"}, nil},
		// Without --store: every store's orders the token covers.
		{"orders-list-every-store", []string{"orders", "list"}, nil},
		{"orders-list-every-store-confirmed", []string{"orders", "list", "--status", "CONFIRMED"}, nil},
		{"orders-list-every-store-page", []string{"orders", "list", "--page-size", "3"}, nil},
		{"orders-list-every-store-json", []string{"orders", "list", "-o", "json"}, nil},
		{"orders-list-every-store-all-json", []string{"orders", "list", "--all", "--page-size", "3", "-o", "json"}, nil},
		{"orders-list-every-store-all-csv", []string{"orders", "list", "--all", "--page-size", "3", "-o", "csv"}, nil},
		{"orders-list-every-store-all", []string{"orders", "list", "--all", "--page-size", "3"}, nil},
		{"orders-list-scoped", []string{"orders", "list"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"inventory-movements-csv", []string{"inventory", "movements", "--store", "1", "2", "-o", "csv"}, nil},
		{"inventory-show", []string{"inventory", "show", "--store", "1", "2"}, nil},
		{"inventory-show-out-of-stock", []string{"inventory", "show", "--store", "1", "3"}, nil},
		{"inventory-show-json", []string{"inventory", "show", "--store", "1", "2", "-o", "json"}, nil},
		{"inventory-movements", []string{"inventory", "movements", "--store", "1", "2"}, nil},
		{"inventory-movements-orders", []string{"inventory", "movements", "--store", "1", "4"}, nil},
		{"inventory-movements-json", []string{"inventory", "movements", "--store", "1", "2", "-o", "json"}, nil},
		{"inventory-movements-all", []string{"inventory", "movements", "--store", "1", "2", "--all", "--page-size", "1"}, nil},
		{"inventory-movements-all-json", []string{"inventory", "movements", "--store", "1", "2", "--all", "--page-size", "1", "-o", "json"}, nil},
		{"inventory-reorder", []string{"inventory", "reorder", "--store", "1", "4", "60", "--quantity", "100"}, nil},
		{"inventory-reorder-clear", []string{"inventory", "reorder", "--store", "1", "4", "--clear"}, nil},
		{"inventory-reorder-forbidden", []string{"inventory", "reorder", "--store", "1", "4", "3"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"usage-inventory-reorder-no-point", []string{"inventory", "reorder", "--store", "1", "4"}, nil},
		{"usage-inventory-reorder-clear-and-point", []string{"inventory", "reorder", "--store", "1", "4", "3", "--clear"}, nil},
		{"usage-inventory-reorder-negative", []string{"inventory", "reorder", "--store", "1", "4", "--", "-1"}, nil},

		// API errors: exit 1.
		{"orders-show-not-found", []string{"orders", "show", "99"}, nil},
		{"orders-show-forbidden", []string{"orders", "show", "1"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"orders-list-bad-status", []string{"orders", "list", "--store", "1", "--status", "shipped"}, nil},
		{"orders-list-every-store-bad-status", []string{"orders", "list", "--status", "shipped"}, nil},
		{"orders-list-forbidden-store", []string{"orders", "list", "--store", "1"}, map[string]string{"AFORRO_TOKEN": harbourStaff}},
		{"orders-list-no-token", []string{"orders", "list"}, map[string]string{"AFORRO_TOKEN": ""}},
		{"orders-cancel-rejected", []string{"orders", "cancel", "2"}, nil},
		{"orders-cancel-cancelled", []string{"orders", "cancel", "3"}, nil},
		{"inventory-show-not-stocked", []string{"inventory", "show", "--store", "2", "1"}, nil},
		{"inventory-movements-not-stocked", []string{"inventory", "movements", "--store", "2", "1"}, nil},
		// Usage errors: exit 2.
		{"usage-orders-place-no-item", []string{"orders", "place", "--store", "1"}, nil},
		{"usage-orders-place-bad-item", []string{"orders", "place", "--store", "1", "--item", "643x2"}, nil},
		{"usage-orders-list-negative-argument", []string{"orders", "list", "--store", "1", "-3"}, nil},
		{"usage-inventory-adjust-no-reason", []string{"inventory", "adjust", "--store", "1", "2", "-3"}, nil},
		{"usage-inventory-set-unknown-reason", []string{"inventory", "set", "--store", "1", "2", "3", "--reason", "delivery 2211"}, nil},
		{"usage-inventory-adjust-long-reference", []string{"inventory", "adjust", "--store", "1", "2", "-3", "--reason", "count", "--reference", strings.Repeat("r", 201)}, nil},
		{"usage-inventory-adjust-no-delta", []string{"inventory", "adjust", "--store", "1", "2", "--reason", "other"}, nil},
		{"usage-inventory-adjust-bad-delta", []string{"inventory", "adjust", "--store", "1", "2", "-3x", "--reason", "other"}, nil},
		{"usage-inventory-set-negative-store", []string{"inventory", "set", "--store", "-1", "2", "3", "--reason", "other"}, nil},
		// The server cannot be reached: exit 3.
		{"unreachable-orders-place", []string{"orders", "place", "--store", "1", "--item", "1:2", "--idempotency-key", "till3-000123"},
			map[string]string{"AFORRO_URL": unreachable}},
		{"unreachable-inventory-adjust", []string{"inventory", "adjust", "--store", "1", "2", "-1", "--reason", "other", "--idempotency-key", "shelf-7"},
			map[string]string{"AFORRO_URL": unreachable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"] = srv.URL
			env["AFORRO_TOKEN"] = srv.Admin
			maps.Copy(env, tc.env)
			inv := invocation{args: tc.args, env: env}
			r := runCLI(t, inv)
			golden(t, tc.name, transcript(inv, r, placeholders(srv.URL, unreachable)...))
		})
	}
}

// clockTimes matches the times the server sets to now, as JSON and as tables
// show them.
var clockTimes = regexp.MustCompile(`\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z| \d{2}:\d{2})`)

func TestChangesGolden(t *testing.T) {
	t.Parallel()
	placeFirst := func(t *testing.T, c *client.Client) { mustPlace(t, c, 1, "till3-000123", lines(1, 2)) }
	tests := []struct {
		name  string
		setup func(t *testing.T, c *client.Client) // nil: the bare fixture
		args  []string
	}{
		{"orders-place", nil, []string{"orders", "place", "--store", "1", "--item", "2:1", "--item", "1:2", "--email", "ana@example.com"}},
		{"orders-place-json", nil, []string{"orders", "place", "--store", "1", "--item", "2:1,1:2", "-o", "json"}},
		{"orders-place-rejected", nil, []string{"orders", "place", "--store", "1", "--item", "3", "--item", "4:2", "--item", "5:2000"}},
		{"orders-place-rejected-json", nil, []string{"orders", "place", "--store", "1", "--item", "3", "--item", "4:2", "-o", "json"}},
		{"orders-place-replayed", placeFirst, []string{"orders", "place", "--store", "1", "--item", "1:2", "--idempotency-key", "till3-000123"}},
		{"orders-place-key-reused", placeFirst, []string{"orders", "place", "--store", "1", "--item", "1:3", "--idempotency-key", "till3-000123"}},
		{"orders-place-invalid", nil, []string{"orders", "place", "--store", "1", "--item", "1:0", "--item", "1:2", "--email", "ana"}},
		{"orders-place-unknown-store", nil, []string{"orders", "place", "--store", "9", "--item", "1"}},
		{"orders-cancel", placeFirst, []string{"orders", "cancel", "1"}},
		{"orders-cancel-json", placeFirst, []string{"orders", "cancel", "1", "-o", "json"}},
		{"inventory-set", nil, []string{"inventory", "set", "--store", "1", "2", "40", "--reason", "received"}},
		{"inventory-set-created", nil, []string{"inventory", "set", "--store", "3", "1", "5", "--reason", "initial"}},
		{"inventory-set-json", nil, []string{"inventory", "set", "--store", "1", "2", "0", "--reason", "other", "-o", "json"}},
		{"inventory-set-negative", nil, []string{"inventory", "set", "--store", "1", "2", "-3", "--reason", "count"}},
		{"inventory-adjust", nil, []string{"inventory", "adjust", "--store", "1", "2", "-3", "--reason", "damaged"}},
		{"inventory-adjust-plus", nil, []string{"inventory", "adjust", "--store", "1", "2", "+5", "--reason", "correction", "-o", "json"}},
		{"inventory-adjust-after-dashes", nil, []string{"inventory", "adjust", "--store", "1", "--reason", "damaged", "--", "2", "-1"}},
		{"inventory-adjust-below-zero", nil, []string{"inventory", "adjust", "--store", "1", "2", "-4", "--reason", "count"}},
		{"inventory-adjust-not-stocked", nil, []string{"inventory", "adjust", "--store", "2", "1", "1", "--reason", "correction"}},
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
			r := runCLI(t, inv)
			got := clockTimes.ReplaceAllString(transcript(inv, r, placeholders(srv.URL, srv.URL)...), "<now>")
			golden(t, tc.name, got)
		})
	}
}

func TestPlaceTwiceWithOneKey(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
	args := []string{"orders", "place", "--store", "1", "--item", "1:2", "--idempotency-key", "till3-000123", "-o", "json"}
	first := runCLI(t, invocation{args: args, env: env})
	again := runCLI(t, invocation{args: args, env: env})
	if first.code != 0 || again.code != 0 {
		t.Fatalf("exit %d and %d: %s%s", first.code, again.code, first.stderr, again.stderr)
	}
	if first.stdout != again.stdout {
		t.Errorf("the repeat printed another order:\n%s\n%s", first.stdout, again.stdout)
	}
	if want := "Order 1 was placed earlier with this idempotency key; this is its original answer and nothing new was placed.\n"; first.stderr != "" || again.stderr != want {
		t.Errorf("stderr %q then %q; want nothing, then %q", first.stderr, again.stderr, want)
	}
	c := srv.apiClient(t)
	page, err := c.ListStoreOrders(context.Background(), 1, "", client.PageOptions{})
	if err != nil || page.Count != 1 {
		t.Errorf("store 1 has %d orders (%v), want 1", page.Count, err)
	}
	it, err := c.InventoryItem(context.Background(), 1, 1)
	if err != nil || it.Quantity != 8 {
		t.Errorf("product 1: %d in stock (%v), want 8: deducted once", it.Quantity, err)
	}
}

func TestPlaceWithoutAKeyNamesTheGeneratedOne(t *testing.T) {
	t.Parallel()
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"] = closedURL(t), "afr_x"
	r := runCLI(t, invocation{args: []string{"orders", "place", "--store", "1", "--item", "1"}, env: env})
	want := regexp.MustCompile(`(?s)^aforroctl: cannot reach the server at .*\nIf the server received the order, it was placed; ` +
		`repeating the command with --idempotency-key [A-Z2-7]{26} cannot place it twice\n$`)
	if r.code != exitUnreachable || !want.MatchString(r.stderr) {
		t.Errorf("exit %d, stderr %q; want exit 3 and the generated key", r.code, r.stderr)
	}
}

func TestRejectedHighlight(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	const red = "\x1b[1;31m"
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		redLines  []string // substrings of the lines that must be red
		plainLine string   // a substring of a line that must not be
	}{
		{"orders list", []string{"orders", "list", "--store", "1"}, map[string]string{"CLICOLOR_FORCE": "1"},
			[]string{"REJECTED"}, "CONFIRMED"},
		{"orders show", []string{"orders", "show", "2"}, map[string]string{"CLICOLOR_FORCE": "1"},
			[]string{"REJECTED", "Gaming Laptop", "Cast Iron"}, "Go Programming"},
		{"NO_COLOR", []string{"orders", "list", "--store", "1"}, map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, nil, ""},
		{"piped", []string{"orders", "show", "2"}, nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, tc.env)
			r := runCLI(t, invocation{args: tc.args, env: env})
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if tc.redLines == nil {
				if strings.Contains(r.stdout, "\x1b[") {
					t.Errorf("output has escape sequences:\n%q", r.stdout)
				}
				return
			}
			found := 0
			for l := range strings.SplitSeq(r.stdout, "\n") {
				for _, s := range tc.redLines {
					if strings.Contains(l, s) {
						found++
						if !strings.Contains(l, red) {
							t.Errorf("line with %q not red: %q", s, l)
						}
					}
				}
				if strings.Contains(l, tc.plainLine) && strings.Contains(l, red) {
					t.Errorf("line with %q is red: %q", tc.plainLine, l)
				}
			}
			if found < len(tc.redLines) {
				t.Errorf("found %d of the lines %q:\n%s", found, tc.redLines, r.stdout)
			}
		})
	}
}

func TestMarkNegativeNumbers(t *testing.T) {
	t.Parallel()
	var cli CLI
	parser, err := newParser(&cli, io.Discard, io.Discard, new(int))
	if err != nil {
		t.Fatal(err)
	}
	const m = negativeMark
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"an argument", []string{"inventory", "adjust", "--store", "1", "643", "-3", "--reason", "other"},
			[]string{"inventory", "adjust", "--store", "1", "643", m + "-3", "--reason", "other"}},
		{"after a flag with its value attached", []string{"--store=1", "-3"}, []string{"--store=1", m + "-3"}},
		{"after a flag without a value", []string{"--all", "-12"}, []string{"--all", m + "-12"}},
		{"first", []string{"-3"}, []string{m + "-3"}},
		{"a long flag's value", []string{"--store", "-3"}, []string{"--store", "-3"}},
		{"a short flag's value", []string{"-o", "-3"}, []string{"-o", "-3"}},
		{"after --", []string{"--", "643", "-3"}, []string{"--", "643", "-3"}},
		{"not a whole number", []string{"x", "-3.5", "-3x", "-", "--3", "-h"}, []string{"x", "-3.5", "-3x", "-", "--3", "-h"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, markNegativeNumbers(parser.Model, tc.args)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestOutOfStockHighlight(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"], env["CLICOLOR_FORCE"] = srv.URL, srv.Admin, "1"
	for product, wantRed := range map[string]bool{"3": true, "2": false} {
		r := runCLI(t, invocation{args: []string{"inventory", "show", "--store", "1", product}, env: env})
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		for l := range strings.SplitSeq(r.stdout, "\n") {
			if red := strings.Contains(l, "\x1b[1;31m"); red != (wantRed && strings.Contains(l, "Quantity")) {
				t.Errorf("product %s: line %q red = %v", product, l, red)
			}
		}
	}
}
