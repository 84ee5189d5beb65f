package db

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aforro/aforro"
)

// TestWrapError checks the one translation of PostgreSQL errors: the call's
// meanings first, then the table, else internal with the operation named.
func TestWrapError(t *testing.T) {
	pg := func(code, constraint string) error {
		return fmt.Errorf("step: %w", &pgconn.PgError{Code: code, ConstraintName: constraint, Message: "raw"})
	}
	missing := aforro.Errorf(aforro.ENOTFOUND, "Store 1 not found.")
	taken := aforro.Errorf(aforro.ECONFLICT, "Taken.")
	own := aforro.Errorf(aforro.ECONFLICT, "The method's own check.")
	tests := []struct {
		name     string
		err      error
		meanings []meaning
		code     string // "" for nil; EINTERNAL for a wrapped cause
		message  string
		fields   map[string]string
	}{
		{"nil", nil, nil, "", "", nil},
		{"a domain error passes through", fmt.Errorf("wrapped: %w", own), []meaning{whenNoRows(missing)}, aforro.ECONFLICT, own.Message, nil},
		{"no rows with a meaning", pgx.ErrNoRows, []meaning{whenNoRows(missing)}, aforro.ENOTFOUND, missing.Message, nil},
		{"no rows meaning success", pgx.ErrNoRows, []meaning{whenNoRows(nil)}, "", "", nil},
		{"no rows without a meaning is internal", pgx.ErrNoRows, nil, aforro.EINTERNAL, "op: no rows in result set", nil},
		{"a named constraint", pg(pgUniqueViolation, "categories_name_key"),
			[]meaning{whenConstraint(pgUniqueViolation, "categories_name_key", taken)}, aforro.ECONFLICT, taken.Message, nil},
		{"another constraint of that code", pg(pgUniqueViolation, "other_key"),
			[]meaning{whenConstraint(pgUniqueViolation, "categories_name_key", taken)}, aforro.EINTERNAL, "op: step: : raw (SQLSTATE 23505)", nil},
		{"a code", pg(pgForeignKeyViolation, "x_fkey"), []meaning{whenCode(pgForeignKeyViolation, taken)}, aforro.ECONFLICT, taken.Message, nil},
		{"an unset meaning is skipped", pg(pgUniqueViolation, "categories_name_key"), []meaning{{}}, aforro.EINTERNAL, "op: step: : raw (SQLSTATE 23505)", nil},
		{"table: check constraint names its field", pg(pgCheckViolation, "products_price_check"), nil, aforro.EINVALID,
			"Invalid price: is out of range.", map[string]string{"price": "is out of range"}},
		{"table: bad text", pg(pgCharacterNotInRepertoire, ""), nil, aforro.EINVALID, "Text must be UTF-8 without NUL characters.", nil},
		{"table: serialization failure", pg(pgSerializationFailure, ""), nil, aforro.EUNAVAILABLE, errBusy.Message, nil},
		{"table: deadlock", pg(pgDeadlockDetected, ""), nil, aforro.EUNAVAILABLE, errBusy.Message, nil},
		{"the call's meaning wins over the table", pg(pgCheckViolation, "inventory_quantity_check"),
			[]meaning{whenCode(pgCheckViolation, taken)}, aforro.ECONFLICT, taken.Message, nil},
		{"anything else is internal", errors.New("connection reset"), nil, aforro.EINTERNAL, "op: connection reset", nil},
		// PostgreSQL gone or going: a client may retry (503), never internal.
		{"admin shutdown", pg(pgAdminShutdown, ""), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"crash shutdown", pg(pgCrashShutdown, ""), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"cannot connect now", pg(pgCannotConnectNow, ""), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"connection failure (class 08)", pg("08006", ""), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"a failed connect", connectError(t), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"a closed connection", fmt.Errorf("read: %w", pgconn.ErrConnClosed), nil, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"unavailable beats the call's meanings", pg(pgAdminShutdown, ""), []meaning{whenCode(pgAdminShutdown, taken)}, aforro.EUNAVAILABLE, ErrUnavailable.Message, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapError(tt.err, "op", tt.meanings...)
			if tt.code == "" {
				if got != nil {
					t.Fatalf("wrapError = %v, want nil", got)
				}
				return
			}
			if c := aforro.ErrorCode(got); c != tt.code {
				t.Fatalf("code %q (%v), want %q", c, got, tt.code)
			}
			var ae *aforro.Error
			switch {
			case errors.As(got, &ae):
				if ae.Message != tt.message || !cmp.Equal(map[string]string(ae.Fields), tt.fields) {
					t.Errorf("got %q %v, want %q %v", ae.Message, ae.Fields, tt.message, tt.fields)
				}
			case got.Error() != tt.message:
				t.Errorf("got %q, want %q", got.Error(), tt.message)
			}
			if tt.err != nil && tt.code == aforro.EINTERNAL && !errors.Is(got, errors.Unwrap(tt.err)) && !errors.Is(got, tt.err) {
				t.Errorf("the cause is lost: %v", got)
			}
		})
	}
}

// connectError is pgconn's own error for a server that refuses the
// connection (nothing listens on port 1).
func connectError(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, "postgres://postgres@127.0.0.1:1/x?connect_timeout=5")
	if err == nil {
		conn.Close(ctx)
		t.Fatal("connected to port 1")
	}
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("connect error %T %v, want a *pgconn.ConnectError", err, err)
	}
	return err
}
