package jobs_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/aforro/aforro/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// leaderKey is a Redis key no other test (or test run) uses, deleted when the
// test ends.
func leaderKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	key := "aforro-test:" + t.Name() + ":" + hex.EncodeToString(b) + ":leader"
	rdb := dbtest.Redis(t) // closed after the cleanup below, which runs first
	t.Cleanup(func() { _ = rdb.Del(context.Background(), key).Err() })
	return key
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newLogger returns a logger writing text to the returned buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// waitFor polls cond until it holds or timeout passes, then fails with what.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// email is one message the test SMTP server accepted.
type email struct {
	From, To, Subject, Body string
	User                    string // the authenticated user, if any
	TLS                     bool
}

// smtpServer is a real SMTP server on a loopback port (emersion/go-smtp)
// that keeps what it receives. fail, when set, decides per DATA attempt
// (numbered from 1) whether to refuse the message.
type smtpServer struct {
	Addr string
	Cert *x509.Certificate // the self-signed certificate when TLS is on

	mu       sync.Mutex
	emails   []email
	attempts []time.Time
	fail     func(attempt int) error
	user     string
	pass     string
}

// smtpOptions configure newSMTPServer.
type smtpOptions struct {
	startTLS bool // offer STARTTLS
	implicit bool // TLS from the first byte (smtps)
	user     string
	pass     string
	fail     func(attempt int) error
}

func newSMTPServer(t *testing.T, o smtpOptions) *smtpServer {
	t.Helper()
	s := &smtpServer{fail: o.fail, user: o.user, pass: o.pass}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = quietLogger{}
	var tlsConfig *tls.Config
	if o.startTLS || o.implicit {
		tlsConfig, s.Cert = selfSigned(t)
		srv.TLSConfig = tlsConfig
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL is the --smtp-url of the server, with the given credentials.
func (s *smtpServer) URL(scheme, user, pass string) string {
	cred := ""
	if user != "" {
		cred = user + ":" + pass + "@"
	}
	return scheme + "://" + cred + s.Addr
}

// ClientTLS trusts the server's certificate.
func (s *smtpServer) ClientTLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.Cert)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Emails returns what was accepted so far.
func (s *smtpServer) Emails() []email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]email(nil), s.emails...)
}

// Attempts returns when each DATA command was received.
func (s *smtpServer) Attempts() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.attempts...)
}

// NewSession implements smtp.Backend.
func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &smtpSession{srv: s, tls: isTLS, conn: c}, nil
}

type smtpSession struct {
	srv      *smtpServer
	conn     *smtp.Conn
	tls      bool
	user     string
	from, to string
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.user || pass != ss.srv.pass {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
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
	defer s.mu.Unlock()
	s.attempts = append(s.attempts, time.Now())
	if s.fail != nil {
		if err := s.fail(len(s.attempts)); err != nil {
			return err
		}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	e, err := parseEmail(raw)
	if err != nil {
		return err
	}
	e.User, e.TLS = ss.user, isTLS || ss.tls
	if e.From != ss.from || e.To != ss.to {
		return errors.New("envelope and headers disagree")
	}
	s.emails = append(s.emails, e)
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", "" }
func (ss *smtpSession) Logout() error { return nil }

// parseEmail reads the headers the tests check and the decoded body.
func parseEmail(raw []byte) (email, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return email{}, err
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return email{}, err
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		return email{}, err
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		return email{}, err
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return email{}, err
	}
	return email{From: from.Address, To: to.Address, Subject: subject,
		Body: strings.ReplaceAll(string(b), "\r\n", "\n")}, nil
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned(t *testing.T) (*tls.Config, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "aforro test smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion: tls.VersionTLS12}, cert
}

// quietLogger drops the SMTP server's own log lines (closed connections at
// cleanup and the like).
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
func (quietLogger) Println(...any)        {}
