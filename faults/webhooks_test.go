//go:build faults

package faults_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// hookSecret signs the cluster's webhook deliveries.
const hookSecret = "whsec_faults_suite_secret"

// hookReceiver is the cluster's webhook endpoint: it checks every request's
// signature, counts the requests per event id and answers every fourth with
// a 503, so retries are exercised in every scenario.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	n        int
	received map[int64]int // event id: requests answered 2xx
	problems []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	h := &hookReceiver{received: map[int64]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.n++
		var ev struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		}
		switch {
		case !validSignature(r.Header.Get("Aforro-Signature"), body):
			h.problems = append(h.problems, "bad signature on "+string(body))
		case json.Unmarshal(body, &ev) != nil || strconv.FormatInt(ev.ID, 10) != r.Header.Get("Aforro-Delivery") ||
			ev.Type != r.Header.Get("Aforro-Event"):
			h.problems = append(h.problems, "headers do not match the body "+string(body))
		}
		if h.n%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h.received[ev.ID]++
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func validSignature(header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		if k == "t" {
			ts = v
		} else if k == "v1" {
			sig = v
		}
	}
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return ts != "" && hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

// snapshot returns what the receiver has seen.
func (h *hookReceiver) snapshot() (map[int64]int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	got := make(map[int64]int, len(h.received))
	for k, v := range h.received {
		got[k] = v
	}
	return got, append([]string(nil), h.problems...)
}
