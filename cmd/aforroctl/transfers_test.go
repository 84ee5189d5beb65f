package main

import (
	"context"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// withTransfers gives the fixture transfers in every state, with fixed times:
//
//	transfer 1  1 -> 2  received            1x2 accepted, 4x3: 2 accepted, 1 damaged
//	transfer 2  1 -> 2  partially_received  5x10: 4 accepted; "R-2"
//	transfer 3  2 -> 1  draft               5x1
//	transfer 4  1 -> 3  cancelled           4x2, shipped then cancelled
func withTransfers(t *testing.T, srv *testServer) {
	t.Helper()
	c := srv.apiClient(t)
	ctx := context.Background()
	create := func(from, to int64, ref string, lines ...aforro.TransferLineInput) int64 {
		t.Helper()
		tr, _, err := c.CreateTransfer(ctx, aforro.CreateTransfer{SourceStoreID: from, DestinationStoreID: to, Reference: ref, Lines: lines}, "")
		if err != nil {
			t.Fatal(err)
		}
		return tr.ID
	}
	ship := func(id int64) {
		t.Helper()
		if _, _, err := c.ShipTransfer(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(id int64, lines ...aforro.ReceiptLineInput) {
		t.Helper()
		if _, _, err := c.ReceiveTransfer(ctx, id, aforro.ReceiveTransfer{Lines: lines}, ""); err != nil {
			t.Fatal(err)
		}
	}
	one := create(1, 2, "", aforro.TransferLineInput{ProductID: 1, Quantity: 2}, aforro.TransferLineInput{ProductID: 4, Quantity: 3})
	ship(one)
	receive(one, aforro.ReceiptLineInput{ProductID: 1, Accepted: 2}, aforro.ReceiptLineInput{ProductID: 4, Accepted: 2, Rejected: 1, Reason: "damaged"})
	two := create(1, 2, "R-2", aforro.TransferLineInput{ProductID: 5, Quantity: 10})
	ship(two)
	receive(two, aforro.ReceiptLineInput{ProductID: 5, Accepted: 4})
	create(2, 1, "", aforro.TransferLineInput{ProductID: 5, Quantity: 1})
	four := create(1, 3, "", aforro.TransferLineInput{ProductID: 4, Quantity: 2})
	ship(four)
	if _, err := c.CancelTransfer(ctx, four); err != nil {
		t.Fatal(err)
	}
	srv.Exec(t, `
UPDATE transfers SET created_at = '2026-03-01T09:00:00Z'::timestamptz + id * interval '1 hour',
  updated_at = '2026-03-02T09:00:00Z'::timestamptz + id * interval '1 hour',
  shipped_at = CASE WHEN shipped_at IS NOT NULL THEN '2026-03-01T10:30:00Z'::timestamptz + id * interval '1 hour' END,
  received_at = CASE WHEN received_at IS NOT NULL THEN '2026-03-02T08:00:00Z'::timestamptz END,
  cancelled_at = CASE WHEN cancelled_at IS NOT NULL THEN '2026-03-02T12:00:00Z'::timestamptz END;
UPDATE transfer_receipts SET created_at = '2026-03-02T07:00:00Z'::timestamptz + id * interval '1 minute';
UPDATE inventory SET updated_at = '2026-03-02T08:00:00Z' WHERE updated_at > '2026-03-01';`)
}

func TestTransfersGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withTransfers(t, srv)
	downtownStaff := srv.Token(t, aforro.RoleStaff, 1)
	unreachable := closedURL(t)
	runGolden(t, srv, unreachable, []goldenRun{
		{"transfers-show", []string{"transfers", "show", "1"}, nil},
		{"transfers-show-partial", []string{"transfers", "show", "2"}, nil},
		{"transfers-show-json", []string{"transfers", "show", "2", "-o", "json"}, nil},
		{"transfers-list", []string{"transfers", "list", "--store", "1"}, nil},
		{"transfers-list-in", []string{"transfers", "list", "--store", "2", "--direction", "in"}, nil},
		{"transfers-list-status", []string{"transfers", "list", "--store", "1", "--status", "cancelled"}, nil},
		{"transfers-list-json", []string{"transfers", "list", "--store", "2", "-o", "json"}, nil},
		{"transfers-list-all-csv", []string{"transfers", "list", "--store", "1", "--all", "--page-size", "2", "-o", "csv"}, nil},
		{"transfers-list-empty", []string{"transfers", "list", "--store", "3", "--direction", "out"}, nil},
		{"inventory-list-incoming", []string{"inventory", "list", "--store", "2", "--incoming"}, nil},
		{"inventory-show-incoming", []string{"inventory", "show", "--store", "2", "5"}, nil},
		// API errors: exit 1.
		{"transfers-show-not-found", []string{"transfers", "show", "99"}, nil},
		{"transfers-ship-received", []string{"transfers", "ship", "1"}, nil},
		{"transfers-cancel-received", []string{"transfers", "cancel", "1"}, nil},
		{"transfers-receive-over", []string{"transfers", "receive", "2", "--line", "5:7"}, nil},
		{"transfers-receive-not-destination", []string{"transfers", "receive", "2", "--line", "5:1"}, map[string]string{"AFORRO_TOKEN": downtownStaff}},
		{"transfers-receive-all-draft", []string{"transfers", "receive", "3", "--all"}, nil},
		{"transfers-list-bad-direction", []string{"transfers", "list", "--store", "1", "--direction", "up"}, nil},
		// Usage errors: exit 2.
		{"usage-transfers-create-no-lines", []string{"transfers", "create", "--from", "1", "--to", "2"}, nil},
		{"usage-transfers-create-bad-line", []string{"transfers", "create", "--from", "1", "--to", "2", "--line", "5x1"}, nil},
		{"usage-transfers-receive-bad-line", []string{"transfers", "receive", "2", "--line", "5:1:1"}, nil},
		{"usage-transfers-receive-both", []string{"transfers", "receive", "2", "--line", "5:1", "--all"}, nil},
		// Unreachable: exit 3.
		{"unreachable-transfers-ship", []string{"transfers", "ship", "3", "--idempotency-key", "van2-0611"},
			map[string]string{"AFORRO_URL": unreachable}},
	})
}

func TestTransferChangesGolden(t *testing.T) {
	t.Parallel()
	draft := func(t *testing.T, c *client.Client) {
		if _, _, err := c.CreateTransfer(context.Background(), aforro.CreateTransfer{SourceStoreID: 1, DestinationStoreID: 3,
			Lines: []aforro.TransferLineInput{{ProductID: 2, Quantity: 5}, {ProductID: 1, Quantity: 4}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	shipped := func(t *testing.T, c *client.Client) {
		draft(t, c)
		if _, err := c.EditTransfer(context.Background(), 1, aforro.EditTransfer{Lines: []aforro.TransferLineInput{
			{ProductID: 2, Quantity: 3}, {ProductID: 1, Quantity: 4}}}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.ShipTransfer(context.Background(), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, c *client.Client)
		args  []string
		stdin string
	}{
		{"transfers-create", nil, []string{"transfers", "create", "--from", "1", "--to", "2", "--line", "1:2,4:5", "--note", "for the weekend", "--reference", "R-9"}, ""},
		{"transfers-create-file-json", nil, []string{"transfers", "create", "--from", "1", "--to", "2", "--lines-file", "-", "-o", "json"}, "product_id,quantity\n1,2\n4, 5\n"},
		{"transfers-create-invalid", nil, []string{"transfers", "create", "--from", "1", "--to", "1", "--line", "1:0"}, ""},
		{"transfers-ship-short", draft, []string{"transfers", "ship", "1"}, ""},
		{"transfers-ship", shipped, []string{"transfers", "show", "1"}, ""},
		{"transfers-receive-partial", shipped, []string{"transfers", "receive", "1", "--line", "1:3:1:damaged"}, ""},
		{"transfers-receive-all", shipped, []string{"transfers", "receive", "1", "--all"}, ""},
		{"transfers-cancel-shipped", shipped, []string{"transfers", "cancel", "1"}, ""},
		{"transfers-cancel-draft-json", draft, []string{"transfers", "cancel", "1", "-o", "json"}, ""},
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
			inv := invocation{args: tc.args, env: env, stdin: tc.stdin}
			r := runCLI(t, inv)
			got := clockTimes.ReplaceAllString(transcript(inv, r, placeholders(srv.URL, srv.URL)...), "<now>")
			golden(t, tc.name, got)
		})
	}
}
