// Package client is the typed Go client for Aforro's HTTP API. It speaks the
// wire types of the root package, so it cannot drift from the server; it is
// what aforroctl, the TUI and the end-to-end tests use.
//
// Every method takes a context first. Errors are either an *APIError (the
// server answered with the error envelope), a *ConnError (the server could not
// be reached or the connection broke), or a wrapped context error when the
// caller's context ended first.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for a new Client.
const (
	// DefaultTimeout bounds each attempt of a request (see WithTimeout).
	DefaultTimeout = 15 * time.Second
	// DefaultRetries is how often a failed request that is safe to repeat is
	// retried (see WithRetries).
	DefaultRetries = 2
	// DefaultUserAgent is sent unless WithUserAgent says otherwise.
	DefaultUserAgent = "aforro-go-client"
)

// Bounds of the retry backoff. Retries are meant to ride out a restarting
// instance or a brief 503, not to hide an outage, so they stay short.
const (
	backoffBase = 200 * time.Millisecond
	backoffMax  = 2 * time.Second
)

// Limits on what the client reads back, so a misbehaving server or proxy
// cannot make it buffer without bound.
const (
	maxBodyBytes      = 64 << 20
	maxErrorBodyBytes = 1 << 20
)

// Client calls one Aforro server. It is safe for concurrent use; its settings
// are fixed at construction.
type Client struct {
	base      *url.URL
	http      *http.Client
	token     string
	timeout   time.Duration
	userAgent string
	retries   int
}

// Option configures a Client.
type Option func(*Client)

// WithToken sends token as a bearer token on every request.
func WithToken(token string) Option {
	return func(c *Client) { c.token = token }
}

// WithHTTPClient makes the client send requests through hc, for example to
// use a custom transport; nil keeps the default. The client never modifies hc.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithTimeout bounds each attempt of a request, from sending it to reading
// the whole answer; zero means no bound other than the caller's context.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.timeout = d }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithRetries sets how many times a failed request that is safe to repeat is
// retried (see Client); zero disables retries.
func WithRetries(n int) Option {
	return func(c *Client) { c.retries = max(n, 0) }
}

// New returns a client for the server at baseURL (such as
// "http://127.0.0.1:8000"; a path prefix is kept, for servers behind a proxy).
// It fails when baseURL is not an absolute http or https URL.
//
// A request is retried on a connection failure or a 503 answer when repeating
// it is safe: its method is idempotent, it carries an Idempotency-Key, or the
// connection failed before anything was sent.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: must be an absolute http:// or https:// URL", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("server URL %q: must not have a query or fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	c := &Client{
		base:      u,
		http:      &http.Client{},
		timeout:   DefaultTimeout,
		userAgent: DefaultUserAgent,
		retries:   DefaultRetries,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the server URL the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// bodyFuncKey carries a WithResponseBody callback in a context.
type bodyFuncKey struct{}

// WithResponseBody returns a context that makes every call made with it hand
// fn the undecoded body of each successful answer, before it is decoded. It
// lets a caller pass on exactly the server's JSON (aforroctl -o json does) while
// still getting typed values; like net/http/httptrace, it observes a request
// without changing it.
func WithResponseBody(ctx context.Context, fn func(body []byte)) context.Context {
	return context.WithValue(ctx, bodyFuncKey{}, fn)
}

// callOption adjusts one call of do.
type callOption func(*call)

// call is one logical request, possibly sent several times.
type call struct {
	method         string
	url            string
	body           []byte
	idempotencyKey string
	answer         *answer // where to record the successful response's head; nil: nowhere
	// accept is a non-2xx status whose answer is a result, not the error
	// envelope (a rejected stock batch's 422); 0: none.
	accept int
}

// answer is the head of a successful response, for the few methods whose
// result depends on more than the body (201 versus 200, Idempotent-Replayed).
type answer struct {
	status int
	header http.Header
}

// withAnswer records the status and headers of the call's successful
// response in a.
func withAnswer(a *answer) callOption {
	return func(c *call) { c.answer = a }
}

// withAccept makes an answer with status a successful one, decoded as such.
func withAccept(status int) callOption {
	return func(c *call) { c.accept = status }
}

// NewIdempotencyKey returns a random Idempotency-Key (26 characters from
// crypto/rand). PlaceOrder makes one itself when given none; a caller makes
// its own when it may need to repeat the request later, beyond the client's
// own retries: after a *ConnError nobody knows whether the server placed the
// order, and sending the same key again is what makes asking again safe.
func NewIdempotencyKey() string { return rand.Text() }

// withIdempotencyKey sends an Idempotency-Key header, so the server performs
// the request at most once however often it arrives. An empty key asks for a
// random one; either way the same key is sent on every retry of the call.
func withIdempotencyKey(key string) callOption {
	return func(c *call) {
		if key == "" {
			key = NewIdempotencyKey()
		}
		c.idempotencyKey = key
	}
}

// do sends one request and decodes a 2xx answer's JSON into out (unless out
// is nil). path is relative to the base URL and starts with a slash; body,
// when not nil, is sent as JSON. Safe requests are retried (see New).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any, opts ...callOption) error {
	cl := call{method: method, url: c.base.String() + path}
	if len(query) > 0 {
		cl.url += "?" + query.Encode()
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encode request body: %w", method, path, err)
		}
		cl.body = b
	}
	for _, o := range opts {
		o(&cl)
	}
	var raw []byte
	for attempt := 0; ; attempt++ {
		var err error
		raw, err = c.send(ctx, &cl)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		}
		wait, retry := c.shouldRetry(&cl, attempt, err)
		if !retry {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		case <-t.C:
		}
	}
	if fn, ok := ctx.Value(bodyFuncKey{}).(func([]byte)); ok && fn != nil {
		fn(raw)
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// shouldRetry decides whether the failed attempt (0-based) of cl is repeated,
// and after how long.
func (c *Client) shouldRetry(cl *call, attempt int, err error) (time.Duration, bool) {
	if attempt >= c.retries {
		return 0, false
	}
	safe := cl.idempotencyKey != "" || idempotent(cl.method)
	wait := backoff(attempt)
	var ce *ConnError
	var ae *APIError
	switch {
	case errors.As(err, &ce):
		// Nothing was sent when dialing failed, so even a POST may be repeated.
		return wait, safe || ce.dialFailed()
	case errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable:
		if ae.RetryAfter > backoffMax {
			return 0, false // the server asks for a longer pause than a retry should hide
		}
		return max(wait, ae.RetryAfter), safe
	}
	return 0, false
}

// backoff is the pause before retry number attempt+1: exponential from
// backoffBase, capped, with jitter so many clients do not retry in step.
func backoff(attempt int) time.Duration {
	d := backoffBase
	for i := 0; i < attempt && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return d/2 + mrand.N(d/2+1)
}

// idempotent reports whether repeating a request with method has the same
// effect as sending it once (RFC 9110, section 9.2.2).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// send makes one attempt of cl and returns the body of a 2xx answer.
func (c *Client) send(ctx context.Context, cl *call) ([]byte, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var rd io.Reader
	if cl.body != nil {
		rd = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, cl.url, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: build request: %w", cl.method, cl.url, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if cl.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", cl.idempotencyKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.connError(cl, err)
	}
	defer resp.Body.Close()
	limit := int64(maxBodyBytes)
	if resp.StatusCode >= 300 {
		limit = maxErrorBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, c.connError(cl, err)
	}
	if (resp.StatusCode < 200 || resp.StatusCode >= 300) && resp.StatusCode != cl.accept {
		return nil, newAPIError(resp, body)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%s %s: answer is larger than %d bytes", cl.method, cl.url, limit)
	}
	if cl.answer != nil {
		*cl.answer = answer{status: resp.StatusCode, header: resp.Header}
	}
	return body, nil
}

// connError wraps a transport failure of cl, unwrapping the *url.Error that
// net/http adds so the message does not repeat the method and URL.
func (c *Client) connError(cl *call, err error) *ConnError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) && c.timeout > 0 {
		err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
	}
	return &ConnError{Method: cl.method, URL: cl.url, Server: c.base.Scheme + "://" + c.base.Host, Err: err}
}

// dialFailed reports whether the connection could not be opened at all, so
// no byte of the request reached the server.
func (e *ConnError) dialFailed() bool {
	var oe *net.OpError
	return errors.As(e.Err, &oe) && oe.Op == "dial"
}
