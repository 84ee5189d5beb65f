package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// decodeSKU reads a product body's raw "sku": nil when absent, a pointer to
// "" when null or empty (remove the SKU), else the trimmed, validated SKU.
func decodeSKU(raw json.RawMessage, errs *aforro.FieldErrors) *string {
	if len(raw) == 0 {
		return nil
	}
	none := ""
	if string(raw) == "null" {
		return &none
	}
	var sku string
	if err := json.Unmarshal(raw, &sku); err != nil {
		errs.Add("sku", "must be a string or null")
		return nil
	}
	if strings.TrimSpace(sku) == "" {
		return &none
	}
	sku, err := aforro.CheckSKU(sku)
	if err != nil {
		errs.Add("sku", err.Error())
		return nil
	}
	return &sku
}

// decodeBarcodes reads a product body's raw "barcodes": nil when absent, an
// empty list when null, else the trimmed codes, each validated (its problem
// keyed barcodes[i]) and none the same code as an earlier one, which a UPC-A
// and its EAN-13 form are.
func decodeBarcodes(raw json.RawMessage, errs *aforro.FieldErrors) *[]string {
	if len(raw) == 0 {
		return nil
	}
	codes := []string{}
	if string(raw) == "null" {
		return &codes
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		errs.Add("barcodes", "must be a list of codes")
		return nil
	}
	if len(items) > aforro.MaxProductBarcodes {
		errs.Add("barcodes", "must hold at most "+strconv.Itoa(aforro.MaxProductBarcodes)+" codes")
		return nil
	}
	seen := map[string]int{}
	for i, item := range items {
		field := "barcodes[" + strconv.Itoa(i) + "]"
		var code string
		if err := json.Unmarshal(item, &code); err != nil {
			errs.Add(field, "must be a string")
			continue
		}
		b, err := aforro.ParseBarcode(code)
		if err != nil {
			errs.Add(field, err.Error())
			continue
		}
		if j, dup := seen[b.Key]; dup {
			errs.Add(field, "is the same code as barcodes["+strconv.Itoa(j)+"]")
			continue
		}
		seen[b.Key] = i
		codes = append(codes, b.Code)
	}
	return &codes
}

// lookupProducts answers GET /api/products/lookup/?code=: the products whose
// SKU or barcode is exactly the code.
func (s *Server) lookupProducts(w http.ResponseWriter, req bunrouter.Request) error {
	code := strings.TrimSpace(req.URL.Query().Get("code"))
	var errs aforro.FieldErrors
	switch {
	case code == "":
		errs.Add("code", "is required: a SKU or a barcode")
	case utf8.RuneCountInString(code) > max(aforro.MaxSKU, aforro.MaxFreeCode):
		errs.Add("code", "must be at most "+strconv.Itoa(max(aforro.MaxSKU, aforro.MaxFreeCode))+" characters, as every code is")
	case hasControl(code, false):
		errs.Add("code", "must be UTF-8 text without control characters")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	products, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) ([]aforro.Product, error) {
		return d.LookupProducts(ctx, code)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, aforro.LookupResult{Code: code, Results: products})
	return nil
}

// listProductStores answers GET /api/products/{id}/stores/: the stores that
// stock the product. Any staff token may ask, whatever its stores: finding
// another store that has the product is what the list is for.
func (s *Server) listProductStores(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Product")
	if err != nil {
		return err
	}
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.ProductStockFilter{InStock: optionalBool(req.URL.Query(), "in_stock", &errs)}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := replicaRead(s, req, func(ctx context.Context, d *db.DB) (aforro.Page[aforro.ProductStock], error) {
		return d.ProductStores(ctx, id, f, pr)
	})
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}
