package server

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Webhook endpoints are admin-only (the route table's access column). The
// secret is generated when the admin gives none and answered only by the
// create (or by the PATCH that sets it).

// validWebhookURL records a problem unless u is an absolute http or https
// URL with a host and without credentials or a fragment: the dispatcher
// refuses other schemes outright, a userinfo part would end up in logs and
// the deliveries' errors, and a fragment is never sent. Which addresses the
// host may resolve to is the dispatcher's check, at connection time.
func validWebhookURL(v *string, required bool, errs *aforro.FieldErrors) {
	if v == nil {
		if required {
			errs.Add("url", "is required")
		}
		return
	}
	*v = strings.TrimSpace(*v)
	u, err := url.Parse(*v)
	switch {
	case *v == "":
		errs.Add("url", "is required")
	case len(*v) > aforro.MaxWebhookURL:
		errs.Add("url", fmt.Sprintf("must be at most %d characters", aforro.MaxWebhookURL))
	case err != nil || hasControl(*v, false):
		errs.Add("url", "must be a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		errs.Add("url", "must be an http:// or https:// URL")
	case u.Hostname() == "":
		errs.Add("url", "must name a host")
	case u.User != nil:
		errs.Add("url", "must not contain a user name or password; authenticate receivers by the signature")
	case u.Fragment != "" || strings.Contains(*v, "#"):
		errs.Add("url", "must not contain a fragment (#...)")
	}
}

// validEvents records a problem unless events is a non-empty list of known
// event types; it removes duplicates in place, keeping the first.
func validEvents(events *[]string, required bool, errs *aforro.FieldErrors) {
	if *events == nil {
		if required {
			errs.Add("events", "is required: list the event types to receive")
		}
		return
	}
	known := aforro.WebhookEventTypes()
	allowed := strings.Join(known, ", ")
	if len(*events) == 0 {
		errs.Add("events", "must list at least one event type of: "+allowed)
		return
	}
	var out []string
	for i, e := range *events {
		e = strings.TrimSpace(e)
		if !slices.Contains(known, e) {
			errs.Add(fmt.Sprintf("events[%d]", i), fmt.Sprintf("unknown event type %q; allowed: %s", e, allowed))
			continue
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	*events = out
}

func validateWebhook(in *aforro.WebhookEndpointInput, create bool) error {
	if !create && in.URL == nil && in.Description == nil && in.Secret == nil && in.Events == nil && in.Enabled == nil {
		return nothingToChange("url, description, secret, events or enabled")
	}
	var errs aforro.FieldErrors
	validWebhookURL(in.URL, create, &errs)
	textRule{field: "description", max: aforro.MaxWebhookDescription}.check(in.Description, false, &errs)
	if in.Secret != nil {
		*in.Secret = strings.TrimSpace(*in.Secret)
		if n := len(*in.Secret); n < aforro.MinWebhookSecret || n > aforro.MaxWebhookSecret || !printable(*in.Secret) {
			errs.Add("secret", fmt.Sprintf("must be %d-%d printable ASCII characters (omit it on create to have one generated)",
				aforro.MinWebhookSecret, aforro.MaxWebhookSecret))
		}
	}
	validEvents(&in.Events, create, &errs)
	if create && in.Enabled != nil && !*in.Enabled {
		errs.Add("enabled", "a new endpoint starts enabled; disable it with PATCH")
	}
	return errs.Err()
}

// newWebhookSecret returns 32 random bytes, base64url, behind a prefix that
// says what it is when it turns up in a config file.
func newWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, req bunrouter.Request) error {
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListWebhooks(req.Context(), pr)
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}

func (s *Server) getWebhook(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Webhook endpoint")
	if err != nil {
		return err
	}
	wh, err := s.db.Webhook(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wh)
	return nil
}

func (s *Server) createWebhook(w http.ResponseWriter, req bunrouter.Request) error {
	var in aforro.WebhookEndpointInput
	if err := decodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validateWebhook(&in, true); err != nil {
		return err
	}
	nw := db.NewWebhook{URL: *in.URL, Events: in.Events}
	if in.Description != nil {
		nw.Description = *in.Description
	}
	if in.Secret != nil {
		nw.Secret = *in.Secret
	} else {
		var err error
		if nw.Secret, err = newWebhookSecret(); err != nil {
			return err
		}
	}
	wh, err := s.db.CreateWebhook(req.Context(), nw)
	if err != nil {
		return err
	}
	created(w, fmt.Sprintf("/api/admin/webhooks/%d/", wh.ID), wh)
	return nil
}

// listDeliveries answers an endpoint's deliveries, newest first, each with
// its attempts; ?status= narrows them.
func (s *Server) listDeliveries(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Webhook endpoint")
	if err != nil {
		return err
	}
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.DeliveryFilter{Status: strings.ToLower(strings.TrimSpace(req.URL.Query().Get("status")))}
	switch f.Status {
	case "", aforro.DeliveryPending, aforro.DeliveryDelivered, aforro.DeliveryFailed, aforro.DeliveryPaused:
	default:
		errs.Add("status", "must be pending, delivered, failed or paused")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListDeliveries(req.Context(), id, f, pr)
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}
