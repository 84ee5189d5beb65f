package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// StoresCmd groups the store commands.
type StoresCmd struct {
	List   StoresListCmd   `cmd:"" help:"List stores, by id."`
	Show   StoresShowCmd   `cmd:"" help:"Show one store."`
	Create StoresCreateCmd `cmd:"" help:"Add a store (admin token)."`
	Update StoresUpdateCmd `cmd:"" help:"Change a store's name or location (admin token)."`
	Delete StoresDeleteCmd `cmd:"" help:"Delete a store without orders or stock (admin token)."`
}

// Help is shown under the usage of "aforroctl stores --help".
func (StoresCmd) Help() string {
	return "Reading is public; changing needs an admin token.\n\nExamples:\n\n" +
		"    aforroctl stores list\n    aforroctl stores show 2\n" +
		"    aforroctl stores create --name Airport --location \"Terminal 1, Lisbon\"\n" +
		"    aforroctl stores update 4 --location \"Terminal 2, Lisbon\"\n" +
		"    aforroctl stores delete 4"
}

// StoresListCmd lists stores.
type StoresListCmd struct {
	Paging
}

// Help is shown under the usage of the command.
func (StoresListCmd) Help() string {
	return "Examples:\n\n    aforroctl stores list\n    aforroctl stores list --all -o json | jq -r .name"
}

// Run lists stores.
func (c *StoresListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return list(a, c.Paging, cl.ListStores, storeView)
}

// storeView is the table of stores.
var storeView = view[aforro.Store]{
	noun:      "stores",
	columns:   []column{{title: "ID", right: true}, {title: "NAME", flex: true}, {title: "LOCATION", flex: true}},
	cells:     func(s aforro.Store) []string { return []string{formatID(s.ID), s.Name, s.Location} },
	csvHeader: []string{"id", "name", "location"},
	csvRecord: func(s aforro.Store) []string { return []string{formatID(s.ID), s.Name, s.Location} },
}

// StoresShowCmd shows one store.
type StoresShowCmd struct {
	ID int64 `arg:"" help:"Store id."`
}

// Help is shown under the usage of the command.
func (StoresShowCmd) Help() string {
	return "Examples:\n\n    aforroctl stores show 2\n    aforroctl stores show 2 -o json"
}

// Run shows the store.
func (c *StoresShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return show(a, func(ctx context.Context) (aforro.Store, error) { return cl.Store(ctx, c.ID) }, storeFields)
}

// storeFields are the lines of a store's detail view.
func storeFields(s aforro.Store) []field {
	return []field{{"ID", formatID(s.ID)}, {"Name", s.Name}, {"Location", s.Location}}
}

// CategoriesCmd groups the category commands.
type CategoriesCmd struct {
	List   CategoriesListCmd   `cmd:"" help:"List categories, by name."`
	Show   CategoriesShowCmd   `cmd:"" help:"Show one category."`
	Create CategoriesCreateCmd `cmd:"" help:"Add a category (admin token)."`
	Update CategoriesUpdateCmd `cmd:"" help:"Rename a category (admin token)."`
	Delete CategoriesDeleteCmd `cmd:"" help:"Delete a category without products (admin token)."`
}

// Help is shown under the usage of "aforroctl categories --help".
func (CategoriesCmd) Help() string {
	return "Reading is public; changing needs an admin token.\n\nExamples:\n\n" +
		"    aforroctl categories list\n    aforroctl categories show 3\n" +
		"    aforroctl categories create Garden\n" +
		"    aforroctl categories update 4 --name \"Garden and patio\"\n" +
		"    aforroctl categories delete 4"
}

// CategoriesListCmd lists categories.
type CategoriesListCmd struct {
	Paging
}

// Help is shown under the usage of the command.
func (CategoriesListCmd) Help() string {
	return "Examples:\n\n    aforroctl categories list --all\n    aforroctl categories list -o json | jq '.results[].name'"
}

// Run lists categories.
func (c *CategoriesListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return list(a, c.Paging, cl.ListCategories, categoryView)
}

// categoryView is the table of categories.
var categoryView = view[aforro.Category]{
	noun:      "categories",
	columns:   []column{{title: "ID", right: true}, {title: "NAME", flex: true}},
	cells:     func(c aforro.Category) []string { return []string{formatID(c.ID), c.Name} },
	csvHeader: []string{"id", "name"},
	csvRecord: func(c aforro.Category) []string { return []string{formatID(c.ID), c.Name} },
}

// CategoriesShowCmd shows one category.
type CategoriesShowCmd struct {
	ID int64 `arg:"" help:"Category id."`
}

// Help is shown under the usage of the command.
func (CategoriesShowCmd) Help() string {
	return "Examples:\n\n    aforroctl categories show 3"
}

// Run shows the category.
func (c *CategoriesShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return show(a, func(ctx context.Context) (aforro.Category, error) { return cl.Category(ctx, c.ID) }, categoryFields)
}

// categoryFields are the lines of a category's detail view.
func categoryFields(c aforro.Category) []field {
	return []field{{"ID", formatID(c.ID)}, {"Name", c.Name}}
}

// ProductsCmd groups the product commands.
type ProductsCmd struct {
	List   ProductsListCmd   `cmd:"" help:"List products, by id."`
	Show   ProductsShowCmd   `cmd:"" help:"Show one product."`
	Create ProductsCreateCmd `cmd:"" help:"Add a product (admin token)."`
	Update ProductsUpdateCmd `cmd:"" help:"Change some of a product's fields (admin token)."`
	Delete ProductsDeleteCmd `cmd:"" help:"Delete a product no order or stock refers to (admin token)."`
	Lookup ProductsLookupCmd `cmd:"" help:"Find the products whose SKU or barcode is exactly CODE."`
	Where  ProductsWhereCmd  `cmd:"" help:"List the stores that stock a product and how many they have (staff token)."`
}

// Help is shown under the usage of "aforroctl products --help".
func (ProductsCmd) Help() string {
	return "Reading is public; changing needs an admin token. To find products by words,\n" +
		"price or stock, see \"aforroctl search\".\n\nExamples:\n\n" +
		"    aforroctl products list --category 3\n    aforroctl products show 42\n" +
		"    aforroctl products create --title \"Mouse Pad\" --price 5.50 --category 1\n" +
		"    aforroctl products update 42 --price 4.99\n" +
		"    aforroctl products delete 42"
}

// ProductsListCmd lists products.
type ProductsListCmd struct {
	Category     int64    `placeholder:"ID" help:"Only products of this category."`
	UpdatedSince *instant `placeholder:"TIME" help:"Only products changed at or after TIME (RFC 3339, such as 2026-12-01T08:00:00Z, or a date for its midnight UTC), in the order they changed; adds an UPDATED column."`
	Paging
}

// Help is shown under the usage of the command.
func (ProductsListCmd) Help() string {
	return "Products are listed by id; with --updated-since, by when they last changed\n" +
		"(then by id), so a sync can start the next run from the newest time it read.\n\n" +
		"Examples:\n\n    aforroctl products list\n    aforroctl products list --category 3 --page 2\n" +
		"    aforroctl products list --all -o json | jq -r 'select(.price | tonumber > 100) | .title'\n" +
		"    aforroctl products list --updated-since 2026-12-01T08:00:00Z --all -o csv > changed.csv"
}

// Run lists products.
func (c *ProductsListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.ProductFilter{CategoryID: c.Category}
	if c.UpdatedSince != nil {
		f.UpdatedSince = time.Time(*c.UpdatedSince)
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.Product], error) {
		return cl.ListProducts(ctx, f, p)
	}
	return list(a, c.Paging, fetch, productView(c.UpdatedSince != nil))
}

// instant is an --updated-since flag: a time as RFC 3339, or a date, which
// is its midnight UTC.
type instant time.Time

// UnmarshalText parses a time or a date.
func (t *instant) UnmarshalText(b []byte) error {
	v := strings.TrimSpace(string(b))
	for _, layout := range []string{time.RFC3339Nano, aforro.DateLayout} {
		if x, err := time.Parse(layout, v); err == nil {
			*t = instant(x)
			return nil
		}
	}
	return fmt.Errorf("%q is neither a time as RFC 3339 (such as 2026-12-01T08:00:00Z) nor a date (2026-12-01)", b)
}

// productView is the table of products; with updated, it shows when each
// last changed.
func productView(updated bool) view[aforro.Product] {
	v := view[aforro.Product]{
		noun: "products",
		columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "CATEGORY", flex: true},
			{title: "PRICE", right: true}, {title: "CREATED"}},
		cells: func(p aforro.Product) []string {
			return []string{formatID(p.ID), p.Title, p.Category.Name, p.Price.String(), formatTime(p.CreatedAt)}
		},
		csvHeader: productCSVHeader,
		csvRecord: productCSV,
	}
	if updated {
		cells := v.cells
		v.columns = append(v.columns, column{title: "UPDATED"})
		v.cells = func(p aforro.Product) []string { return append(cells(p), formatTime(p.UpdatedAt)) }
	}
	return v
}

// productCSVHeader and productCSV are a product as -o csv writes it; its
// category is two fields, its barcodes one (separated by spaces, which no
// code holds), its SKU empty when it has none.
var productCSVHeader = []string{"id", "title", "description", "price", "category_id", "category_name", "created_at", "updated_at",
	"sku", "barcodes"}

func productCSV(p aforro.Product) []string {
	sku := ""
	if p.SKU != nil {
		sku = *p.SKU
	}
	return []string{formatID(p.ID), p.Title, p.Description, p.Price.String(), formatID(p.Category.ID), p.Category.Name,
		csvTime(p.CreatedAt), csvTime(p.UpdatedAt), sku, strings.Join(p.Barcodes, " ")}
}

// ProductsShowCmd shows one product.
type ProductsShowCmd struct {
	ID int64 `arg:"" help:"Product id."`
}

// Help is shown under the usage of the command.
func (ProductsShowCmd) Help() string {
	return "Examples:\n\n    aforroctl products show 42\n    aforroctl products show 42 -o json | jq -r .price"
}

// Run shows the product.
func (c *ProductsShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return show(a, func(ctx context.Context) (aforro.Product, error) { return cl.Product(ctx, c.ID) }, productFields)
}

// productFields are the lines of a product's detail view.
func productFields(p aforro.Product) []field {
	return []field{
		{"ID", formatID(p.ID)},
		{"Title", p.Title},
		{"Description", p.Description},
		{"Price", p.Price.String()},
		{"Category", p.Category.Name + " (" + formatID(p.Category.ID) + ")"},
		{"Created", formatTime(p.CreatedAt)},
		{"SKU", skuText(p.SKU)},
		{"Barcodes", strings.Join(p.Barcodes, ", ")},
	}
}
