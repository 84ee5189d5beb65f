package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aforro/aforro"
)

// APIError is an error answer from the server: a 4xx or 5xx status with
// Aforro's error envelope. Use errors.As to get it from a client error.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the envelope's snake_case code (aforro.ENOTFOUND and so on);
	// empty when the answer did not carry the envelope, as from a proxy.
	Code string
	// Message is the server's readable sentence.
	Message string
	// Fields maps each invalid field, keyed like "items[1].quantity_requested",
	// to its problem; set only for validation errors.
	Fields map[string]string
	// RetryAfter is how long the server asks the client to wait before trying
	// again (from Retry-After or the envelope's retry_after); zero if unsaid.
	RetryAfter time.Duration
	// CurrentQuantity is set on a stale_quantity answer (aforro.ESTALEQUANTITY):
	// the stock the server found instead of the expected quantity.
	CurrentQuantity *int
	// RequestID is the answer's X-Request-Id, for finding it in the server log.
	RequestID string
	// RejectedItems names the short lines of a refused transfer shipment.
	RejectedItems []aforro.ShortItem
}

// Error returns the server's sentence.
func (e *APIError) Error() string { return e.Message }

// Unwrap exposes the answer as the domain's *aforro.Error, so that
// aforro.ErrorCode and errors.As work on client errors as on server ones.
func (e *APIError) Unwrap() error {
	if e.Code == "" {
		return nil
	}
	return &aforro.Error{Code: e.Code, Message: e.Message, Fields: e.Fields, CurrentQuantity: e.CurrentQuantity,
		RejectedItems: e.RejectedItems}
}

// newAPIError builds the error for a non-2xx answer with body.
func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var env aforro.ErrorResponse
	if json.Unmarshal(body, &env) == nil && env.Error != "" {
		e.Code, e.Message, e.Fields, e.CurrentQuantity = env.Code, env.Error, env.Fields, env.CurrentQuantity
		e.RetryAfter = time.Duration(env.RetryAfter) * time.Second
		e.RejectedItems = env.RejectedItems
	} else {
		e.Message = fmt.Sprintf("The server answered %d %s.", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// ConnError means the server could not be reached, or the connection failed
// before a whole answer arrived: nothing is known about what the server did.
// It wraps the underlying network error.
type ConnError struct {
	// Method and URL identify the request.
	Method string
	URL    string
	// Server is the scheme and host the client was talking to.
	Server string
	// Err is the network error.
	Err error
}

// Error says which server could not be reached and why.
func (e *ConnError) Error() string {
	return fmt.Sprintf("cannot reach the server at %s: %v", e.Server, e.Err)
}

// Unwrap returns the network error.
func (e *ConnError) Unwrap() error { return e.Err }

// Timeout reports whether the attempt ran out of time rather than failing
// outright.
func (e *ConnError) Timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &ne) && ne.Timeout())
}
