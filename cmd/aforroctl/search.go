package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// lowStockHighlight is the server's default low-stock threshold: search
// results at or below it are highlighted when they carry a store quantity.
const lowStockHighlight = 5

// SearchCmd searches the catalogue.
type SearchCmd struct {
	Query    []string `arg:"" optional:"" help:"Words to search for in titles, category names and descriptions; all must match. \"Quoted phrases\" and -excluded words work (put -words after \"--\"). None: every product."`
	Category int64    `placeholder:"ID" help:"Only products of this category."`
	MinPrice *price   `placeholder:"PRICE" help:"Only products costing at least PRICE (such as 9.99)."`
	MaxPrice *price   `placeholder:"PRICE" help:"Only products costing at most PRICE."`
	Store    int64    `placeholder:"ID" help:"Add each product's quantity in this store (the STORE QTY column)."`
	InStock  *bool    `negatable:"" help:"Only products the store (--store) has in stock; --no-in-stock (or --in-stock=false): only those it has none of."`
	Sort     string   `placeholder:"ORDER" help:"relevance (the default with a query), newest (the default without), price_asc or price_desc."`
	Paging
}

// Help is shown under the usage of the command.
func (SearchCmd) Help() string {
	return "Public: no token needed. Typos are forgiven (\"labtop\" finds laptops). A search\n" +
		"counts at most 1,000 matches; beyond that the count reads \"1000+ matches\".\n\n" +
		"Examples:\n\n" +
		"    aforroctl search gaming laptop\n" +
		"    aforroctl search --category 3 --max-price 50 --sort price_asc\n" +
		"    aforroctl search mouse --store 1 --no-in-stock\n" +
		"    aforroctl search -- laptop -gaming\n" +
		"    aforroctl search labtop --all -o json | jq -r '[.id, .title] | @tsv'"
}

// Run searches.
func (c *SearchCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	f := aforro.SearchFilter{
		Q:          strings.Join(c.Query, " "),
		CategoryID: c.Category,
		MinPrice:   (*aforro.Money)(c.MinPrice),
		MaxPrice:   (*aforro.Money)(c.MaxPrice),
		StoreID:    c.Store,
		InStock:    c.InStock,
		Sort:       c.Sort,
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.Product], error) {
		return cl.Search(ctx, f, p)
	}
	return list(a, c.Paging, fetch, searchView(c.Store != 0))
}

// searchView is the table of search results; with a store's quantities it
// adds them, highlighting the products it is short of.
func searchView(withStore bool) view[aforro.Product] {
	v := view[aforro.Product]{
		noun: "matches",
		one:  "match",
		columns: []column{{title: "PRODUCT", right: true}, {title: "TITLE", flex: true}, {title: "CATEGORY", flex: true},
			{title: "PRICE", right: true}},
		cells: func(p aforro.Product) []string {
			return []string{formatID(p.ID), p.Title, p.Category.Name, p.Price.String()}
		},
		csvHeader: productCSVHeader,
		csvRecord: productCSV,
	}
	if !withStore {
		return v
	}
	storeQty := func(p aforro.Product) string {
		if p.StoreQuantity == nil {
			return ""
		}
		return strconv.Itoa(*p.StoreQuantity)
	}
	cells := v.cells
	v.columns = append(v.columns, column{title: "STORE QTY", right: true})
	v.cells = func(p aforro.Product) []string { return append(cells(p), storeQty(p)) }
	v.csvHeader = append(slices.Clip(productCSVHeader), "store_quantity")
	v.csvRecord = func(p aforro.Product) []string { return append(productCSV(p), storeQty(p)) }
	v.mark = func(p aforro.Product) mark {
		switch {
		case p.StoreQuantity == nil:
			return unmarked
		case *p.StoreQuantity <= 0:
			return markOut
		case *p.StoreQuantity <= lowStockHighlight:
			return markLow
		}
		return unmarked
	}
	return v
}

// price is a --min-price, --max-price or --price flag: a non-negative
// decimal with at most two places, checked before anything is sent.
type price aforro.Money

// UnmarshalText parses a price.
func (p *price) UnmarshalText(b []byte) error {
	m, err := aforro.ParseMoney(string(b))
	if err != nil {
		return fmt.Errorf("%q %v (such as 12.50)", b, err)
	}
	*p = price(m)
	return nil
}

// SuggestCmd completes a product title.
type SuggestCmd struct {
	Prefix []string `arg:"" help:"The start of a title, or of a word in it: at least 3 characters."`
}

// Help is shown under the usage of the command.
func (SuggestCmd) Help() string {
	return "Prints up to 10 product titles, one per line: titles starting with PREFIX\n" +
		"first, then titles with a word starting with it, then close typo matches.\n" +
		"Public, and rate limited per client address (20 a minute by default); over the\n" +
		"limit it fails (exit 1) saying when to try again.\n\n" +
		"Examples:\n\n" +
		"    aforroctl suggest lap\n" +
		"    aforroctl suggest gaming lap -o json | jq -r '.suggestions[]'"
}

// Run asks for suggestions.
func (c *SuggestCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	prefix := strings.Join(c.Prefix, " ")
	return emit(a, func(ctx context.Context) (aforro.SuggestResponse, error) { return cl.Suggest(ctx, prefix) },
		func(s aforro.SuggestResponse) error {
			if a.out.csv() {
				return writeCSV(a.out, suggestionView, s.Suggestions)
			}
			if len(s.Suggestions) == 0 {
				a.out.note("No suggestions for %q.", s.Query)
				return nil
			}
			for _, title := range s.Suggestions {
				if _, err := io.WriteString(a.out.stdout, title+"\n"); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
			return nil
		})
}

// suggestionView is suggestions as -o csv writes them: one title a row.
var suggestionView = view[string]{
	noun:      "suggestions",
	csvHeader: []string{"title"},
	csvRecord: func(title string) []string { return []string{title} },
}

// lists lets suggest take -o csv: it answers a list of titles.
func (SuggestCmd) lists() {}
