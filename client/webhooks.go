package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aforro/aforro"
)

// Webhook endpoints need an admin token. An unknown id is an *APIError with
// code aforro.ENOTFOUND; an invalid URL, secret or event type is
// aforro.EINVALID with Fields naming it (an unknown event type's problem
// lists the allowed ones).

// CreateWebhook registers an endpoint (in.URL and in.Events required). The
// answer carries its secret, generated when in.Secret is nil: the only time
// the server shows it.
func (c *Client) CreateWebhook(ctx context.Context, in aforro.WebhookEndpointInput) (aforro.WebhookEndpoint, error) {
	var out aforro.WebhookEndpoint
	err := c.do(ctx, http.MethodPost, "/api/admin/webhooks/", nil, in, &out)
	return out, err
}

// ListWebhooks returns one page of endpoints, by id, without secrets.
func (c *Client) ListWebhooks(ctx context.Context, page PageOptions) (aforro.Page[aforro.WebhookEndpoint], error) {
	var out aforro.Page[aforro.WebhookEndpoint]
	err := c.do(ctx, http.MethodGet, "/api/admin/webhooks/", page.values(nil), nil, &out)
	return out, err
}

// Webhook returns one endpoint, without its secret.
func (c *Client) Webhook(ctx context.Context, id int64) (aforro.WebhookEndpoint, error) {
	var out aforro.WebhookEndpoint
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/admin/webhooks/%d/", id), nil, nil, &out)
	return out, err
}

// UpdateWebhook changes the non-nil fields of in. Enabled false pauses the
// endpoint's pending deliveries; true resumes them (and re-enables an
// endpoint a 410 disabled).
func (c *Client) UpdateWebhook(ctx context.Context, id int64, in aforro.WebhookEndpointInput) (aforro.WebhookEndpoint, error) {
	var out aforro.WebhookEndpoint
	err := c.do(ctx, http.MethodPatch, fmt.Sprintf("/api/admin/webhooks/%d/", id), nil, in, &out)
	return out, err
}

// DeleteWebhook deletes an endpoint with its deliveries.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("/api/admin/webhooks/%d/", id), nil, nil, nil)
}

// ListDeliveries returns one page of an endpoint's deliveries, newest
// first, each with its attempts, narrowed by filter.
func (c *Client) ListDeliveries(ctx context.Context, id int64, filter aforro.DeliveryFilter, page PageOptions) (aforro.Page[aforro.WebhookDelivery], error) {
	q := url.Values{}
	if filter.Status != "" {
		q.Set("status", filter.Status)
	}
	var out aforro.Page[aforro.WebhookDelivery]
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/admin/webhooks/%d/deliveries/", id), page.values(q), nil, &out)
	return out, err
}
