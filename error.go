// Package aforro holds Aforro's domain and wire types: the resources, request
// bodies, the page and error envelopes and the error codes. It does no I/O and
// imports nothing of ours, so the server and the client share one definition.
package aforro

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in the server.
const (
	EINVALID          = "invalid"            // 400: the request is malformed or fails validation
	EUNAUTHORIZED     = "unauthorized"       // 401: no or unknown credentials
	EFORBIDDEN        = "forbidden"          // 403: credentials do not cover the resource
	ENOTFOUND         = "not_found"          // 404: the resource does not exist
	EPAGEOUTOFRANGE   = "page_out_of_range"  // 404: a page past the last one
	EMETHODNOTALLOWED = "method_not_allowed" // 405
	ECONFLICT         = "conflict"           // 409: the request conflicts with current state
	ESTALEQUANTITY    = "stale_quantity"     // 409: expected_quantity differs from the stock; the error carries the current quantity
	ETOOLARGE         = "payload_too_large"  // 413
	ERATELIMITED      = "rate_limited"       // 429
	EINTERNAL         = "internal"           // 500: a bug or a dependency failure; details are logged, not sent
	EUNAVAILABLE      = "unavailable"        // 503: a dependency is down or contention persisted; retry later
)

// Error is Aforro's one error type. Message is a readable sentence meant for
// the client; Fields carries per-field validation problems keyed like
// "items[1].quantity_requested".
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// CurrentQuantity is set on ESTALEQUANTITY: the stock the write found.
	CurrentQuantity *int
	// RejectedItems names the short lines of a refused transfer shipment.
	RejectedItems []ShortItem
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("aforro error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the message of an
// *Error, or a generic sentence for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error."
}

// ErrorResponse is the JSON error envelope every 4xx and 5xx answer carries.
type ErrorResponse struct {
	Error  string            `json:"error"`
	Code   string            `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
	// RetryAfter is set on rate-limited answers: whole seconds to wait.
	RetryAfter int `json:"retry_after,omitempty"`
	// CurrentQuantity is set on stale_quantity answers: the row's quantity
	// now, for the client to decide again from.
	CurrentQuantity *int `json:"current_quantity,omitempty"`
	// RejectedItems is set on a refused transfer shipment (409).
	RejectedItems []ShortItem `json:"rejected_items,omitempty"`
}

// FieldErrors collects validation problems and turns them into one EINVALID
// error. The zero value is ready to use.
type FieldErrors map[string]string

// Add records a problem with field unless one is already recorded for it.
func (f *FieldErrors) Add(field, problem string) {
	if *f == nil {
		*f = FieldErrors{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = problem
	}
}

// Err returns nil when nothing was recorded, else an EINVALID *Error whose
// message names the first field in sorted order.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	first := ""
	for k := range f {
		if first == "" || k < first {
			first = k
		}
	}
	msg := fmt.Sprintf("Invalid %s: %s.", first, f[first])
	switch n := len(f) - 1; {
	case n == 1:
		msg = fmt.Sprintf("Invalid %s: %s (and 1 more problem).", first, f[first])
	case n > 1:
		msg = fmt.Sprintf("Invalid %s: %s (and %d more problems).", first, f[first], n)
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string(f)}
}
