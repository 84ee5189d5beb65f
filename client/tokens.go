package client

import (
	"context"
	"net/http"

	"github.com/aforro/aforro"
)

// CurrentToken returns the client's own token as the server knows it: its
// name, role and the stores it covers (empty: every store). An unknown or
// revoked token is an *APIError with status 401.
func (c *Client) CurrentToken(ctx context.Context) (aforro.Token, error) {
	var out aforro.Token
	err := c.do(ctx, http.MethodGet, "/api/auth/token/", nil, nil, &out)
	return out, err
}
