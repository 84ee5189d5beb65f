package aforro

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxMoney is the largest amount numeric(12,2) holds, in cents.
const MaxMoney Money = 999_999_999_999

// Money is an amount in cents. On the wire it is a decimal string with two
// places ("1299.99"), never a float; it accepts a string or a JSON number with
// at most two decimal places.
type Money int64

// ParseMoney parses a non-negative decimal with at most two places.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("must be a decimal number")
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot && (len(frac) == 0 || len(frac) > 2) {
		if len(frac) > 2 {
			return 0, fmt.Errorf("must have at most 2 decimal places")
		}
		return 0, fmt.Errorf("must be a decimal number")
	}
	if whole == "" || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("must be a decimal number")
	}
	if strings.HasPrefix(whole, "-") {
		return 0, fmt.Errorf("must not be negative")
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("must be a decimal number")
		}
	}
	if len(strings.TrimLeft(whole, "0")) > 10 {
		return 0, fmt.Errorf("must be at most %s", MaxMoney)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	m := Money(w*100 + f)
	if m > MaxMoney {
		return 0, fmt.Errorf("must be at most %s", MaxMoney)
	}
	return m, nil
}

// String formats m as a decimal with two places.
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	cents := strconv.FormatInt(v%100, 10)
	if len(cents) == 1 {
		cents = "0" + cents
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + cents
}

// MarshalText writes m as a decimal, which JSON quotes. A text marshaler
// rather than a JSON one: encoding/json re-reads and compacts what a
// MarshalJSON returns, every price of every page.
func (m Money) MarshalText() ([]byte, error) {
	return []byte(m.String()), nil
}

// UnmarshalJSON accepts "12.34" or 12.34.
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("must be a decimal number")
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("must be a decimal number")
		}
		s = n.String()
		if strings.ContainsAny(s, "eE") {
			f, err := n.Float64()
			if err != nil || math.IsInf(f, 0) {
				return fmt.Errorf("must be a decimal number")
			}
			s = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Scan reads a numeric column (pgx hands numeric to a sql.Scanner as a string).
func (m *Money) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case int64:
		*m = Money(v * 100)
		return nil
	case nil:
		return fmt.Errorf("money: cannot scan NULL")
	default:
		return fmt.Errorf("money: cannot scan %T", src)
	}
	// A numeric from the database may be a sum wider than one price, or carry a
	// wider scale; accept both as long as the cents are exact.
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return fmt.Errorf("money: scan %q: more than 2 decimal places", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return fmt.Errorf("money: scan %q: %w", s, err)
	}
	if neg {
		v = -v
	}
	*m = Money(v)
	return nil
}

// Value writes m as a decimal string for a numeric parameter.
func (m Money) Value() (driver.Value, error) { return m.String(), nil }
