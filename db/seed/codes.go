package seed

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/aforro/aforro"
)

// productCodes returns product id's SKU (nil for none), barcodes and their
// keys (migration 010). They follow from the id alone, so they cost no draw
// from the random streams (the titles of a seed stay what they were) and are
// unique without a lookup: the SKU is the category's first three letters and
// the id ("ELE-0012345"); the EAN-13 is a Portuguese-prefixed (560) number
// made of the id, with its check digit. As in real catalogues, some
// products have no SKU (one in 20) or no barcode (one in 10, goods made in
// house), and one in 500 shares its EAN-13 with the product before it (a
// re-labelled variant), so a scan can name two products.
func productCodes(id int, category string) (sku *string, barcodes, keys []string) {
	if id%20 != 0 {
		s := fmt.Sprintf("%s-%07d", skuPrefix(category), id)
		sku = &s
	}
	barcodes, keys = []string{}, []string{}
	if id%10 == 3 {
		return sku, barcodes, keys
	}
	n := id
	if id%500 == 0 {
		n = id - 1
	}
	b, err := aforro.ParseBarcode(EAN13(n))
	if err != nil {
		panic(err) // EAN13 makes valid codes
	}
	return sku, append(barcodes, b.Code), append(keys, b.Key)
}

// EAN13 is the seed's EAN-13 for product number n (n below a billion).
func EAN13(n int) string {
	s := fmt.Sprintf("560%09d", n)
	return s + string(aforro.GTINCheckDigit(s))
}

// skuPrefix is the first three letters of a category's name, in capitals.
func skuPrefix(category string) string {
	var b strings.Builder
	for _, r := range category {
		if b.Len() == 3 {
			break
		}
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	for b.Len() < 3 {
		b.WriteByte('X')
	}
	return b.String()
}
