package aforro

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Product codes: a product's SKU (the shop's own article number, unique in
// the catalogue ignoring case) and its barcodes.
//
// What counts as a GTIN: a barcode of only digits and exactly 8, 12, 13 or
// 14 of them is a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) and must carry a
// valid GS1 check digit, so a mistyped or misread EAN is refused rather
// than stored. Anything else (letters or punctuation, or a digit count
// other than those four) is a free in-house code: 1-64 printable ASCII
// characters without spaces, matched ignoring case. UPC-E is not read as
// such (its check digit belongs to the UPC-A it abbreviates): store and scan
// the UPC-A form, which scanners can be set to send.
//
// Every barcode has a key, the form lookups compare: a GTIN's key is its
// 14-digit form (zeros in front), so a UPC-A, the EAN-13 a European scanner
// reads off the same label (a 0 in front) and the GTIN-14 padding both are
// one key; a free code's key is its upper-case form. A free code cannot look
// like a GTIN and a GTIN key is always 14 digits, so the two never collide.
const (
	MaxSKU             = 64 // characters
	MaxFreeCode        = 64 // characters
	MaxProductBarcodes = 20 // barcodes per product
)

// Barcode formats, as Barcode.Format names them.
const (
	FormatEAN8    = "EAN-8"
	FormatUPCA    = "UPC-A"
	FormatEAN13   = "EAN-13"
	FormatGTIN14  = "GTIN-14"
	FormatInHouse = "in-house"
)

// CodeList is a product's barcodes; it is always a list in JSON, never null.
type CodeList []string

// MarshalJSON writes an empty list for a nil one.
func (l CodeList) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

// UnmarshalJSON reads a list; an empty one is nil, as in a Product built in
// Go, so the two compare equal.
func (l *CodeList) UnmarshalJSON(b []byte) error {
	var codes []string
	if err := json.Unmarshal(b, &codes); err != nil {
		return err
	}
	if len(codes) == 0 {
		codes = nil
	}
	*l = codes
	return nil
}

// Barcode is one validated barcode.
type Barcode struct {
	Code   string // as given, trimmed
	Key    string // what lookups compare (see above)
	Format string // one of the Format constants
}

// gtinFormats names the GTINs by their number of digits.
var gtinFormats = map[int]string{8: FormatEAN8, 12: FormatUPCA, 13: FormatEAN13, 14: FormatGTIN14}

// ParseBarcode validates one barcode. The error is the problem as a field
// error states it ("is not a valid EAN-13: ...").
func ParseBarcode(s string) (Barcode, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Barcode{}, fmt.Errorf("must not be empty")
	}
	if format, ok := gtinFormats[len(s)]; ok && allDigits(s) {
		if want := GTINCheckDigit(s[:len(s)-1]); s[len(s)-1] != want {
			return Barcode{}, fmt.Errorf("is not a valid %s: its check digit should be %c, not %c", format, want, s[len(s)-1])
		}
		return Barcode{Code: s, Key: strings.Repeat("0", 14-len(s)) + s, Format: format}, nil
	}
	if n := utf8.RuneCountInString(s); n > MaxFreeCode {
		return Barcode{}, fmt.Errorf("must be at most %d characters", MaxFreeCode)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return Barcode{}, fmt.Errorf("must be a GTIN (8, 12, 13 or 14 digits) or an in-house code of printable ASCII characters without spaces")
		}
	}
	return Barcode{Code: s, Key: strings.ToUpper(s), Format: FormatInHouse}, nil
}

// BarcodeKey returns the key a scanned or typed code would be stored under,
// and false when no barcode can have it (a GTIN with a wrong check digit:
// a misread is never matched to the neighbouring code).
func BarcodeKey(code string) (string, bool) {
	b, err := ParseBarcode(code)
	return b.Key, err == nil
}

// GTINCheckDigit returns the GS1 check digit of the digits before it: the
// digits weighted 3, 1, 3, ... from the right, and the check digit brings
// their sum up to a multiple of ten.
func GTINCheckDigit(digits string) byte {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// CheckSKU trims a SKU and validates it: 1-MaxSKU printable characters.
// The error is the problem as a field error states it.
func CheckSKU(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", fmt.Errorf("must not be empty")
	case n > MaxSKU:
		return "", fmt.Errorf("must be at most %d characters", MaxSKU)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("must hold printable characters only")
		}
	}
	return s, nil
}

// LookupResult is the answer of GET /api/products/lookup/?code=: every
// product whose SKU or one of whose barcodes is exactly Code, the SKU's
// product first, then by id.
type LookupResult struct {
	Code    string    `json:"code"`
	Results []Product `json:"results"`
}

// MaxLookupResults bounds one lookup's answer: a barcode shared by more
// products than this names the first of them by id.
const MaxLookupResults = 100

// ProductStock is one row of GET /api/products/{id}/stores/: a store that
// stocks the product and how many units it has.
type ProductStock struct {
	StoreID       int64  `json:"store_id"`
	StoreName     string `json:"store_name"`
	StoreLocation string `json:"store_location"`
	Quantity      int    `json:"quantity"`
}

// ProductStockFilter narrows GET /api/products/{id}/stores/.
type ProductStockFilter struct {
	InStock bool // only stores with at least one unit
}
