package aforro_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aforro/aforro"
)

// The valid codes are GS1's and Wikipedia's published examples; each
// invalid one is a valid code with one digit changed or two swapped, the
// mistakes a check digit exists to catch.
func TestParseBarcode(t *testing.T) {
	tests := []struct {
		code, key, format string
		problem           string // "" when valid
	}{
		{code: "96385074", key: "00000096385074", format: aforro.FormatEAN8},
		{code: "73513537", key: "00000073513537", format: aforro.FormatEAN8},
		{code: "96385075", problem: "not a valid EAN-8: its check digit"},
		{code: "036000291452", key: "00036000291452", format: aforro.FormatUPCA},
		{code: "012345678905", key: "00012345678905", format: aforro.FormatUPCA},
		{code: "036000291453", problem: "not a valid UPC-A: its check digit"},
		{code: "306000291452", problem: "not a valid UPC-A: its check digit"},
		{code: "4006381333931", key: "04006381333931", format: aforro.FormatEAN13},
		{code: "5901234123457", key: "05901234123457", format: aforro.FormatEAN13},
		{code: "0036000291452", key: "00036000291452", format: aforro.FormatEAN13}, // the UPC-A's EAN-13 form: one key
		{code: "5901234123458", problem: "not a valid EAN-13: its check digit"},
		{code: "5901234213457", problem: "not a valid EAN-13: its check digit"},
		{code: "10614141000415", key: "10614141000415", format: aforro.FormatGTIN14},
		{code: "00012345600012", key: "00012345600012", format: aforro.FormatGTIN14},
		{code: "10614141000416", problem: "not a valid GTIN-14: its check digit"},
		{code: "  5901234123457 ", key: "05901234123457", format: aforro.FormatEAN13},
		{code: "SHELF-12a", key: "SHELF-12A", format: aforro.FormatInHouse},
		{code: "12345", key: "12345", format: aforro.FormatInHouse},                 // no GTIN has 5 digits
		{code: "123456789", key: "123456789", format: aforro.FormatInHouse},         // nor 9
		{code: "590123412345X", key: "590123412345X", format: aforro.FormatInHouse}, // a letter: in-house
		{code: "", problem: "must not be empty"},
		{code: "two words", problem: "printable ASCII characters without spaces"},
		{code: "caf\u00e9", problem: "printable ASCII characters without spaces"},
		{code: strings.Repeat("A", 65), problem: "at most 64 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			b, err := aforro.ParseBarcode(tt.code)
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("ParseBarcode(%q) = %+v, %v; want a problem containing %q", tt.code, b, err, tt.problem)
				}
				if _, ok := aforro.BarcodeKey(tt.code); ok {
					t.Errorf("BarcodeKey(%q) is ok for an invalid code", tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBarcode(%q): %v", tt.code, err)
			}
			if b.Key != tt.key || b.Format != tt.format || b.Code != strings.TrimSpace(tt.code) {
				t.Errorf("ParseBarcode(%q) = %+v, want key %s, format %s", tt.code, b, tt.key, tt.format)
			}
		})
	}
}

func TestGTINCheckDigit(t *testing.T) {
	for digits, want := range map[string]byte{
		"590123412345": '7', "03600029145": '2', "9638507": '4', "1061414100041": '5', "": '0',
	} {
		if got := aforro.GTINCheckDigit(digits); got != want {
			t.Errorf("GTINCheckDigit(%q) = %c, want %c", digits, got, want)
		}
	}
}

func TestCheckSKU(t *testing.T) {
	tests := []struct{ in, want, problem string }{
		{in: " ABC-123 ", want: "ABC-123"},
		{in: "Caf\u00e9 Blend 250g", want: "Caf\u00e9 Blend 250g"},
		{in: strings.Repeat("x", 64), want: strings.Repeat("x", 64)},
		{in: "  ", problem: "must not be empty"},
		{in: strings.Repeat("x", 65), problem: "at most 64"},
		{in: "A\tB", problem: "printable"},
	}
	for _, tt := range tests {
		got, err := aforro.CheckSKU(tt.in)
		if tt.problem != "" {
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("CheckSKU(%q) = %q, %v; want %q", tt.in, got, err, tt.problem)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CheckSKU(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCodeListIsAlwaysAList(t *testing.T) {
	for _, tt := range []struct {
		list aforro.CodeList
		want string
	}{{nil, `{"b":[]}`}, {aforro.CodeList{}, `{"b":[]}`}, {aforro.CodeList{"A<1", "2"}, `{"b":["A\u003c1","2"]}`}} {
		got, err := json.Marshal(struct {
			B aforro.CodeList `json:"b"`
		}{tt.list})
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", tt.list, got, err, tt.want)
		}
	}
}
