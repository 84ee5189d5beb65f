package main

import (
	"context"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// productCodeFlags are the code flags of products create and update.
type productCodeFlags struct {
	SKU     *string  `name:"sku" placeholder:"SKU" help:"The SKU: 1-64 printable characters, unique ignoring case (\"\" removes it)."`
	Barcode []string `placeholder:"CODE" sep:"none" xor:"barcodes" help:"A barcode: a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14, check digit checked) or an in-house code; repeat for several. On update the list replaces the product's."`
}

// apply puts the flags given into in.
func (f productCodeFlags) apply(in *aforro.ProductInput) {
	in.SKU = f.SKU
	if f.Barcode != nil {
		codes := append([]string{}, f.Barcode...)
		in.Barcodes = &codes
	}
}

// skuText is a SKU for a table: "-" for none.
func skuText(sku *string) string {
	if sku == nil {
		return "-"
	}
	return *sku
}

// ProductsLookupCmd finds products by an exact code.
type ProductsLookupCmd struct {
	Code string `arg:"" help:"A SKU (any case) or a barcode (a UPC-A also finds its EAN-13 form)."`
}

// Help is shown under the usage of the command.
func (ProductsLookupCmd) Help() string {
	return "Exact, as a scanner needs: a near miss finds nothing, and a barcode with a\n" +
		"wrong check digit matches no barcode. A barcode several products share\n" +
		"lists them all. Public.\n\nExamples:\n\n" +
		"    aforroctl products lookup 5601234567894\n" +
		"    aforroctl products lookup mp-30 -o json | jq '.results[0].id'"
}

// Run looks the code up.
func (c *ProductsLookupCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.LookupResult, error) { return cl.LookupProducts(ctx, c.Code) },
		func(r aforro.LookupResult) error {
			if a.out.csv() {
				return writeCSV(a.out, lookupView, r.Results)
			}
			if len(r.Results) == 0 {
				a.out.note("No product has the code %s.", r.Code)
				return nil
			}
			return writeTable(a.out, lookupView, r.Results)
		})
}

// lookupView is the table of a lookup's products.
var lookupView = view[aforro.Product]{
	noun: "products",
	columns: []column{{title: "ID", right: true}, {title: "SKU"}, {title: "TITLE", flex: true},
		{title: "PRICE", right: true}, {title: "BARCODES", flex: true}},
	cells: func(p aforro.Product) []string {
		return []string{formatID(p.ID), skuText(p.SKU), p.Title, p.Price.String(), strings.Join(p.Barcodes, " ")}
	},
	csvHeader: productCSVHeader,
	csvRecord: productCSV,
}

// lists lets lookup take -o csv: it answers a list of products.
func (ProductsLookupCmd) lists() {}

// ProductsWhereCmd lists the stores that stock a product.
type ProductsWhereCmd struct {
	ID      int64 `arg:"" help:"Product id."`
	InStock bool  `help:"Only stores with at least one unit."`
	Paging
}

// Help is shown under the usage of the command.
func (ProductsWhereCmd) Help() string {
	return "Any staff token may ask, whatever its stores: it is for sending a customer\n" +
		"to a store that has the product. Stores by id.\n\nExamples:\n\n" +
		"    aforroctl products where 42 --in-stock\n" +
		"    aforroctl products where 42 --all -o csv > stock-42.csv"
}

// Run lists the stores.
func (c *ProductsWhereCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.ProductStock], error) {
		return cl.ProductStores(ctx, c.ID, aforro.ProductStockFilter{InStock: c.InStock}, p)
	}
	return list(a, c.Paging, fetch, productStockView)
}

// productStockView is the table of a product's stores.
var productStockView = view[aforro.ProductStock]{
	noun: "stores",
	columns: []column{{title: "STORE", right: true}, {title: "NAME", flex: true}, {title: "LOCATION", flex: true},
		{title: "QUANTITY", right: true}},
	cells: func(s aforro.ProductStock) []string {
		return []string{formatID(s.StoreID), s.StoreName, s.StoreLocation, strconv.Itoa(s.Quantity)}
	},
	mark: func(s aforro.ProductStock) mark {
		if s.Quantity == 0 {
			return markOut
		}
		return unmarked
	},
	csvHeader: []string{"store_id", "store_name", "store_location", "quantity"},
	csvRecord: func(s aforro.ProductStock) []string {
		return []string{formatID(s.StoreID), s.StoreName, s.StoreLocation, strconv.Itoa(s.Quantity)}
	},
}
