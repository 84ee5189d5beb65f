package client_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server/servertest"
)

func TestCodes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Exec(t, servertest.Catalogue)
	c := srv.client(t)
	ctx := context.Background()

	p, err := c.CreateProduct(ctx, aforro.ProductInput{Title: ptr("Desk Lamp"), Price: ptr(aforro.Money(1990)), CategoryID: ptr(int64(1)),
		SKU: ptr("LMP-1"), Barcodes: &[]string{"036000291452", "lamp-7"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.SKU == nil || *p.SKU != "LMP-1" || !cmp.Equal(p.Barcodes, aforro.CodeList{"036000291452", "lamp-7"}) {
		t.Errorf("created %+v", p)
	}
	_, err = c.CreateProduct(ctx, aforro.ProductInput{Title: ptr("X"), Price: ptr(aforro.Money(1)), CategoryID: ptr(int64(1)),
		Barcodes: &[]string{"036000291453"}})
	if ae := apiError(t, err); ae.Status != 400 || ae.Fields["barcodes[0]"] == "" {
		t.Errorf("a wrong check digit: %+v", ae)
	}

	got, err := c.LookupProducts(ctx, "0036000291452") // the UPC-A's EAN-13 form
	if err != nil || got.Code != "0036000291452" || len(got.Results) != 1 || got.Results[0].ID != p.ID {
		t.Errorf("LookupProducts = %+v, %v", got, err)
	}
	if got, err := c.LookupProducts(ctx, "nothing-here"); err != nil || got.Results == nil || len(got.Results) != 0 {
		t.Errorf("LookupProducts of an unknown code = %+v, %v", got, err)
	}
	if _, err := c.LookupProducts(ctx, " "); apiError(t, err).Status != 400 {
		t.Errorf("LookupProducts of a blank code: %v, want a 400", err)
	}

	// Clearing: "" removes the SKU, an empty list the barcodes.
	cleared, err := c.UpdateProduct(ctx, p.ID, aforro.ProductInput{SKU: ptr(""), Barcodes: &[]string{}})
	if err != nil || cleared.SKU != nil || len(cleared.Barcodes) != 0 {
		t.Errorf("UpdateProduct clearing the codes = %+v, %v", cleared, err)
	}

	staff, err := client.New(srv.URL, client.WithToken(srv.Token(t, aforro.RoleStaff, 2)))
	if err != nil {
		t.Fatal(err)
	}
	page, err := staff.ProductStores(ctx, 1, aforro.ProductStockFilter{InStock: true}, client.PageOptions{})
	want := []aforro.ProductStock{{StoreID: 1, StoreName: "Downtown", StoreLocation: "1 Main St, Lisbon", Quantity: 10}}
	if err != nil || !cmp.Equal(want, page.Results) {
		t.Errorf("ProductStores = %+v, %v", page.Results, err)
	}
	if _, err := staff.ProductStores(ctx, 99, aforro.ProductStockFilter{}, client.PageOptions{}); apiError(t, err).Status != 404 {
		t.Errorf("ProductStores of an unknown product: %v, want a 404", err)
	}
}
