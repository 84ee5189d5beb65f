package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// codeColumns are the stored forms of a product input's barcodes: as given,
// and their keys (migration 010). Both are nil when the input leaves the
// barcodes alone.
type codeColumns struct {
	barcodes, keys []string
}

// productCodes computes the columns of in.Barcodes, which the server has
// validated; a code that does not parse here is EINVALID all the same.
func productCodes(in aforro.ProductInput) (codeColumns, error) {
	if in.Barcodes == nil {
		return codeColumns{}, nil
	}
	cc := codeColumns{barcodes: []string{}, keys: []string{}}
	for i, code := range *in.Barcodes {
		b, err := aforro.ParseBarcode(code)
		if err != nil {
			return codeColumns{}, invalidField("barcodes["+strconv.Itoa(i)+"]", err.Error())
		}
		cc.barcodes, cc.keys = append(cc.barcodes, b.Code), append(cc.keys, b.Key)
	}
	return cc, nil
}

// skuTaken means the unique index on the SKU: another product has it.
func skuTaken(sku *string) meaning {
	if sku == nil {
		return meaning{}
	}
	return whenConstraint(pgUniqueViolation, "products_sku_key", &aforro.Error{
		Code:    aforro.ECONFLICT,
		Message: fmt.Sprintf("The SKU %q is already another product's (SKUs are unique, ignoring case).", *sku),
		Fields:  map[string]string{"sku": "is already taken"},
	})
}

// lookupWhere is the condition "p's SKU or one of its barcodes is exactly
// code", with its arguments added to args. A code that cannot be a barcode
// (a GTIN with a wrong check digit) is looked up as a SKU only.
func lookupWhere(args *params, code string) string {
	cond := "lower(p.sku) = lower(" + args.add(code) + "::text)"
	if key, ok := aforro.BarcodeKey(code); ok {
		cond = "(" + cond + " OR p.barcode_keys @> ARRAY[" + args.add(key) + "::text])"
	}
	return cond
}

// LookupProducts returns the products whose SKU, ignoring case, or one of
// whose barcodes is exactly code (aforro.Barcode's keys: a UPC-A matches
// its EAN-13 form): the SKU's product first, then by id, at most
// aforro.MaxLookupResults. No match is an empty list.
func (d *DB) LookupProducts(ctx context.Context, code string) ([]aforro.Product, error) {
	var args params
	where := lookupWhere(&args, code)
	rows, err := d.Pool.Query(ctx, `SELECT `+productColumns+`
		  FROM products p JOIN categories c ON c.id = p.category_id
		 WHERE `+where+`
		 ORDER BY lower(p.sku) = lower($1::text) IS TRUE DESC, p.id
		 LIMIT `+strconv.Itoa(aforro.MaxLookupResults), args...)
	if err != nil {
		return nil, wrapError(err, "look up products by code")
	}
	products, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.Product, error) { return scanProduct(r) })
	if err != nil {
		return nil, wrapError(err, "look up products by code")
	}
	if products == nil {
		products = []aforro.Product{}
	}
	return products, nil
}

// ProductStores returns a page of the stores that stock product id (have an
// inventory row for it, at any quantity unless f.InStock), by store id. An
// unknown product is ENOTFOUND. The inventory's (product_id) index gives a
// product's rows, at most one per store.
func (d *DB) ProductStores(ctx context.Context, id int64, f aforro.ProductStockFilter, req aforro.PageRequest) (aforro.Page[aforro.ProductStock], error) {
	lq := listQuery{
		from:    `inventory i`,
		alias:   "i",
		join:    `JOIN stores s ON s.id = i.store_id`,
		columns: `i.store_id, s.name, s.location, i.quantity`,
		order:   []sortKey{{expr: "i.store_id", cast: "bigint"}},
		missing: func(ctx context.Context) error {
			var exists bool
			err := d.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM products WHERE id = $1)`, id).Scan(&exists)
			if err == nil && !exists {
				return errNotFound("Product", id)
			}
			return wrapError(err, "check product")
		},
	}
	lq.filter("i.product_id = ?", id)
	if f.InStock {
		lq.filter("i.quantity > 0")
	}
	scan := func(r pgx.Row) (aforro.ProductStock, error) {
		var ps aforro.ProductStock
		err := r.Scan(&ps.StoreID, &ps.StoreName, &ps.StoreLocation, &ps.Quantity)
		return ps, err
	}
	key := func(ps aforro.ProductStock) []string { return []string{itoa(ps.StoreID)} }
	return listPage(ctx, d.Pool, req, lq, scan, key)
}

// codeHitCap bounds the exact code matches a search puts first.
const codeHitCap = 20

// searchCodeHits returns the products a search's whole query names exactly
// as a code (lookupWhere) that pass its filters, with their store quantity,
// the SKU's product first: a search puts them ahead of its text matches. A
// query of more than one word, or longer than any code, names none.
func searchCodeHits(ctx context.Context, tx pgx.Tx, f aforro.SearchFilter) ([]aforro.Product, error) {
	if !codeLike(f.Q) {
		return nil, nil
	}
	var args params
	where := []string{lookupWhere(&args, f.Q)}
	c := searchConditions(&args, f)
	where = append(append(where, c.indexed...), c.tested...)
	rows, err := tx.Query(ctx, `
		SELECT `+searchColumns+`, `+c.quantity+`
		  FROM products p
		  JOIN categories c ON c.id = p.category_id
		  `+c.inventoryJoin+`
		 WHERE `+strings.Join(where, " AND ")+`
		 ORDER BY lower(p.sku) = lower($1::text) IS TRUE DESC, p.id
		 LIMIT `+strconv.Itoa(codeHitCap), args...)
	if err != nil {
		return nil, wrapError(err, "find exact codes")
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.Product, error) {
		var p aforro.Product
		err := r.Scan(&p.ID, &p.Title, &p.Description, &p.Price, &p.CreatedAt, &p.UpdatedAt, &p.Category.ID, &p.Category.Name,
			&p.SKU, (*[]string)(&p.Barcodes), &p.StoreQuantity)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		return p, err
	})
}

// codeLike reports whether q could be a code: one word no longer than the
// longest SKU or in-house code.
func codeLike(q string) bool {
	if q == "" || len([]rune(q)) > max(aforro.MaxSKU, aforro.MaxFreeCode) {
		return false
	}
	for _, r := range q {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '"' {
			return false
		}
	}
	return true
}

// codeTitles returns the titles of the products whose SKU or barcode is
// exactly q, the SKU's first, for autocomplete. Only a one-word q holding a
// digit is looked up, as every seeded and nearly every real code does:
// autocomplete runs on every keystroke, and a word without a digit would
// pay the lookup for nothing.
func codeTitles(ctx context.Context, conn Querier, q string) ([]string, error) {
	if !codeLike(q) || !strings.ContainsAny(q, "0123456789") {
		return nil, nil
	}
	var args params
	where := lookupWhere(&args, q)
	rows, err := conn.Query(ctx, `SELECT p.title FROM products p WHERE `+where+`
		 ORDER BY lower(p.sku) = lower($1::text) IS TRUE DESC, p.id
		 LIMIT `+strconv.Itoa(aforro.MaxSuggestions), args...)
	if err != nil {
		return nil, wrapError(err, "suggest by code")
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// distinctTitles keeps the first of titles equal ignoring case, at most k.
func distinctTitles(titles []string, k int) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range titles {
		if l := strings.ToLower(t); !seen[l] && len(out) < k {
			seen[l] = true
			out = append(out, t)
		}
	}
	return out
}
