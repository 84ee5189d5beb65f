package db

import (
	"fmt"
	"math"
	"math/big"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aforro/aforro"
)

// money scans a numeric column into m from pgx's binary numeric, as
// aforro.Money's own Scan would from its text: the cents must be exact.
// aforro.Money is a sql.Scanner, which pgx feeds by formatting the numeric
// as text (math/big) for Money to parse again; on a list page that was a
// tenth of aforrod's CPU (docs/benchmarks.md, issue 14).
func money(m *aforro.Money) moneyScanner { return moneyScanner{m} }

type moneyScanner struct{ m *aforro.Money }

var bigTen = big.NewInt(10)

// ScanNumeric implements pgtype.NumericScanner.
func (s moneyScanner) ScanNumeric(v pgtype.Numeric) error {
	if !v.Valid {
		return fmt.Errorf("money: cannot scan NULL")
	}
	if v.NaN || v.InfinityModifier != pgtype.Finite || v.Int == nil {
		return fmt.Errorf("money: cannot scan a numeric that is not finite")
	}
	exp := int64(v.Exp) + 2 // the digits times 10^exp are the cents
	if v.Int.IsInt64() && exp >= -18 && exp <= 2 {
		n, p := v.Int.Int64(), int64(1)
		for range abs(exp) {
			p *= 10
		}
		switch {
		case exp >= 0 && (n > math.MaxInt64/p || n < math.MinInt64/p):
			return fmt.Errorf("money: scan: %s cents do not fit", v.Int.String())
		case exp >= 0:
			*s.m = aforro.Money(n * p)
		case n%p != 0:
			return fmt.Errorf("money: scan %se%d: more than 2 decimal places", v.Int.String(), v.Exp)
		default:
			*s.m = aforro.Money(n / p)
		}
		return nil
	}
	cents := new(big.Int).Set(v.Int)
	if exp >= 0 {
		cents.Mul(cents, new(big.Int).Exp(bigTen, big.NewInt(exp), nil))
	} else {
		var rem big.Int
		cents.QuoRem(cents, new(big.Int).Exp(bigTen, big.NewInt(-exp), nil), &rem)
		if rem.Sign() != 0 {
			return fmt.Errorf("money: scan %se%d: more than 2 decimal places", v.Int.String(), v.Exp)
		}
	}
	if !cents.IsInt64() {
		return fmt.Errorf("money: scan: %s cents do not fit", cents.String())
	}
	*s.m = aforro.Money(cents.Int64())
	return nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
