//go:build faults

package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Sizes of the seeded catalogue: small enough that orders meet on the same
// rows and sell them out, which is where the invariants are tested.
const (
	seedProducts = 60
	seedStores   = 4
)

// cluster is what a scenario runs against: a private PostgreSQL and Redis,
// a test SMTP server, the aforro database migrated and seeded, an admin
// token, and the environment every aforrod instance of it gets.
type cluster struct {
	pg    *postgres
	redis *redisServer
	smtp  *smtpServer
	hooks *hookReceiver
	env   []string
	token string
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{pg: newPostgres(t), redis: newRedis(t), smtp: newSMTP(t)}
	c.env = []string{
		"AFORRO_DATABASE_URL=" + c.pg.url("aforro"),
		"AFORRO_REDIS_URL=" + c.redis.url(),
		"AFORRO_SMTP_URL=smtp://" + c.smtp.addr,
		// Short enough that takeovers and retries happen within a scenario.
		"AFORRO_LEADER_TTL=1s",
		"AFORRO_OUTBOX_BACKOFF=200ms",
		"AFORRO_OUTBOX_MAX_ATTEMPTS=50",
		"AFORRO_OUTBOX_SEND_TIMEOUT=2s",
		"AFORRO_OUTBOX_LEASE=4s",
		"AFORRO_SUGGEST_LIMIT=1000000",
		"AFORRO_WEBHOOK_BACKOFF=200ms",
		"AFORRO_WEBHOOK_TIMEOUT=2s",
		"AFORRO_WEBHOOK_LEASE=4s",
	}
	aforrod(t, c.env, "migrate")
	aforrod(t, c.env, "seed", "--products", strconv.Itoa(seedProducts), "--stores", strconv.Itoa(seedStores))
	out := strings.TrimSpace(aforrod(t, c.env, "token", "create", "--name", "faults", "--role", "admin"))
	c.token = out[strings.LastIndex(out, "\n")+1:]
	c.hooks = newHookReceiver(t)
	if _, err := c.pg.conn(t).Exec(context.Background(), `INSERT INTO webhook_endpoints (url, secret, events)
		VALUES ($1, $2, '{order.confirmed,order.cancelled}')`, c.hooks.URL, hookSecret); err != nil {
		t.Fatalf("register the webhook receiver: %v", err)
	}
	return c
}

// smtpServer is a test mail server that counts deliveries per order and can
// be told to misbehave.
type smtpServer struct {
	addr string
	srv  *smtp.Server

	mu         sync.Mutex
	delivered  map[int64]int // order id -> messages accepted
	attempts   int
	mode       smtpMode
	permanentT string // recipients refused for good
}

// smtpMode is how the server answers DATA.
type smtpMode int

const (
	smtpAccept smtpMode = iota
	smtpRefuse          // 451: try again later
	smtpHang            // never answer, until the client gives up
	smtpHangUp          // close the connection in the middle of DATA
)

func newSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{delivered: map[int64]int{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	port := freePort(t)
	s.addr = fmt.Sprintf("127.0.0.1:%d", port)
	s.srv.Addr = s.addr
	go func() { _ = s.srv.ListenAndServe() }()
	waitTCP(t, port)
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

func (s *smtpServer) setMode(m smtpMode) {
	s.mu.Lock()
	s.mode = m
	s.mu.Unlock()
}

// refuseForGood makes the server refuse, with 550 5.1.1, every recipient
// that contains part.
func (s *smtpServer) refuseForGood(part string) {
	s.mu.Lock()
	s.permanentT = part
	s.mu.Unlock()
}

func (s *smtpServer) permanent() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.permanentT
}

// deliveries returns a copy of the count of accepted messages per order.
func (s *smtpServer) deliveries() map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]int, len(s.delivered))
	for k, v := range s.delivered {
		out[k] = v
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{srv: s, conn: c}, nil
}

type smtpSession struct {
	srv  *smtpServer
	conn *smtp.Conn
	to   string
}

var subjectOrder = regexp.MustCompile(`Order #(\d+)`)

func (ss *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	if ss.srv.permanentT != "" && strings.Contains(to, ss.srv.permanentT) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	ss.to = to
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.srv
	s.mu.Lock()
	s.attempts++
	mode := s.mode
	s.mu.Unlock()
	switch mode {
	case smtpRefuse:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
	case smtpHang:
		time.Sleep(10 * time.Second) // past the sender's timeout
		return errors.New("too late")
	case smtpHangUp:
		_ = ss.conn.Conn().Close()
		return errors.New("hung up")
	}
	m := subjectOrder.FindSubmatch(raw)
	if m == nil {
		return errors.New("no order in the subject")
	}
	id, _ := strconv.ParseInt(string(m[1]), 10, 64)
	s.mu.Lock()
	s.delivered[id]++
	s.mu.Unlock()
	return nil
}

func (ss *smtpSession) Reset()        {}
func (ss *smtpSession) Logout() error { return nil }

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
