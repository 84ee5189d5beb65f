package db

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aforro/aforro"
)

// PostgreSQL error codes translated into domain errors.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgCheckViolation       = "23514"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgDuplicateDatabase    = "42P04"
)

// notFound turns pgx.ErrNoRows into a not-found error about what, and passes
// any other error through.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return aforro.Errorf(aforro.ENOTFOUND, format, args...)
	}
	return err
}

// pgCode returns the SQLSTATE of err, or "" when it is not a PostgreSQL error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// IsRetryable reports whether err is a serialization failure or a deadlock,
// after which the whole transaction may be retried.
func IsRetryable(err error) bool {
	c := pgCode(err)
	return c == pgSerializationFailure || c == pgDeadlockDetected
}

func redactPassword(url, password string) string {
	return strings.Replace(url, ":"+password+"@", ":xxxxx@", 1)
}
