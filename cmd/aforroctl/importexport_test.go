package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aforro/aforro"
)

// codesFixture gives product 1 a SKU, and products 2 and 4 one shared
// in-house barcode, for imports that name products by code.
const codesFixture = `
UPDATE products SET sku = 'LAP-15' WHERE id = 1;
UPDATE products SET barcodes = '{SHELF7}', barcode_keys = '{SHELF7}' WHERE id IN (2, 4);
UPDATE products SET barcodes = '{BOX3}', barcode_keys = '{BOX3}' WHERE id = 3;`

// TestImportGolden covers inventory import's summary: everything applied,
// failures under each policy, a dry run, and files refused whole. Store 1:
// 1 has 10, 2 has 3, 3 has 0, 4 has 50, 5 has 1200.
func TestImportGolden(t *testing.T) {
	t.Parallel()
	mixed := "product_id,sku,barcode,quantity,reason,note\n" +
		"2,,,5,,\n" + // line 2: fine
		",lap-15,,1,received,box 1\n" + // 3: by SKU, any case
		",,SHELF7,1,,\n" + // 4: a barcode two products share
		"99,,,1,,\n" + // 5: no such product
		",,box3,-1,,\n" + // 6: below zero in add mode
		"4,,,many,,\n" + // 7: not a number
		",NOPE,,1,,\n" + // 8: no product has it
		"4,LAP-15,,1,,\n" // 9: two names
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"import-set", []string{"inventory", "import", "--store", "1", "--mode", "set", "--reason", "count", "-"},
			"product_id,quantity,reason,note\n1,12,,\n2,0,damaged,\"wet, all of them\"\n"},
		{"import-add-reject-failed", []string{"inventory", "import", "--store", "1", "--mode", "add", "--error-policy", "reject_failed", "--reason", "received", "-"}, mixed},
		{"import-add-reject-all", []string{"inventory", "import", "--store", "1", "--mode", "add", "--reason", "received", "-"}, mixed},
		{"import-add-reject-all-server", []string{"inventory", "import", "--store", "1", "--mode", "add", "--reason", "shrinkage", "-"},
			"product_id,quantity\n1,-1\n2,-4\n"},
		{"import-dry-run", []string{"inventory", "import", "--store", "1", "--mode", "add", "--error-policy", "reject_failed", "--dry-run", "-"},
			"sku,quantity,reason\nLAP-15,5,received\nlap-15,1,received\n,,\n2,3\n"},
		{"import-dry-run-ok", []string{"inventory", "import", "--store", "1", "--mode", "set", "--dry-run", "-"},
			"product_id,quantity,reason\n2,5,count\n3,1,count\n"},
		{"import-json", []string{"inventory", "import", "--store", "1", "--mode", "add", "--error-policy", "reject_failed", "-o", "json", "-"},
			"product_id,quantity,reason\n1,2,correction\n3,-1,shrinkage\n"},
		{"usage-import-unknown-column", []string{"inventory", "import", "--store", "1", "--mode", "set", "-"}, "product_id,qty\n1,2\n"},
		{"usage-import-no-mode", []string{"inventory", "import", "--store", "1", "-"}, "product_id,quantity\n1,2\n"},
		{"usage-import-empty", []string{"inventory", "import", "--store", "1", "--mode", "add", "-"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			srv.Exec(t, codesFixture)
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			inv := invocation{args: tc.args, env: env, stdin: tc.stdin}
			got := transcript(inv, runCLI(t, inv), placeholders(srv.URL, srv.URL)...)
			got += "-- stock afterwards --\n" + stockOf(t, srv, 1)
			golden(t, tc.name, got)
		})
	}
}

// stockOf is a store's stock as export writes it.
func stockOf(t *testing.T, srv *testServer, store int64) string {
	t.Helper()
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
	r := runCLI(t, invocation{args: []string{"inventory", "export", "--store", fmt.Sprint(store)}, env: env})
	if r.code != 0 {
		t.Fatalf("export: %d %s", r.code, r.stderr)
	}
	return r.stdout
}

// TestImportExportRoundTrip exports a store of 10,000 products, imports the
// file into another store through the CLI (ten batches, checked first under
// reject_all) and exports that store: the same rows come back, and each
// applied row wrote one ledger movement.
func TestImportExportRoundTrip(t *testing.T) {
	t.Parallel()
	const n = 10_000
	srv := newTestServer(t)
	srv.Exec(t, fmt.Sprintf(`
INSERT INTO products (id, title, description, price, category_id)
  SELECT 100 + g, format('Item %%s', lpad(g::text, 5, '0')), '', 1, 1 + g %% 3 FROM generate_series(1, %d) g;
INSERT INTO inventory (store_id, product_id, quantity) SELECT 3, 100 + g, g %% 250 FROM generate_series(1, %d) g;`, n, n))
	env := baseEnv(t)
	env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin

	exported := stockOf(t, srv, 3)
	lines := strings.Split(strings.TrimSuffix(exported, "\n"), "\n")
	if len(lines) != n+1 || lines[0] != "product_id,quantity,reason,note" || lines[1] != "101,1,," {
		t.Fatalf("export of store 3: %d lines, starting %q", len(lines), lines[:min(len(lines), 2)])
	}
	file := filepath.Join(t.TempDir(), "stock.csv")
	if err := os.WriteFile(file, []byte(exported), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, invocation{args: []string{"inventory", "import", "--store", "2", "--mode", "set", "--reason", "correction", file}, env: env})
	if r.code != 0 || r.stdout != fmt.Sprintf("Store 2, mode set: %d rows applied, 0 failed.\n", n) || r.stderr != "" {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// Store 2 also stocked product 5 (7 units), whose title sorts first.
	if got, want := stockOf(t, srv, 2), lines[0]+"\n5,7,,\n"+strings.Join(lines[1:], "\n")+"\n"; got != want {
		t.Errorf("store 2 after the import differs from store 3's export (%d bytes, want %d)", len(got), len(want))
	}
	d := srv.DB
	var moves int
	if err := d.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM stock_movements WHERE store_id = 2 AND reason = 'correction'`).Scan(&moves); err != nil {
		t.Fatal(err)
	}
	if moves != n {
		t.Errorf("%d movements, want %d", moves, n)
	}

	// The same file in add mode with a bad row at its end: reject_all
	// checks every batch first, so nothing changes, and every failed row is
	// named (the 40 rows of 0, which add refuses as adjust does, too).
	bad := exported + "999999,1,,\n"
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, invocation{args: []string{"inventory", "import", "--store", "2", "--mode", "add", "--reason", "restock", file}, env: env})
	if r.code != 1 || !strings.Contains(r.stdout, "41 of 10001 rows failed") ||
		!regexp.MustCompile(fmt.Sprintf(`(?m)^ *%d +999999  product_id: unknown product 999999$`, n+2)).MatchString(r.stdout) {
		t.Errorf("import of a bad row: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if err := d.Pool.QueryRow(context.Background(), `SELECT count(*) FROM stock_movements WHERE reason = 'restock'`).Scan(&moves); err != nil || moves != 0 {
		t.Errorf("a rejected import wrote %d movements (%v)", moves, err)
	}
}

// TestImportBatches: rows are cut at 1,000 a batch and under the body limit.
func TestImportBatches(t *testing.T) {
	t.Parallel()
	rows := make([]*importRow, 2500)
	for i := range rows {
		rows[i] = &importRow{productID: int64(i + 1), quantity: 1, reason: "other"}
	}
	if b := splitBatches(rows); len(b) != 3 || len(b[0]) != aforro.MaxBatchRows || len(b[2]) != 500 {
		t.Errorf("2500 short rows: %d batches", len(b))
	}
	long := strings.Repeat("é", 480)
	for _, r := range rows {
		r.note, r.reason = long, long[:200]
	}
	for i, b := range splitBatches(rows) {
		if len(b) >= aforro.MaxBatchRows {
			t.Errorf("batch %d of long rows has %d rows", i, len(b))
		}
	}
}

// TestImportProgressOnTerminal: on a terminal the import draws its
// progress bar (and clears it for the summary); the golden runs above, not
// on a terminal, show none.
func TestImportProgressOnTerminal(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	file := filepath.Join(t.TempDir(), "count.csv")
	if err := os.WriteFile(file, []byte("product_id,quantity,reason\n1,4,count\n2,5,count\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "AFORRO_URL": srv.URL, "AFORRO_TOKEN": srv.Admin}
	r := runOnSilentPTY(t, env, []string{"inventory", "import", "--store", "1", "--mode", "set", file}, "", "")
	if r.err != nil {
		t.Fatalf("import on a terminal: %v\n%q", r.err, r.output)
	}
	if !strings.Contains(r.output, "importing") || !strings.Contains(r.output, "(0/2)") ||
		!strings.Contains(r.output, "Store 1, mode set: 2 rows applied, 0 failed.") {
		t.Errorf("no progress bar or summary on a terminal:\n%q", r.output)
	}
}
