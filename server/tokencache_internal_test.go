package server

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db/dbtest"
)

// TestTokenCacheFollowsRevocation runs two instances on one database and
// checks that both cache a token while they listen for changes, that a
// revocation made elsewhere stops it on both, and that an instance whose
// listener is cut stops caching rather than serve a stale token.
func TestTokenCacheFollowsRevocation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := dbtest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var instances []*Server
	var urls []string
	for range 2 {
		s := New(DefaultConfig(), d, dbtest.Redis(t), log)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- s.Serve(ctx, ln) }()
		t.Cleanup(func() { cancel(); <-done })
		instances = append(instances, s)
		urls = append(urls, "http://"+ln.Addr().String())
	}
	if _, err := d.Pool.Exec(ctx, `INSERT INTO stores (id, name, location) VALUES (1, 'a', 'b')`); err != nil {
		t.Fatal(err)
	}
	// eventually polls cond for up to 10 s: notifications arrive after
	// their commit, asynchronously.
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting: %s", what)
			}
		}
	}
	live := func(s *Server) bool {
		s.tokens.mu.Lock()
		defer s.tokens.mu.Unlock()
		return s.tokens.live
	}
	cached := func(s *Server, secret string) bool {
		_, _, ok := s.tokens.get(sha256.Sum256([]byte(secret)))
		return ok
	}
	status := func(url, secret string) int {
		req, _ := http.NewRequest(http.MethodGet, url+"/api/stores/1/inventory/", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, s := range instances {
		eventually("the listener is up", func() bool { return live(s) })
	}

	tok, secret, err := d.CreateToken(ctx, "cached", aforro.RoleStaff, []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range instances {
		if got := status(urls[i], secret); got != http.StatusOK {
			t.Fatalf("instance %d: status %d", i, got)
		}
		// The first request's lookup may race the notification of the
		// token's own creation; the next one is then kept.
		eventually("the token is cached", func() bool { status(urls[i], secret); return cached(s, secret) })
	}
	if err := d.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	for i, s := range instances {
		eventually("the revoked token is forgotten", func() bool { return !cached(s, secret) })
		if got := status(urls[i], secret); got != http.StatusUnauthorized {
			t.Fatalf("instance %d: revoked token answered %d", i, got)
		}
	}

	// Cut the listeners: the instances stop caching and look every token
	// up, so a revocation they are not told about still stops it at once.
	_, secret2, err := d.CreateToken(ctx, "uncached", aforro.RoleStaff, []int64{1})
	if err != nil {
		t.Fatal(err)
	}
	eventually("the listeners are cut", func() bool {
		if _, err := d.Pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN%'`); err != nil {
			t.Fatal(err)
		}
		return !live(instances[0]) || !live(instances[1])
	})
	var s *Server
	var url string
	for i := range instances {
		if !live(instances[i]) {
			s, url = instances[i], urls[i]
		}
	}
	if status(url, secret2) != http.StatusOK || cached(s, secret2) {
		t.Fatal("an instance without its listener cached a token")
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE name = 'uncached'`); err != nil {
		t.Fatal(err)
	}
	// Had the listener come back meanwhile, it forgot everything on its
	// return, and nothing asked for secret2 since: a 401 either way.
	if got := status(url, secret2); got != http.StatusUnauthorized {
		t.Fatalf("revoked token answered %d", got)
	}
	// And the listener comes back.
	eventually("the listener is back", func() bool { return live(s) })
}
