package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/db/seed"
)

// TestSeedCodesAndLookupPlans seeds a catalogue, checks the codes the seed
// wrote (valid EAN-13s whose keys are what the validation computes, a few
// shared, unique SKUs) and that a lookup, on its custom and its generic
// plan, reads the two code indexes and a handful of buffers.
func TestSeedCodesAndLookupPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.New(t)
	plain, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := seed.Run(ctx, plain, seed.Options{Categories: 15, Products: 5_000, Stores: 2, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	rows, err := plain.Pool.Query(ctx, `SELECT id, sku, barcodes, barcode_keys FROM products ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var withSKU, withBarcode int
	shared := map[string]int{}
	for rows.Next() {
		var id int64
		var sku *string
		var codes, keys []string
		if err := rows.Scan(&id, &sku, &codes, &keys); err != nil {
			t.Fatal(err)
		}
		if sku != nil {
			withSKU++
			if _, err := aforro.CheckSKU(*sku); err != nil || !strings.HasSuffix(*sku, fmt.Sprintf("-%07d", id)) {
				t.Errorf("product %d: SKU %q (%v)", id, *sku, err)
			}
		}
		for i, c := range codes {
			b, err := aforro.ParseBarcode(c)
			if err != nil || b.Format != aforro.FormatEAN13 || keys[i] != b.Key {
				t.Errorf("product %d: barcode %q, key %q: %+v, %v", id, c, keys[i], b, err)
			}
			shared[c]++
			withBarcode++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if withSKU != 4750 || withBarcode != 4500 {
		t.Errorf("%d products with a SKU, %d with a barcode; want 4750 and 4500", withSKU, withBarcode)
	}
	if shared[seed.EAN13(499)] != 2 {
		t.Errorf("the EAN-13 of product 499 is on %d products, want 2", shared[seed.EAN13(499)])
	}
	if _, err := plain.Pool.Exec(ctx, `VACUUM ANALYZE products`); err != nil {
		t.Fatal(err)
	}

	var sku string
	if err := plain.Pool.QueryRow(ctx, `SELECT sku FROM products WHERE id = 1234`).Scan(&sku); err != nil {
		t.Fatal(err)
	}
	lookups := []struct {
		code string
		want []int64
	}{
		{seed.EAN13(499), []int64{499, 500}},
		{"0" + seed.EAN13(77), []int64{77}}, // its GTIN-14 form
		{strings.ToLower(sku), []int64{1234}},
		{"NO-SUCH-CODE", []int64{}},
	}
	for _, mode := range []string{"auto", "force_generic_plan"} {
		rec := newPlanRecorder(t, url, mode)
		for _, l := range lookups {
			for range 6 { // past the five custom plans of a prepared statement
				rec.take()
				got, err := rec.LookupProducts(ctx, l.code)
				if err != nil {
					t.Fatalf("lookup %q: %v", l.code, err)
				}
				ids := []int64{}
				for _, p := range got {
					ids = append(ids, p.ID)
				}
				if d := cmp.Diff(l.want, ids); d != "" {
					t.Fatalf("lookup %q (-want +got):\n%s", l.code, d)
				}
			}
			plans := rec.take()
			if len(plans) != 1 {
				t.Fatalf("lookup %q ran %d statements", l.code, len(plans))
			}
			p := plans[0]
			if !strings.Contains(p.Plan, "products_sku_key") || !strings.Contains(p.Plan, "products_barcode_keys_idx") || p.Buffers > 30 {
				t.Errorf("lookup %q, plan_cache_mode %s: %d buffers\n%s", l.code, mode, p.Buffers, p.Plan)
			}
		}
	}
}
