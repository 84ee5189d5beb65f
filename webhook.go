package aforro

import "time"

// Webhook event types. An endpoint subscribes to some of them; each is an
// outbox event of the same name.
const (
	EventOrderConfirmed = "order.confirmed"
	EventOrderCancelled = "order.cancelled"
	// EventStockLow and EventStockOut are written by a trigger on inventory
	// (migration 013) when a row's quantity falls to or below its reorder
	// point (else the global threshold), and to zero.
	EventStockLow = "stock.low"
	EventStockOut = "stock.out"
)

// WebhookEventTypes returns the event types an endpoint may subscribe to,
// in the order the API lists them. A new event (stock.low, stock.out)
// becomes subscribable by adding its name here once its outbox event is
// written.
func WebhookEventTypes() []string {
	return []string{EventOrderConfirmed, EventOrderCancelled, EventStockLow, EventStockOut, EventTransferShipped,
		EventTransferPartiallyReceived, EventTransferReceived, EventTransferCancelled}
}

// Webhook limits.
const (
	MaxWebhookURL         = 2000
	MaxWebhookDescription = 200
	MinWebhookSecret      = 16
	MaxWebhookSecret      = 200
)

// Webhook delivery statuses.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up: retried for the whole retry window, or the receiver answered 410
	DeliveryPaused    = "paused"    // its endpoint is disabled; enabling it resumes the delivery
)

// WebhookEndpoint is a registered receiver of events. Its secret is shown
// only in the answer that created it (or set it).
type WebhookEndpoint struct {
	ID          int64    `json:"id"`
	URL         string   `json:"url"`
	Description string   `json:"description"`
	Events      []string `json:"events"`
	Enabled     bool     `json:"enabled"`
	// DisabledReason says why the endpoint was disabled: by an admin, or
	// because the receiver answered 410 Gone. Null while enabled.
	DisabledReason *string   `json:"disabled_reason"`
	Secret         string    `json:"secret,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// WebhookEndpointInput is the body of POST /api/admin/webhooks/ (url and
// events required; a secret is generated when none is given) and of PATCH
// /api/admin/webhooks/{id}/, which changes only the fields given. JSON null
// counts as absent.
type WebhookEndpointInput struct {
	URL         *string  `json:"url,omitempty"`
	Description *string  `json:"description,omitempty"`
	Secret      *string  `json:"secret,omitempty"`
	Events      []string `json:"events,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	DurationMS int64     `json:"duration_ms"`
	// StatusCode is the receiver's HTTP status; null when no answer came
	// (a timeout, a refused connection).
	StatusCode *int   `json:"status_code"`
	Error      string `json:"error"`
}

// WebhookDelivery is one event sent (or to be sent) to one endpoint, with
// every attempt so far, oldest first.
type WebhookDelivery struct {
	ID            int64            `json:"id"`
	EventID       int64            `json:"event_id"`
	EventType     string           `json:"event_type"`
	Status        string           `json:"status"`
	AttemptCount  int              `json:"attempt_count"`
	NextAttemptAt *time.Time       `json:"next_attempt_at"`
	LastError     *string          `json:"last_error"`
	CreatedAt     time.Time        `json:"created_at"`
	DeliveredAt   *time.Time       `json:"delivered_at"`
	Attempts      []WebhookAttempt `json:"attempts"`
}

// DeliveryFilter narrows GET /api/admin/webhooks/{id}/deliveries/.
type DeliveryFilter struct {
	Status string // "": any
}

// WebhookEvent is the JSON body of every webhook request. ID is the outbox
// event's id: the same on every retry and in the Aforro-Delivery header, so
// a receiver can deduplicate.
type WebhookEvent struct {
	ID        int64     `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}
