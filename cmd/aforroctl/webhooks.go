package main

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// WebhooksCmd groups the webhook endpoint commands.
type WebhooksCmd struct {
	Create     WebhooksCreateCmd     `cmd:"" help:"Register an endpoint; prints its secret once."`
	List       WebhooksListCmd       `cmd:"" help:"List endpoints, by id."`
	Show       WebhooksShowCmd       `cmd:"" help:"Show one endpoint."`
	Update     WebhooksUpdateCmd     `cmd:"" help:"Change an endpoint; --disable pauses its deliveries, --enable resumes them."`
	Delete     WebhooksDeleteCmd     `cmd:"" help:"Delete an endpoint with its deliveries."`
	Deliveries WebhooksDeliveriesCmd `cmd:"" help:"List an endpoint's deliveries, newest first, with their attempts."`
}

// Help is shown under the usage of "aforroctl webhooks --help".
func (WebhooksCmd) Help() string {
	return "Every command needs an admin token. Events: " + strings.Join(aforro.WebhookEventTypes(), ", ") + ".\n\n" +
		"Examples:\n\n" +
		"    aforroctl webhooks create --url https://erp.example.com/aforro --event order.confirmed --event order.cancelled\n" +
		"    aforroctl webhooks list\n    aforroctl webhooks show 1\n" +
		"    aforroctl webhooks update 1 --disable\n" +
		"    aforroctl webhooks deliveries 1 --status failed\n" +
		"    aforroctl webhooks delete 1"
}

// WebhooksCreateCmd registers an endpoint.
type WebhooksCreateCmd struct {
	URL         string   `required:"" name:"url" placeholder:"URL" help:"Where events are POSTed: http:// or https://."`
	Event       []string `required:"" placeholder:"TYPE" help:"An event type to receive; repeat the flag, or separate types with commas."`
	Secret      *string  `placeholder:"SECRET" help:"The signing secret (16-200 characters). Default: a new random one, printed once."`
	Description string   `placeholder:"TEXT" help:"What the endpoint is for (up to 200 characters)."`
}

// Help is shown under the usage of the command.
func (WebhooksCreateCmd) Help() string {
	return "The secret is printed once, here: keep it where the receiver verifies\n" +
		"signatures (README, \"Webhooks\").\n\nExamples:\n\n" +
		"    aforroctl webhooks create --url https://erp.example.com/aforro --event order.confirmed,order.cancelled\n" +
		"    aforroctl webhooks create --url https://erp.example.com/aforro --event order.confirmed -o json | jq -r .secret"
}

// Run creates the endpoint.
func (c *WebhooksCreateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.WebhookEndpointInput{URL: &c.URL, Secret: c.Secret, Events: c.Event, Description: &c.Description}
	return emit(a, func(ctx context.Context) (aforro.WebhookEndpoint, error) { return cl.CreateWebhook(ctx, in) },
		func(w aforro.WebhookEndpoint) error {
			if err := a.out.writeDetail(webhookFields(w)); err != nil {
				return err
			}
			a.out.note("Keep the secret now: it is not shown again.")
			return nil
		})
}

// webhookFields are the lines of an endpoint's detail view; the secret only
// when the answer carries it.
func webhookFields(w aforro.WebhookEndpoint) []field {
	status := "enabled"
	if !w.Enabled {
		status = "disabled"
		if w.DisabledReason != nil {
			status += ": " + *w.DisabledReason
		}
	}
	fields := []field{
		{"ID", formatID(w.ID)},
		{"URL", w.URL},
		{"Description", w.Description},
		{"Events", strings.Join(w.Events, ", ")},
		{"Status", status},
		{"Created", formatTime(w.CreatedAt)},
		{"Updated", formatTime(w.UpdatedAt)},
	}
	if w.Secret != "" {
		fields = append(fields, field{"Secret", w.Secret})
	}
	return fields
}

// WebhooksListCmd lists endpoints.
type WebhooksListCmd struct {
	Paging
}

// Help is shown under the usage of the command.
func (WebhooksListCmd) Help() string {
	return "Examples:\n\n    aforroctl webhooks list\n    aforroctl webhooks list --all -o json | jq -r .url"
}

// Run lists endpoints.
func (c *WebhooksListCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return list(a, c.Paging, cl.ListWebhooks, webhookView)
}

// webhookView is the table of endpoints.
var webhookView = view[aforro.WebhookEndpoint]{
	noun: "webhook endpoints",
	columns: []column{{title: "ID", right: true}, {title: "URL", flex: true}, {title: "EVENTS", flex: true},
		{title: "ENABLED"}, {title: "CREATED"}},
	cells: func(w aforro.WebhookEndpoint) []string {
		return []string{formatID(w.ID), w.URL, strings.Join(w.Events, ","), yesNo(w.Enabled), formatTime(w.CreatedAt)}
	},
	csvHeader: []string{"id", "url", "description", "events", "enabled", "disabled_reason", "created_at", "updated_at"},
	csvRecord: func(w aforro.WebhookEndpoint) []string {
		reason := ""
		if w.DisabledReason != nil {
			reason = *w.DisabledReason
		}
		return []string{formatID(w.ID), w.URL, w.Description, strings.Join(w.Events, " "), strconv.FormatBool(w.Enabled),
			reason, csvTime(w.CreatedAt), csvTime(w.UpdatedAt)}
	},
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// WebhooksShowCmd shows one endpoint.
type WebhooksShowCmd struct {
	ID int64 `arg:"" help:"Endpoint id."`
}

// Help is shown under the usage of the command.
func (WebhooksShowCmd) Help() string {
	return "The secret is never shown again after create.\n\nExamples:\n\n    aforroctl webhooks show 1"
}

// Run shows the endpoint.
func (c *WebhooksShowCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return show(a, func(ctx context.Context) (aforro.WebhookEndpoint, error) { return cl.Webhook(ctx, c.ID) }, webhookFields)
}

// WebhooksUpdateCmd changes an endpoint.
type WebhooksUpdateCmd struct {
	ID          int64    `arg:"" help:"Endpoint id."`
	URL         *string  `name:"url" placeholder:"URL" help:"The new URL."`
	Event       []string `placeholder:"TYPE" help:"The new event types (replacing the old); repeat the flag or separate with commas."`
	Secret      *string  `placeholder:"SECRET" help:"A new signing secret (16-200 characters)."`
	Description *string  `placeholder:"TEXT" help:"The new description (\"\" clears it)."`
	Enable      bool     `xor:"enabled" help:"Enable the endpoint; its paused deliveries are sent."`
	Disable     bool     `xor:"enabled" help:"Disable the endpoint; its pending deliveries pause."`
}

// Help is shown under the usage of the command.
func (WebhooksUpdateCmd) Help() string {
	return "Only the fields given change; give at least one.\n\nExamples:\n\n" +
		"    aforroctl webhooks update 1 --event order.confirmed\n" +
		"    aforroctl webhooks update 1 --enable"
}

// Validate asks for something to change.
func (c *WebhooksUpdateCmd) Validate() error {
	if c.URL == nil && c.Event == nil && c.Secret == nil && c.Description == nil && !c.Enable && !c.Disable {
		return errors.New("nothing to change: give --url, --event, --secret, --description, --enable or --disable")
	}
	return nil
}

// Run changes the endpoint.
func (c *WebhooksUpdateCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	in := aforro.WebhookEndpointInput{URL: c.URL, Events: c.Event, Secret: c.Secret, Description: c.Description}
	if c.Enable || c.Disable {
		in.Enabled = &c.Enable
	}
	return emit(a, func(ctx context.Context) (aforro.WebhookEndpoint, error) { return cl.UpdateWebhook(ctx, c.ID, in) },
		func(w aforro.WebhookEndpoint) error { return a.out.writeDetail(webhookFields(w)) })
}

// WebhooksDeleteCmd deletes an endpoint.
type WebhooksDeleteCmd struct {
	ID int64 `arg:"" help:"Endpoint id."`
}

// Help is shown under the usage of the command.
func (WebhooksDeleteCmd) Help() string {
	return "Its deliveries and their attempts go with it.\n\nExamples:\n\n    aforroctl webhooks delete 1"
}

// Run deletes the endpoint.
func (c *WebhooksDeleteCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	return deleted(a, "webhook endpoint", c.ID, cl.DeleteWebhook)
}

// WebhooksDeliveriesCmd lists an endpoint's deliveries.
type WebhooksDeliveriesCmd struct {
	ID     int64  `arg:"" help:"Endpoint id."`
	Status string `enum:",pending,delivered,failed,paused" default:"" placeholder:"STATUS" help:"Only deliveries in this status: pending, delivered, failed or paused."`
	Paging
}

// Help is shown under the usage of the command.
func (WebhooksDeliveriesCmd) Help() string {
	return "Each delivery is one event for this endpoint; the table shows its last\n" +
		"attempt, and -o json every attempt (status code, error, duration, time).\n\n" +
		"Examples:\n\n    aforroctl webhooks deliveries 1\n" +
		"    aforroctl webhooks deliveries 1 --status failed --all -o json | jq '.attempts[-1].error'"
}

// Run lists the deliveries.
func (c *WebhooksDeliveriesCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	fetch := func(ctx context.Context, p client.PageOptions) (aforro.Page[aforro.WebhookDelivery], error) {
		return cl.ListDeliveries(ctx, c.ID, aforro.DeliveryFilter{Status: c.Status}, p)
	}
	return list(a, c.Paging, fetch, deliveryView)
}

// lastAttempt describes a delivery's last attempt: its status code or error.
func lastAttempt(d aforro.WebhookDelivery) (code, problem string) {
	if len(d.Attempts) == 0 {
		return "", ""
	}
	at := d.Attempts[len(d.Attempts)-1]
	if at.StatusCode != nil {
		code = strconv.Itoa(*at.StatusCode)
	}
	return code, at.Error
}

// deliveryView is the table of deliveries.
var deliveryView = view[aforro.WebhookDelivery]{
	noun: "deliveries",
	columns: []column{{title: "ID", right: true}, {title: "EVENT", right: true}, {title: "TYPE"}, {title: "STATUS"},
		{title: "ATTEMPTS", right: true}, {title: "LAST", right: true}, {title: "ERROR", flex: true}, {title: "CREATED"}},
	cells: func(d aforro.WebhookDelivery) []string {
		code, problem := lastAttempt(d)
		return []string{formatID(d.ID), formatID(d.EventID), d.EventType, d.Status, strconv.Itoa(d.AttemptCount),
			code, problem, formatTime(d.CreatedAt)}
	},
	csvHeader: []string{"id", "event_id", "event_type", "status", "attempt_count", "last_status_code", "last_error", "created_at", "delivered_at"},
	csvRecord: func(d aforro.WebhookDelivery) []string {
		code, problem := lastAttempt(d)
		delivered := ""
		if d.DeliveredAt != nil {
			delivered = csvTime(*d.DeliveredAt)
		}
		return []string{formatID(d.ID), formatID(d.EventID), d.EventType, d.Status, strconv.Itoa(d.AttemptCount),
			code, problem, csvTime(d.CreatedAt), delivered}
	},
}
