package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

func ptr[T any](v T) *T { return &v }

func TestAdminWrites(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	ctx := context.Background()

	t.Run("categories", func(t *testing.T) {
		garden, err := c.CreateCategory(ctx, aforro.CategoryInput{Name: ptr("  Garden ")})
		if err != nil {
			t.Fatal(err)
		}
		if want := (aforro.Category{ID: 4, Name: "Garden"}); garden != want {
			t.Errorf("CreateCategory = %+v, want %+v", garden, want)
		}
		renamed, err := c.UpdateCategory(ctx, garden.ID, aforro.CategoryInput{Name: ptr("Garden and patio")})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.Category(ctx, garden.ID); err != nil || got != renamed || got.Name != "Garden and patio" {
			t.Errorf("after UpdateCategory: %+v (%v), answered %+v", got, err, renamed)
		}
		if err := c.DeleteCategory(ctx, garden.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Category(ctx, garden.ID); apiError(t, err).Status != 404 {
			t.Errorf("Category after DeleteCategory: %v, want a 404", err)
		}
	})

	t.Run("products", func(t *testing.T) {
		before := time.Now().Add(-time.Second)
		p, err := c.CreateProduct(ctx, aforro.ProductInput{Title: ptr("Mouse Pad"), Price: ptr(aforro.Money(550)), CategoryID: ptr(int64(1))})
		if err != nil {
			t.Fatal(err)
		}
		want := aforro.Product{ID: 6, Title: "Mouse Pad", Price: 550, Category: electronics}
		if d := cmp.Diff(want, p, cmpopts.IgnoreFields(aforro.Product{}, "CreatedAt", "UpdatedAt")); d != "" ||
			p.CreatedAt.Before(before) || !p.UpdatedAt.Equal(p.CreatedAt) {
			t.Errorf("CreateProduct (-want +got):\n%s\ncreated_at %v, updated_at %v", d, p.CreatedAt, p.UpdatedAt)
		}
		// Only the fields given change; the change moves updated_at.
		got, err := c.UpdateProduct(ctx, p.ID, aforro.ProductInput{Price: ptr(aforro.Money(499)), Description: ptr("Cloth, 30 cm"), CategoryID: ptr(int64(3))})
		if err != nil {
			t.Fatal(err)
		}
		want.Price, want.Description, want.Category, want.CreatedAt = 499, "Cloth, 30 cm", kitchen, p.CreatedAt
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(aforro.Product{}, "UpdatedAt")); d != "" || !got.UpdatedAt.After(p.UpdatedAt) {
			t.Errorf("UpdateProduct (-want +got):\n%s\nupdated_at %v, created %v", d, got.UpdatedAt, p.UpdatedAt)
		}
		if read, err := c.Product(ctx, p.ID); err != nil || !cmp.Equal(read, got) {
			t.Errorf("Product after UpdateProduct = %+v, %v; want %+v", read, err, got)
		}
		if err := c.DeleteProduct(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Product(ctx, p.ID); apiError(t, err).Status != 404 {
			t.Errorf("Product after DeleteProduct: %v, want a 404", err)
		}
	})

	t.Run("stores", func(t *testing.T) {
		s, err := c.CreateStore(ctx, aforro.StoreInput{Name: ptr("Airport")})
		if err != nil {
			t.Fatal(err)
		}
		if want := (aforro.Store{ID: 4, Name: "Airport"}); s != want {
			t.Errorf("CreateStore = %+v, want %+v", s, want)
		}
		got, err := c.UpdateStore(ctx, s.ID, aforro.StoreInput{Location: ptr("Terminal 1, Lisbon")})
		if err != nil {
			t.Fatal(err)
		}
		if want := (aforro.Store{ID: 4, Name: "Airport", Location: "Terminal 1, Lisbon"}); got != want {
			t.Errorf("UpdateStore = %+v, want %+v", got, want)
		}
		if err := c.DeleteStore(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Store(ctx, s.ID); apiError(t, err).Status != 404 {
			t.Errorf("Store after DeleteStore: %v, want a 404", err)
		}
	})
}

func TestAdminWriteErrors(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	c := srv.client(t)
	staff := srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff)))
	anonymous := srv.client(t, client.WithToken(""))
	ctx := context.Background()
	if _, _, err := c.PlaceOrder(ctx, aforro.PlaceOrder{StoreID: 2, Items: []aforro.OrderLine{line(5, 1)}}, ""); err != nil {
		t.Fatal(err)
	}
	forbidden := &client.APIError{Status: 403, Code: aforro.EFORBIDDEN, Message: "This needs an admin token."}

	tests := []struct {
		name string
		call func() error
		want *client.APIError
	}{
		// 400: validation, with the fields named.
		{"category without a name", func() error { _, err := c.CreateCategory(ctx, aforro.CategoryInput{Name: ptr(" ")}); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid name: must not be empty.",
				Fields: map[string]string{"name": "must not be empty"}}},
		{"category update without a change", func() error { _, err := c.UpdateCategory(ctx, 1, aforro.CategoryInput{}); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Nothing to change: send at least one of name."}},
		{"product missing its price and category", func() error {
			_, err := c.CreateProduct(ctx, aforro.ProductInput{Title: ptr(strings.Repeat("t", 201))})
			return err
		}, &client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid category_id: is required (and 2 more problems).",
			Fields: map[string]string{"category_id": "is required", "price": "is required", "title": "must be at most 200 characters"}}},
		{"store without a name", func() error { _, err := c.CreateStore(ctx, aforro.StoreInput{Location: ptr("Faro")}); return err },
			&client.APIError{Status: 400, Code: aforro.EINVALID, Message: "Invalid name: is required.",
				Fields: map[string]string{"name": "is required"}}},
		// 404: no such row.
		{"rename an unknown category", func() error {
			_, err := c.UpdateCategory(ctx, 99, aforro.CategoryInput{Name: ptr("x")})
			return err
		}, &client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Category 99 not found."}},
		{"update an unknown product", func() error {
			_, err := c.UpdateProduct(ctx, 99, aforro.ProductInput{Title: ptr("x")})
			return err
		}, &client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Product 99 not found."}},
		{"delete an unknown store", func() error { return c.DeleteStore(ctx, 99) },
			&client.APIError{Status: 404, Code: aforro.ENOTFOUND, Message: "Store 99 not found."}},
		// 409: a name taken, or a row still referenced.
		{"duplicate category name", func() error {
			_, err := c.CreateCategory(ctx, aforro.CategoryInput{Name: ptr("BOOKS")})
			return err
		}, &client.APIError{Status: 409, Code: aforro.ECONFLICT, Message: `A category named "BOOKS" already exists (names are compared ignoring case).`}},
		{"delete a category with products", func() error { return c.DeleteCategory(ctx, 2) },
			&client.APIError{Status: 409, Code: aforro.ECONFLICT, Message: "Category 2 has 1 product; it cannot be deleted."}},
		{"delete an ordered product", func() error { return c.DeleteProduct(ctx, 5) },
			&client.APIError{Status: 409, Code: aforro.ECONFLICT, Message: "Product 5 is referenced by 1 order and is stocked in 1 store; it cannot be deleted."}},
		{"delete a store with orders", func() error { return c.DeleteStore(ctx, 2) },
			&client.APIError{Status: 409, Code: aforro.ECONFLICT, Message: "Store 2 has 1 order and stocks 1 product; it cannot be deleted."}},
		// 401 and 403: only admins write.
		{"staff creates a store", func() error { _, err := staff.CreateStore(ctx, aforro.StoreInput{Name: ptr("x")}); return err }, forbidden},
		{"staff renames a category", func() error {
			_, err := staff.UpdateCategory(ctx, 1, aforro.CategoryInput{Name: ptr("x")})
			return err
		}, forbidden},
		{"staff deletes a product", func() error { return staff.DeleteProduct(ctx, 4) }, forbidden},
		{"anonymous creates a product", func() error {
			_, err := anonymous.CreateProduct(ctx, aforro.ProductInput{Title: ptr("x"), Price: ptr(aforro.Money(1)), CategoryID: ptr(int64(1))})
			return err
		}, &client.APIError{Status: 401, Code: aforro.EUNAUTHORIZED, Message: "Authentication required: send Authorization: Bearer <token>."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkAPIError(t, tc.call(), tc.want) })
	}
	// Nothing above changed the catalogue.
	page, err := c.ListCategories(ctx, client.PageOptions{})
	if err != nil || page.Count != 3 {
		t.Errorf("categories after the failed writes: %+v, %v; want the servertest.Catalogue's 3", page, err)
	}
	if _, err := c.Product(ctx, 4); err != nil {
		t.Errorf("product 4 after a staff delete: %v", err)
	}
}
