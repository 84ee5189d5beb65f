package db

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aforro/aforro"
)

// SQLSTATEs that Aforro reacts to.
const (
	pgCharacterNotInRepertoire = "22021" // a NUL character or invalid UTF-8 in text
	pgForeignKeyViolation      = "23503"
	pgUniqueViolation          = "23505"
	pgCheckViolation           = "23514"
	pgInvalidCatalogName       = "3D000" // the database does not exist
	pgSerializationFailure     = "40001"
	pgDeadlockDetected         = "40P01"
	pgDuplicateDatabase        = "42P04"
	pgQueryCanceled            = "57014" // statement_timeout, or a cancel request
	pgAdminShutdown            = "57P01"
	pgCrashShutdown            = "57P02"
	pgCannotConnectNow         = "57P03" // starting up, shutting down, in recovery
)

// ErrUnavailable is what a call answers when PostgreSQL cannot be reached
// or went away under it (see wrapError). Nothing the call did was kept
// unless it committed, so a client may retry; an order with its
// Idempotency-Key is then placed once.
var ErrUnavailable = &aforro.Error{Code: aforro.EUNAVAILABLE, Message: "The database is unavailable; retry shortly."}

// errBusy is what a transaction that kept hitting serialization failures or
// deadlocks answers once its retries are spent.
var errBusy = &aforro.Error{Code: aforro.EUNAVAILABLE, Message: "The database is busy; retry shortly."}

// pgMeanings is the one table of what a PostgreSQL error means to a client
// whatever the statement: the errors a client's input can cause, and those
// after which a retry helps. Anything not here, and not given a meaning by
// the call (see wrapError), is internal.
var pgMeanings = map[string]func(*pgconn.PgError) error{
	// The server checks the same limits first; a CHECK constraint is named
	// <table>_<column>_check by default, which names the field.
	pgCheckViolation: func(pe *pgconn.PgError) error {
		field := strings.TrimSuffix(pe.ConstraintName, "_check")
		if _, col, ok := strings.Cut(field, "_"); ok {
			field = col
		}
		return invalidField(field, "is out of range")
	},
	// The server refuses such text first; this is the safety net.
	pgCharacterNotInRepertoire: func(*pgconn.PgError) error {
		return aforro.Errorf(aforro.EINVALID, "Text must be UTF-8 without NUL characters.")
	},
	pgSerializationFailure: func(*pgconn.PgError) error { return errBusy },
	pgDeadlockDetected:     func(*pgconn.PgError) error { return errBusy },
}

// A meaning is what one outcome of a statement means to one call, where the
// answer depends on the call's input: a missing row, a SQLSTATE, or a
// SQLSTATE about a named constraint.
type meaning struct {
	noRows     bool
	code       string
	constraint string // with code: only for this constraint
	err        error
}

// whenNoRows means pgx.ErrNoRows is err.
func whenNoRows(err error) meaning { return meaning{noRows: true, err: err} }

// whenCode means SQLSTATE code is err.
func whenCode(code string, err error) meaning { return meaning{code: code, err: err} }

// whenConstraint means SQLSTATE code about constraint is err.
func whenConstraint(code, constraint string, err error) meaning {
	return meaning{code: code, constraint: constraint, err: err}
}

// wrapError is where every db method's error becomes what its caller sees.
// A domain error (*aforro.Error, from the method's own checks) passes
// through; otherwise the call's meanings are tried in order, then pgMeanings;
// anything else is wrapped with op for the log, and the server answers it as
// internal.
func wrapError(err error, op string, meanings ...meaning) error {
	if err == nil {
		return nil
	}
	var ae *aforro.Error
	if errors.As(err, &ae) {
		return err
	}
	if isConnFailure(err) {
		return translated(ErrUnavailable, err)
	}
	noRows := errors.Is(err, pgx.ErrNoRows)
	var pe *pgconn.PgError
	isPg := errors.As(err, &pe)
	for _, m := range meanings {
		if m.noRows && noRows || isPg && m.code == pe.Code && (m.constraint == "" || m.constraint == pe.ConstraintName) {
			return translated(m.err, err)
		}
	}
	if isPg {
		if f, ok := pgMeanings[pe.Code]; ok {
			return translated(f(pe), err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// translation is a domain error standing for a database error. It keeps
// the cause, for the log and so that a retry loop still recognises a
// serialization failure inside a transaction.
type translation struct {
	domain error
	cause  error
}

// translated is domain standing for cause, or nil when domain is nil (the
// call's meaning of the outcome is success).
func translated(domain, cause error) error {
	if domain == nil {
		return nil
	}
	return &translation{domain: domain, cause: cause}
}

func (t *translation) Error() string   { return t.domain.Error() + " (" + t.cause.Error() + ")" }
func (t *translation) Unwrap() []error { return []error{t.domain, t.cause} }

// isConnFailure reports whether err means the connection to PostgreSQL
// failed, rather than a statement: it could not connect, the connection
// broke or was closed, or the server is shutting down, crashed or is not
// yet accepting connections (SQLSTATE class 08, 57P01-57P03).
func isConnFailure(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch c := pgCode(err); {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case strings.HasPrefix(c, "08"), c == pgAdminShutdown, c == pgCrashShutdown, c == pgCannotConnectNow:
		return true
	}
	return false
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

// errNotFound is the ENOTFOUND error of a missing what ("Store") with id.
func errNotFound(what string, id int64) error {
	return aforro.Errorf(aforro.ENOTFOUND, "%s %d not found.", what, id)
}

// noRow means pgx.ErrNoRows is errNotFound(what, id).
func noRow(what string, id int64) meaning { return whenNoRows(errNotFound(what, id)) }

// invalidField is an EINVALID error about one field.
func invalidField(field, problem string) error {
	var errs aforro.FieldErrors
	errs.Add(field, problem)
	return errs.Err()
}

func redactPassword(url, password string) string {
	return strings.Replace(url, ":"+password+"@", ":xxxxx@", 1)
}
