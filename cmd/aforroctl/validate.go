package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/aforro/aforro"
)

// What aforroctl checks itself, before asking the server: a mistake it can
// see is a usage error (exit 2) in the words the user typed (--in-stock,
// --item 643:0), not the server's field path (items[1].product_id).

// checkIDs refuses an id flag (placeholder ID) or an id argument (ID,
// PRODUCT) below 1: no resource has one, and the server would answer 404
// or name a query parameter the user never typed.
func checkIDs(kctx *kong.Context) error {
	for _, f := range kctx.Flags() {
		if f.Set && f.PlaceHolder == "ID" && f.Target.Kind() == reflect.Int64 && f.Target.Int() < 1 {
			return usagef("--%s must be a positive id, not %d", f.Name, f.Target.Int())
		}
	}
	if n := kctx.Selected(); n != nil {
		for _, p := range n.Positional {
			if p.Set && (p.Name == "id" || p.Name == "product") && p.Target.Kind() == reflect.Int64 && p.Target.Int() < 1 {
				return usagef("%s must be a positive id, not %d", strings.ToUpper(p.Name), p.Target.Int())
			}
		}
	}
	return nil
}

// orderStatuses are what --status takes, as the API names them.
var orderStatuses = []string{aforro.StatusConfirmed, aforro.StatusRejected, aforro.StatusCancelled}

// Validate refuses a status no order has.
func (c *OrdersListCmd) Validate() error {
	if c.Status != "" && !slices.Contains(orderStatuses, strings.ToUpper(c.Status)) {
		return fmt.Errorf("--status must be confirmed, rejected or cancelled, not %q", c.Status)
	}
	return nil
}

// Validate refuses a product given on two lines: the API takes each product
// once.
func (c *OrdersPlaceCmd) Validate() error {
	seen := map[int64]bool{}
	for _, l := range c.Item {
		if seen[l.ProductID] {
			return fmt.Errorf("--item names product %d twice: give it once with the total quantity", l.ProductID)
		}
		seen[l.ProductID] = true
	}
	return nil
}

// Validate refuses stock filters without a store and a price range that
// holds nothing.
func (c *SearchCmd) Validate() error {
	if c.InStock != nil && c.Store == 0 {
		if *c.InStock {
			return fmt.Errorf("--in-stock needs --store")
		}
		return fmt.Errorf("--no-in-stock needs --store")
	}
	if c.MinPrice != nil && c.MaxPrice != nil && *c.MinPrice > *c.MaxPrice {
		return fmt.Errorf("--min-price is above --max-price")
	}
	return nil
}
