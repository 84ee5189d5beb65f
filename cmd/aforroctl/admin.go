package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aforro/aforro"
)

// The catalogue and store writes need an admin token. Create and update
// print the resource as it is now (with -o json, the API's answer); delete
// prints one line (nothing with -o json: the API answers 204 without a body).

// CategoriesCreateCmd creates a category.
type CategoriesCreateCmd struct {
	Name string `arg:"" help:"The name: 1-100 characters, unique ignoring case."`
}

// Help is shown under the usage of the command.
func (CategoriesCreateCmd) Help() string {
	return "Needs an admin token.\n\nExamples:\n\n" +
		"    aforroctl categories create Garden\n" +
		"    aforroctl categories create \"Garden and patio\" -o json | jq .id"
}

// Run creates the category.
func (c *CategoriesCreateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Category, error) {
		return cl.CreateCategory(ctx, aforro.CategoryInput{Name: &c.Name})
	}, func(cat aforro.Category) error { return a.out.writeDetail(categoryFields(cat)) })
}

// CategoriesUpdateCmd renames a category.
type CategoriesUpdateCmd struct {
	ID   int64  `arg:"" help:"Category id."`
	Name string `required:"" placeholder:"NAME" help:"The new name: 1-100 characters, unique ignoring case."`
}

// Help is shown under the usage of the command.
func (CategoriesUpdateCmd) Help() string {
	return "Needs an admin token. Search finds the products under the new name at once.\n\n" +
		"Examples:\n\n" +
		"    aforroctl categories update 3 --name \"Kitchen\""
}

// Run renames the category.
func (c *CategoriesUpdateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return emit(a, func(ctx context.Context) (aforro.Category, error) {
		return cl.UpdateCategory(ctx, c.ID, aforro.CategoryInput{Name: &c.Name})
	}, func(cat aforro.Category) error { return a.out.writeDetail(categoryFields(cat)) })
}

// CategoriesDeleteCmd deletes a category.
type CategoriesDeleteCmd struct {
	ID int64 `arg:"" help:"Category id."`
}

// Help is shown under the usage of the command.
func (CategoriesDeleteCmd) Help() string {
	return "Needs an admin token. A category that still has products cannot be deleted\n" +
		"(exit 1): move or delete them first.\n\nExamples:\n\n" +
		"    aforroctl categories delete 4"
}

// Run deletes the category.
func (c *CategoriesDeleteCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return deleted(a, "category", c.ID, cl.DeleteCategory)
}

// ProductsCreateCmd creates a product.
type ProductsCreateCmd struct {
	Title       string `required:"" placeholder:"TITLE" help:"The title: 1-200 characters."`
	Price       price  `required:"" placeholder:"PRICE" help:"The price, such as 12.50."`
	Category    int64  `required:"" placeholder:"ID" help:"Category id."`
	Description string `placeholder:"TEXT" help:"The description (up to 5000 characters; default empty)."`
	productCodeFlags
}

// Help is shown under the usage of the command.
func (ProductsCreateCmd) Help() string {
	return "Needs an admin token. A new product is in no store's stock: add it with\n" +
		"\"aforroctl inventory set\".\n\nExamples:\n\n" +
		"    aforroctl products create --title \"Mouse Pad\" --price 5.50 --category 1\n" +
		"    aforroctl products create --title \"Mouse Pad\" --price 5.50 --category 1 --description \"Cloth, 30 cm\" -o json | jq .id\n" +
		"    aforroctl products create --title \"Mouse Pad\" --price 5.50 --category 1 --sku MP-30 --barcode 5601234567894"
}

// Run creates the product.
func (c *ProductsCreateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.ProductInput{Title: &c.Title, Price: (*aforro.Money)(&c.Price), CategoryID: &c.Category, Description: &c.Description}
	c.productCodeFlags.apply(&in)
	return emit(a, func(ctx context.Context) (aforro.Product, error) { return cl.CreateProduct(ctx, in) },
		func(p aforro.Product) error { return a.out.writeDetail(productFields(p)) })
}

// ProductsUpdateCmd changes a product.
type ProductsUpdateCmd struct {
	ID          int64   `arg:"" help:"Product id."`
	Title       *string `placeholder:"TITLE" help:"The new title: 1-200 characters."`
	Price       *price  `placeholder:"PRICE" help:"The new price, such as 12.50."`
	Category    *int64  `placeholder:"ID" help:"The new category id."`
	Description *string `placeholder:"TEXT" help:"The new description (\"\" clears it)."`
	productCodeFlags
	NoBarcodes bool `xor:"barcodes" help:"Remove every barcode."`
}

// Help is shown under the usage of the command.
func (ProductsUpdateCmd) Help() string {
	return "Needs an admin token. Only the fields given change; give at least one.\n" +
		"Orders keep the title and price they were placed with.\n\nExamples:\n\n" +
		"    aforroctl products update 42 --price 19.99\n" +
		"    aforroctl products update 42 --title \"Mouse Pad XL\" --category 3 --description \"\"\n" +
		"    aforroctl products update 42 --sku MP-30XL --barcode 5601234567894 --barcode MP30XL\n" +
		"    aforroctl products update 42 --sku \"\" --no-barcodes"
}

// Validate asks for something to change.
func (c *ProductsUpdateCmd) Validate() error {
	if c.Title == nil && c.Price == nil && c.Category == nil && c.Description == nil && c.SKU == nil &&
		c.Barcode == nil && !c.NoBarcodes {
		return errors.New("nothing to change: give at least one of --title, --price, --category, --description, --sku, --barcode, --no-barcodes")
	}
	return nil
}

// Run changes the product.
func (c *ProductsUpdateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.ProductInput{Title: c.Title, Price: (*aforro.Money)(c.Price), CategoryID: c.Category, Description: c.Description}
	c.productCodeFlags.apply(&in)
	if c.NoBarcodes {
		in.Barcodes = &[]string{}
	}
	return emit(a, func(ctx context.Context) (aforro.Product, error) { return cl.UpdateProduct(ctx, c.ID, in) },
		func(p aforro.Product) error { return a.out.writeDetail(productFields(p)) })
}

// ProductsDeleteCmd deletes a product.
type ProductsDeleteCmd struct {
	ID int64 `arg:"" help:"Product id."`
}

// Help is shown under the usage of the command.
func (ProductsDeleteCmd) Help() string {
	return "Needs an admin token. A product that orders or a store's stock refer to\n" +
		"cannot be deleted (exit 1).\n\nExamples:\n\n" +
		"    aforroctl products delete 42"
}

// Run deletes the product.
func (c *ProductsDeleteCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return deleted(a, "product", c.ID, cl.DeleteProduct)
}

// StoresCreateCmd creates a store.
type StoresCreateCmd struct {
	Name     string `required:"" placeholder:"NAME" help:"The name: 1-100 characters."`
	Location string `placeholder:"TEXT" help:"Where it is (up to 200 characters; default empty)."`
}

// Help is shown under the usage of the command.
func (StoresCreateCmd) Help() string {
	return "Needs an admin token.\n\nExamples:\n\n" +
		"    aforroctl stores create --name Airport --location \"Terminal 1, Lisbon\"\n" +
		"    aforroctl stores create --name Airport -o json | jq .id"
}

// Run creates the store.
func (c *StoresCreateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.StoreInput{Name: &c.Name, Location: &c.Location}
	return emit(a, func(ctx context.Context) (aforro.Store, error) { return cl.CreateStore(ctx, in) },
		func(s aforro.Store) error { return a.out.writeDetail(storeFields(s)) })
}

// StoresUpdateCmd changes a store.
type StoresUpdateCmd struct {
	ID       int64   `arg:"" help:"Store id."`
	Name     *string `placeholder:"NAME" help:"The new name: 1-100 characters."`
	Location *string `placeholder:"TEXT" help:"The new location (\"\" clears it)."`
}

// Help is shown under the usage of the command.
func (StoresUpdateCmd) Help() string {
	return "Needs an admin token. Only the fields given change; give at least one.\n\n" +
		"Examples:\n\n" +
		"    aforroctl stores update 4 --location \"Terminal 2, Lisbon\"\n" +
		"    aforroctl stores update 4 --name \"Airport T2\" -o json"
}

// Validate asks for something to change.
func (c *StoresUpdateCmd) Validate() error {
	if c.Name == nil && c.Location == nil {
		return errors.New("nothing to change: give --name, --location or both")
	}
	return nil
}

// Run changes the store.
func (c *StoresUpdateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.StoreInput{Name: c.Name, Location: c.Location}
	return emit(a, func(ctx context.Context) (aforro.Store, error) { return cl.UpdateStore(ctx, c.ID, in) },
		func(s aforro.Store) error { return a.out.writeDetail(storeFields(s)) })
}

// StoresDeleteCmd deletes a store.
type StoresDeleteCmd struct {
	ID int64 `arg:"" help:"Store id."`
}

// Help is shown under the usage of the command.
func (StoresDeleteCmd) Help() string {
	return "Needs an admin token. A store with orders, stock or tokens scoped to it cannot\n" +
		"be deleted (exit 1).\n\nExamples:\n\n" +
		"    aforroctl stores delete 4"
}

// Run deletes the store.
func (c *StoresDeleteCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return deleted(a, "store", c.ID, cl.DeleteStore)
}

// deleted runs a delete and confirms it in one line, as "Deleted store 4.";
// with -o json it prints nothing, as the API answers with no body.
func deleted(a *app, noun string, id int64, del func(context.Context, int64) error) error {
	if err := del(a.ctx, id); err != nil {
		return err
	}
	if a.out.json() {
		return nil
	}
	return a.out.line(fmt.Sprintf("Deleted %s %d.", noun, id))
}
