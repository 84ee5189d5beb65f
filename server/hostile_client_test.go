package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// attack is one hostile request of TestHostileInput, kept as the parts of
// its wire form so that any part can be wrong.
type attack struct {
	family, name          string   // the table it comes from and its row, for the failure log
	method, target, proto string   // the request line; no proto, no version
	eol                   string   // the line end, "\r\n" unless that is the trick
	header                []string // header lines as sent, Host first
	body                  []byte   // nil: none, and no Content-Length
	chunked               bool     // send the body chunked instead of with a Content-Length
	// framing, when framed, replaces the Content-Length or Transfer-Encoding
	// written for the body, which is then sent as it is.
	framing    string
	framed     bool
	closeWrite bool // half-close once the request is sent: its body is cut short
}

func (a *attack) String() string {
	return fmt.Sprintf("[%s] %s: %q %q", a.family, a.name, shorten(a.method, 20), shorten(a.target, 120))
}

// dropHeader removes the header lines of name.
func (a *attack) dropHeader(name string) {
	a.header = slices.DeleteFunc(a.header, func(l string) bool {
		k, _, _ := strings.Cut(l, ":")
		return strings.EqualFold(k, name)
	})
}

// setHeader replaces the header lines of name with one.
func (a *attack) setHeader(name, value string) {
	a.dropHeader(name)
	a.header = append(a.header, name+": "+value)
}

// frame sends body with the framing header lines given.
func (a *attack) frame(lines string, body []byte) {
	a.framing, a.framed, a.body = lines, true, body
}

// writeTo writes the request.
func (a *attack) writeTo(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString(a.method + " " + a.target)
	if a.proto != "" {
		b.WriteString(" " + a.proto)
	}
	b.WriteString(a.eol)
	for _, l := range a.header {
		b.WriteString(l + a.eol)
	}
	switch {
	case a.framed:
		if a.framing != "" {
			b.WriteString(strings.ReplaceAll(a.framing, "\r\n", a.eol) + a.eol)
		}
	case a.chunked:
		b.WriteString("Transfer-Encoding: chunked" + a.eol)
	case a.body != nil:
		fmt.Fprintf(&b, "Content-Length: %d%s", len(a.body), a.eol)
	}
	b.WriteString(a.eol)
	if a.chunked {
		fmt.Fprintf(&b, "%x\r\n", len(a.body))
	}
	// A small request goes in one write, so that the server, reading it
	// whole, leaves nothing unread when it refuses it.
	body := a.body
	if len(body) < 1<<20 {
		b.Write(body)
		body = nil
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if a.chunked {
		_, err := io.WriteString(w, "\r\n0\r\n\r\n")
		return err
	}
	return nil
}

// answer is what the server said to one attack.
type answer struct {
	attack *attack
	status int
	header http.Header
	body   []byte
	err    error // no answer at all
}

// sendAll sends the attacks over workers connections at once, and gives
// each answer to check as it comes (from any of the workers).
func sendAll(addr string, attacks []*attack, workers int, check func(answer)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			c := &client{addr: addr}
			defer c.close()
			for i := int(next.Add(1) - 1); i < len(attacks); i = int(next.Add(1) - 1) {
				check(c.send(attacks[i]))
			}
		})
	}
	wg.Wait()
}

// client is a raw HTTP/1.1 client: it writes requests exactly as given
// and keeps its connection while the server does.
type client struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func (c *client) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// send sends a and reads the answer, on a fresh connection when the kept
// one turns out to have been closed by the server in the meantime.
func (c *client) send(a *attack) answer {
	for retried := false; ; retried = true {
		reused := c.conn != nil
		if c.conn == nil {
			conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
			if err != nil {
				return answer{attack: a, err: err}
			}
			c.conn, c.br = conn, bufio.NewReader(conn)
		}
		ans := c.exchange(a)
		if ans.err != nil && reused && !retried {
			continue
		}
		return ans
	}
}

// exchange writes a while it reads the answer: the server may answer (413)
// before it has read a body, and stop reading.
func (c *client) exchange(a *attack) answer {
	conn := c.conn
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	wrote := make(chan error, 1)
	go func() {
		err := a.writeTo(conn)
		if err == nil && a.closeWrite {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		wrote <- err
	}()
	ans := answer{attack: a}
	resp, err := readResponse(c.br, a.method)
	if err == nil {
		ans.status, ans.header = resp.StatusCode, resp.Header
		ans.body, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	ans.err = err
	if err != nil || resp.Close || a.closeWrite {
		c.close() // which also ends a write the server stopped reading
	}
	if err := <-wrote; err != nil {
		c.close()
	}
	return ans
}

// readResponse reads the final answer to a request, skipping 100 Continue.
func readResponse(br *bufio.Reader, method string) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil || resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, err
		}
	}
}
