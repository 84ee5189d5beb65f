package main

import (
	"maps"
	"testing"

	"github.com/aforro/aforro"
)

// TestCodesGolden gives products codes, looks them up and asks where a
// product is stocked, in order on one server: each step sees the ones
// before it.
func TestCodesGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	staff := srv.Token(t, aforro.RoleStaff, 2) // another store's staff may ask where
	unreachable := closedURL(t)
	steps := []goldenRun{
		{"products-update-codes", []string{"products", "update", "1", "--sku", "LAP-015", "--barcode", "5901234123457", "--barcode", "lap-shelf,1"}, nil},
		{"products-create-codes", []string{"products", "create", "--title", "Desk Lamp", "--price", "19.9", "--category", "1",
			"--sku", "LMP-1", "--barcode", "036000291452"}, nil},
		{"products-create-bad-barcode", []string{"products", "create", "--title", "Rake", "--price", "12", "--category", "1",
			"--barcode", "5901234123457", "--barcode", "5901234123458"}, nil},
		{"products-create-taken-sku", []string{"products", "create", "--title", "Rake", "--price", "12", "--category", "1", "--sku", "lap-015"}, nil},
		{"products-lookup", []string{"products", "lookup", "5901234123457"}, nil},
		{"products-lookup-ean13-of-upc", []string{"products", "lookup", "0036000291452"}, nil},
		{"products-lookup-json", []string{"products", "lookup", "lap-015", "-o", "json"}, nil},
		{"products-lookup-csv", []string{"products", "lookup", "5901234123457", "-o", "csv"}, nil},
		{"products-lookup-none", []string{"products", "lookup", "5901234123458"}, nil},
		{"products-where", []string{"products", "where", "1"}, map[string]string{"AFORRO_TOKEN": staff}},
		{"products-where-in-stock-csv", []string{"products", "where", "5", "--in-stock", "-o", "csv"}, map[string]string{"AFORRO_TOKEN": staff}},
		{"products-where-not-found", []string{"products", "where", "99"}, nil},
		{"products-update-clear-codes", []string{"products", "update", "1", "--sku", "", "--no-barcodes"}, nil},
		{"usage-products-update-barcode-and-none", []string{"products", "update", "1", "--barcode", "1", "--no-barcodes"}, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, st.env)
			inv := invocation{args: st.args, env: env}
			got := transcript(inv, runCLI(t, inv), placeholders(srv.URL, unreachable)...)
			golden(t, st.name, clockTimes.ReplaceAllString(got, "<now>"))
		})
	}
}
