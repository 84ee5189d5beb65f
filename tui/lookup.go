package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// stockedProduct is a product a code named, with the store's row of it.
type stockedProduct struct {
	product aforro.Product
	row     *aforro.InventoryItem // nil: the store does not stock it
}

// item returns the store's row, or a row of quantity 0 for a product the
// store does not stock (its ID is 0: no row exists yet).
func (p stockedProduct) item() aforro.InventoryItem {
	if p.row != nil {
		return *p.row
	}
	return aforro.InventoryItem{ProductID: p.product.ID, ProductTitle: p.product.Title,
		Price: p.product.Price, CategoryName: p.product.Category.Name}
}

// codeLookedUpMsg answers a lookup by code that screen target asked for.
type codeLookedUpMsg struct {
	result
	target   tab
	code     string
	products []stockedProduct
}

// lookupCode asks which products code names (GET /api/products/lookup/,
// exact: a SKU or a barcode) and the store's row of each. With byID, a
// number that names no code is tried as a product id, for a clerk typing
// the id off a screen or a report.
func lookupCode(c *programContext, target tab, code string, byID bool) tea.Cmd {
	storeID := c.store.ID
	return func() tea.Msg {
		ctx, cancel := c.request()
		defer cancel()
		msg := codeLookedUpMsg{target: target, code: code}
		res, err := c.client.LookupProducts(ctx, code)
		if err != nil {
			msg.err = err
			return msg
		}
		found := res.Results
		if id, perr := strconv.ParseInt(code, 10, 64); len(found) == 0 && byID && perr == nil && id > 0 {
			p, err := c.client.Product(ctx, id)
			switch {
			case err == nil:
				found = []aforro.Product{p}
			case !notFound(err):
				msg.err = err
				return msg
			}
		}
		for _, p := range found {
			sp := stockedProduct{product: p}
			row, err := c.client.InventoryItem(ctx, storeID, p.ID)
			switch {
			case err == nil:
				sp.row = &row
			case !notFound(err):
				msg.err = err
				return msg
			}
			msg.products = append(msg.products, sp)
		}
		return msg
	}
}

// notFound reports whether err is the server's 404.
func notFound(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// quantity returns the store's quantity, nil when it has no row.
func (p stockedProduct) quantity() *int {
	if p.row == nil {
		return nil
	}
	q := p.row.Quantity
	return &q
}

// oneProduct returns the one product a lookup found, or the status to
// show instead: it failed, found none, or found several (which advice
// says how to choose among: a guess would act on the wrong one).
func oneProduct(c *programContext, msg codeLookedUpMsg, advice string) (stockedProduct, tea.Cmd) {
	if cmd := lookupProblem(c, msg); cmd != nil {
		return stockedProduct{}, cmd
	}
	if len(msg.products) > 1 {
		return stockedProduct{}, c.status(statusWarn, "Code %s names %d products (%s): %s.",
			msg.code, len(msg.products), titles(msg.products), advice)
	}
	return msg.products[0], nil
}

// lookupProblem is the status of a lookup that found nothing or failed;
// nil when it found products.
func lookupProblem(c *programContext, msg codeLookedUpMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return c.errorStatus("Look up "+msg.code, msg.err)
	case len(msg.products) == 0:
		return c.status(statusWarn, "No product has the code %s.", msg.code)
	}
	return nil
}

// titles lists the products' titles, at most three.
func titles(ps []stockedProduct) string {
	var names []string
	for i, p := range ps {
		if i == 3 {
			names = append(names, fmt.Sprintf("%d more", len(ps)-3))
			break
		}
		names = append(names, p.product.Title)
	}
	return strings.Join(names, ", ")
}

// refreshRows reads the store's current row of each product (nil where it
// stocks none), for a review that must compare with what the system holds
// now rather than when the product was scanned.
func refreshRows(ctx context.Context, c *client.Client, storeID int64, ids []int64) (map[int64]*aforro.InventoryItem, error) {
	rows := make(map[int64]*aforro.InventoryItem, len(ids))
	for _, id := range ids {
		row, err := c.InventoryItem(ctx, storeID, id)
		switch {
		case err == nil:
			rows[id] = &row
		case notFound(err):
			rows[id] = nil
		default:
			return nil, err
		}
	}
	return rows, nil
}
