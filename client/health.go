package client

import (
	"context"
	"net/http"

	"github.com/aforro/aforro"
)

// Health asks whether the server process is alive (GET /healthz); it checks
// no dependency.
func (c *Client) Health(ctx context.Context) (aforro.Health, error) {
	var out aforro.Health
	err := c.do(ctx, http.MethodGet, "/healthz", nil, nil, &out)
	return out, err
}

// Ready asks whether the server can serve (GET /readyz). Status is "ok", or
// "degraded" when Redis is down; PostgreSQL being down is an *APIError with
// status 503 and code aforro.EUNAVAILABLE.
func (c *Client) Ready(ctx context.Context) (aforro.Health, error) {
	var out aforro.Health
	err := c.do(ctx, http.MethodGet, "/readyz", nil, nil, &out)
	return out, err
}
