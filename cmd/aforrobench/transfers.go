package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/internal/loadtest"
)

// The transfers scenario: half the clients place one-unit orders at store A
// for a few hot products, the other half ship transfers of those products
// from A to B (create, ship, then receive everything or cancel), so ships
// and orders race for the same rows. Afterwards every product's stock plus
// units in transit must have moved only by the orders (the identity of
// README "Transfers"), besides the ledger invariant.

// hotProducts is how many products the orders and the ships share.
const hotProducts = 8

// transferStock is what store a holds of each hot product at the start of a
// run: little enough that the run sells and ships it out, so orders are
// rejected and ships refused for the last units.
const transferStock = 150

// transferRun is a transfers run's outcome.
type transferRun struct {
	loadtest.Result
	confirmed, rejected, shipped, refused int64
}

// loadTransfers runs the scenario with n clients for dur over products of
// store a (stocked) shipped to store b.
func loadTransfers(ctx context.Context, base, token string, n int, dur time.Duration, a, b int64, products []int64) transferRun {
	seed := uint64(time.Now().UnixNano())
	var out transferRun
	var confirmed, rejected, shipped, refused atomic.Int64
	res := loadtest.Run(n, dur, func(c *loadtest.Client) {
		r := rand.New(rand.NewPCG(uint64(c.ID), seed))
		for c.Running() {
			if c.ID%2 == 0 {
				body, _ := json.Marshal(aforro.PlaceOrder{StoreID: a, Items: []aforro.OrderLine{
					{ProductID: products[r.IntN(len(products))], QuantityRequested: 1}}})
				var status string
				if err := c.Time(func() (err error) { status, err = place(ctx, c.HTTP, base, token, body); return err }); err == nil {
					if status == aforro.StatusConfirmed {
						confirmed.Add(1)
					} else {
						rejected.Add(1)
					}
				}
				continue
			}
			perm := r.Perm(len(products))[:1+r.IntN(3)]
			var lines []aforro.TransferLineInput
			for _, i := range perm {
				lines = append(lines, aforro.TransferLineInput{ProductID: products[i], Quantity: 1 + r.IntN(3)})
			}
			var t aforro.Transfer
			if err := c.Time(func() error {
				return call(ctx, c.HTTP, base, token, http.MethodPost, "/api/transfers/",
					aforro.CreateTransfer{SourceStoreID: a, DestinationStoreID: b, Lines: lines}, http.StatusCreated, &t)
			}); err != nil {
				continue
			}
			path := fmt.Sprintf("/api/transfers/%d/", t.ID)
			var short bool
			err := c.Time(func() error {
				err := call(ctx, c.HTTP, base, token, http.MethodPost, path+"ship/", nil, http.StatusOK, &t)
				if se, ok := err.(statusError); ok && se.status == http.StatusConflict {
					short = true
					return nil // a refused shipment is an answer, not a failure
				}
				return err
			})
			switch {
			case err != nil:
				continue
			case short:
				refused.Add(1)
				_ = c.Time(func() error {
					return call(ctx, c.HTTP, base, token, http.MethodPost, path+"cancel/", nil, http.StatusOK, nil)
				})
				continue
			}
			shipped.Add(1)
			if r.IntN(4) == 0 { // a quarter come back
				_ = c.Time(func() error {
					return call(ctx, c.HTTP, base, token, http.MethodPost, path+"cancel/", nil, http.StatusOK, nil)
				})
				continue
			}
			var rcv aforro.ReceiveTransfer
			for _, l := range t.Lines {
				rcv.Lines = append(rcv.Lines, aforro.ReceiptLineInput{ProductID: l.ProductID, Accepted: l.InTransit})
			}
			_ = c.Time(func() error {
				return call(ctx, c.HTTP, base, token, http.MethodPost, path+"receive/", rcv, http.StatusOK, nil)
			})
		}
	})
	out.Result = res
	out.confirmed, out.rejected, out.shipped, out.refused = confirmed.Load(), rejected.Load(), shipped.Load(), refused.Load()
	return out
}

// statusError is an answer other than the one expected.
type statusError struct {
	status int
	body   []byte
}

func (e statusError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// call sends one JSON request and decodes the answer into out (unless nil).
func call(ctx context.Context, hc *http.Client, base, token, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return statusError{resp.StatusCode, b}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// transferSetup picks two stores and the hot products store a stocks, gives
// each transferStock units (with ledger rows) and returns them.
func transferSetup(ctx context.Context, d *db.DB) (a, b int64, products []int64, err error) {
	if err = d.Pool.QueryRow(ctx, `SELECT min(id), max(id) FROM stores`).Scan(&a, &b); err != nil || a == b {
		return 0, 0, nil, fmt.Errorf("transfers need two stores (%v)", err)
	}
	err = d.Pool.QueryRow(ctx, `SELECT array_agg(product_id ORDER BY product_id) FROM
		(SELECT product_id FROM inventory WHERE store_id = $1 ORDER BY product_id LIMIT $2) x`, a, hotProducts).Scan(&products)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("pick hot products: %w", err)
	}
	for _, p := range products {
		if _, _, err := d.SetStock(ctx, a, p, transferStock, "bench transfers"); err != nil {
			return 0, 0, nil, err
		}
	}
	return a, b, products, nil
}

// identity is, per product, the stock over all stores plus units in
// transit, and the ledger's deltas that are not a transfer's own moves.
type identity map[int64][2]int64

func readIdentity(ctx context.Context, d *db.DB, products []int64) (identity, error) {
	rows, err := d.Pool.Query(ctx, `
		SELECT p,
		       (SELECT coalesce(sum(quantity), 0) FROM inventory WHERE product_id = p)
		     + (SELECT coalesce(sum(in_transit), 0) FROM transfer_lines WHERE product_id = p),
		       (SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = p
		         AND reason NOT IN ('transfer_out', 'transfer_in', 'transfer_return'))
		  FROM unnest($1::bigint[]) AS p`, products)
	if err != nil {
		return nil, fmt.Errorf("read the identity: %w", err)
	}
	defer rows.Close()
	out := identity{}
	for rows.Next() {
		var p, held, external int64
		if err := rows.Scan(&p, &held, &external); err != nil {
			return nil, err
		}
		out[p] = [2]int64{held, external}
	}
	return out, rows.Err()
}

// checkIdentity: what each product holds moved exactly by its non-transfer
// ledger rows between before and after.
func checkIdentity(before, after identity) error {
	for p, b := range before {
		a := after[p]
		if a[0]-b[0] != a[1]-b[1] {
			return fmt.Errorf("identity broken for product %d: stock plus in transit moved %d, orders and adjustments %d",
				p, a[0]-b[0], a[1]-b[1])
		}
	}
	return nil
}

// runTransfers runs the transfers scenario at each client count and checks
// the identity after each run.
func runTransfers(ctx context.Context, d *db.DB, base, token string, cli CLI) error {
	a, b, products, err := transferSetup(ctx, d)
	if err != nil {
		return err
	}
	fmt.Printf("%-9s %7s %7s %8s %8s %8s %9s %9s %8s %8s\n", "scenario", "clients", "req/s", "p50", "p95", "p99",
		"confirmed", "rejected", "shipped", "refused")
	for _, n := range cli.Clients {
		before, err := readIdentity(ctx, d, products)
		if err != nil {
			return err
		}
		res := loadTransfers(ctx, base, token, n, cli.Duration, a, b, products)
		p := func(q int) string {
			if len(res.Latencies) == 0 {
				return "-"
			}
			return loadtest.Percentile(res.Latencies, q).Round(10 * time.Microsecond).String()
		}
		fmt.Printf("%-9s %7d %7.0f %8s %8s %8s %9d %9d %8d %8d\n", "transfers", n, res.Rate, p(50), p(95), p(99),
			res.confirmed, res.rejected, res.shipped, res.refused)
		if res.Failed > 0 {
			return fmt.Errorf("%d requests failed (first: %s)", res.Failed, res.FirstErr)
		}
		after, err := readIdentity(ctx, d, products)
		if err != nil {
			return err
		}
		if err := checkIdentity(before, after); err != nil {
			return err
		}
		// Restock store a for the next run, through the ledger.
		for _, p := range products {
			if _, _, err := d.SetStock(ctx, a, p, transferStock, "bench transfers"); err != nil {
				return err
			}
		}
	}
	fmt.Println("transfer identity holds: stock plus units in transit moved only by orders and adjustments")
	return nil
}
