package jobs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Message is one plain-text email.
type Message struct {
	From    string
	To      string
	Subject string
	Body    string
}

// Mailer sends email. Send returns an error wrapping a *PermanentError when
// trying again cannot help.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError marks a failure that retrying cannot fix, such as an SMTP
// 5xx reply or an event that cannot be rendered: the event is marked failed
// at once instead of backing off.
type PermanentError struct{ Err error }

// Error implements the error interface.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// permanent wraps err as a *PermanentError.
func permanent(err error) error { return &PermanentError{Err: err} }

// isPermanent reports whether err wraps a *PermanentError.
func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// LogMailer logs every message instead of sending it: the mailer when no
// SMTP server is configured, so development needs none.
type LogMailer struct {
	Log *slog.Logger
}

// Send logs m as sent.
func (l LogMailer) Send(ctx context.Context, m Message) error {
	l.Log.InfoContext(ctx, "jobs: email logged, not sent (no --smtp-url)",
		"from", m.From, "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTPMailer sends through an SMTP server, one connection per message.
type SMTPMailer struct {
	host string
	opts []mail.Option
}

// SMTPConfig says how to reach an SMTP server.
type SMTPConfig struct {
	// URL is smtp://[user:pass@]host[:port] (port 25 unless given; STARTTLS
	// when the server offers it) or smtps://[user:pass@]host[:port] (port 465
	// unless given; implicit TLS). With a user, the client authenticates with
	// the strongest mechanism the server offers; PLAIN and LOGIN only over
	// TLS (or to localhost).
	URL string
	// TLS, when not nil, replaces the default TLS settings (the system's
	// roots, the URL's host as server name); tests trust their own
	// certificate with it.
	TLS *tls.Config
	// Timeout bounds connecting and each SMTP command; 0 means 30 seconds.
	Timeout time.Duration
}

// NewSMTPMailer checks cfg and returns a mailer for it.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	u, err := ParseSMTPURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	port := 25
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p) // checked by ParseSMTPURL
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout)}
	if u.Scheme == "smtps" {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if cfg.TLS != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLS))
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user), mail.WithPassword(pass))
	}
	return &SMTPMailer{host: u.Hostname(), opts: opts}, nil
}

// ParseSMTPURL checks an --smtp-url value.
func ParseSMTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", redactURLError(err))
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("smtp url: the scheme must be smtp:// or smtps://, not %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("smtp url: a host is required, as in smtp://mail.example.com:587")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("smtp url: port %q is not a port number", p)
		}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("smtp url: only smtp[s]://[user:pass@]host[:port] is understood")
	}
	return u, nil
}

// redactURLError keeps a password in the URL out of the error text.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// RedactSMTPURL hides the password of an SMTP URL so it can be logged.
func RedactSMTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid)"
	}
	return u.Redacted()
}

// Send sends m, STARTTLS or implicit TLS as configured. A 5xx reply to the
// recipient or the message is a permanent error, unless its enhanced status
// is 5.7.x (security or policy, such as relaying denied), which the operator
// can fix; failures to connect or authenticate are temporary for the same
// reason.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return permanent(fmt.Errorf("sender %q: %w", m.From, err))
	}
	if err := msg.To(m.To); err != nil {
		return permanent(fmt.Errorf("recipient %q: %w", m.To, err))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client for %s: %w", s.host, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		err = fmt.Errorf("smtp %s: %w", s.host, err)
		if rejected(err) {
			return permanent(err)
		}
		return err
	}
	return nil
}

// rejected reports whether err is the server refusing the recipient or the
// message for good.
func rejected(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) || se.ErrorCode() < 500 || se.ErrorCode() > 599 {
		return false
	}
	switch se.Reason {
	case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose, mail.ErrWriteContent:
		return !strings.HasPrefix(se.EnhancedStatusCode(), "5.7.")
	}
	return false
}

// orderConfirmedEmail renders the confirmation of order o to to: the store,
// every line with its quantity and prices at the time of the order, and the
// total.
func orderConfirmedEmail(from, to string, o aforro.Order) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\nthank you for your order. Order #%d is confirmed.\n\n", o.ID)
	fmt.Fprintf(&b, "Store:  %s", o.StoreName)
	if o.StoreLocation != "" {
		fmt.Fprintf(&b, ", %s", o.StoreLocation)
	}
	fmt.Fprintf(&b, "\nPlaced: %s\n\n", o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	for _, it := range o.Items {
		line := it.ProductPrice * aforro.Money(it.QuantityRequested)
		fmt.Fprintf(&b, "  %d x %s at %s = %s\n", it.QuantityRequested, it.ProductTitle, it.ProductPrice, line)
	}
	fmt.Fprintf(&b, "\nTotal: %s\n\nAforro\n", o.TotalAmount)
	return Message{
		From:    from,
		To:      to,
		Subject: fmt.Sprintf("Order #%d at %s is confirmed", o.ID, o.StoreName),
		Body:    b.String(),
	}
}

// stockDigestEmail lists a store's rows that fell to their reorder point
// (or ran out) during one day.
func stockDigestEmail(from string, d db.StockDigest) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\nthese products of %s (store %d) fell to their reorder point or ran out on %s (UTC):\n\n",
		d.StoreName, d.StoreID, d.Date)
	for _, a := range d.Alerts {
		what := "low"
		if a.Event == aforro.EventStockOut {
			what = "OUT"
		}
		fmt.Fprintf(&b, "  %s  %-4s %s (product %d): %d left, reorder point %d", a.At.UTC().Format("15:04"), what,
			a.ProductTitle, a.ProductID, a.Quantity, a.Threshold)
		if a.ReorderQuantity != nil {
			fmt.Fprintf(&b, ", reorder %d", *a.ReorderQuantity)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nAforro\n")
	return Message{
		From:    from,
		To:      d.To,
		Subject: fmt.Sprintf("Low stock at %s on %s: %d alerts", d.StoreName, d.Date, len(d.Alerts)),
		Body:    b.String(),
	}
}
