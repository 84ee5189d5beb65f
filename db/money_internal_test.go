package db

import (
	"math/big"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/aforro/aforro"
)

// TestMoneyScanner reads numerics of every scale as pgx decodes them from
// PostgreSQL's binary format and wants aforro.Money's own answers: exact
// cents, or an error for a fraction of a cent or what is not a number.
func TestMoneyScanner(t *testing.T) {
	t.Parallel()
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	num := func(i int64, exp int32) pgtype.Numeric {
		return pgtype.Numeric{Int: big.NewInt(i), Exp: exp, Valid: true}
	}
	tests := []struct {
		name string
		in   pgtype.Numeric
		want aforro.Money
		ok   bool
	}{
		{"12.34", num(1234, -2), 1234, true},
		{"0", num(0, 0), 0, true},
		{"12.3", num(123, -1), 1230, true},
		{"12", num(12, 0), 1200, true},
		{"1200 as 12e2", num(12, 2), 120000, true},
		{"12.340", num(12340, -3), 1234, true},
		{"-5.10", num(-510, -2), -510, true},
		{"12e30, through math/big", num(12, 30), 0, false},
		{"huge", pgtype.Numeric{Int: huge, Exp: -2, Valid: true}, 0, false},
		{"huge, exact cents", pgtype.Numeric{Int: huge, Exp: -20, Valid: true}, 0, false},
		{"1.234", num(1234, -3), 0, false},
		{"0.001", num(1, -3), 0, false},
		{"1e-30, through math/big", num(1, -30), 0, false},
		{"10e-21, through math/big", num(10, -21), 0, false},
		{"NaN", pgtype.Numeric{NaN: true, Valid: true}, 0, false},
		{"Infinity", pgtype.Numeric{InfinityModifier: pgtype.Infinity, Valid: true}, 0, false},
		{"NULL", pgtype.Numeric{}, 0, false},
	}
	for _, tc := range tests {
		var got aforro.Money
		err := money(&got).ScanNumeric(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: %v, %v; want %v (ok %v)", tc.name, got, err, tc.want, tc.ok)
		}
	}
	// A scale past int64's reach goes through math/big: 12.34 written as
	// 1234 followed by 19 zeros, times 10^-21.
	wide := new(big.Int).Mul(big.NewInt(1234), new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil))
	var got aforro.Money
	if err := money(&got).ScanNumeric(pgtype.Numeric{Int: wide, Exp: -21, Valid: true}); err != nil || got != 1234 {
		t.Errorf("12.34 at scale 21: %v, %v", got, err)
	}
}
