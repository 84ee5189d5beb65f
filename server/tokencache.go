package server

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/aforro/aforro"
)

// A token lookup is a round trip to PostgreSQL on every staff or admin
// request, a third of a list's. tokenCache remembers authenticated tokens
// for tokenCacheTTL, but only while this instance listens for token changes
// (migration 008 notifies every change that could make a cached token wrong,
// after its commit): a notification forgets every cached token, so a revoked
// token stops on every instance as soon as PostgreSQL delivers it, within
// milliseconds. While the listener is down nothing is cached and every
// request looks its token up, as before.
const (
	tokenCacheTTL  = 30 * time.Second // well under db.Authenticate's once-a-minute record of use
	tokenCacheSize = 10_000           // beyond this many live tokens, start afresh
)

type tokenCache struct {
	mu      sync.Mutex
	live    bool   // the listener is listening: entries may be kept and used
	gen     uint64 // counts forgets; a lookup that began before one is not kept
	entries map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	tok aforro.Token
	at  time.Time
}

// get returns the cached token of a secret's hash, and the generation a
// lookup beginning now must quote to put its answer.
func (c *tokenCache) get(key [sha256.Size]byte) (aforro.Token, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !c.live || !ok || time.Since(e.at) > tokenCacheTTL {
		return aforro.Token{}, c.gen, false
	}
	return e.tok, c.gen, true
}

// put keeps a token looked up in generation gen, unless a change has been
// notified since or the listener is not listening.
func (c *tokenCache) put(key [sha256.Size]byte, tok aforro.Token, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= tokenCacheSize {
		c.entries = map[[sha256.Size]byte]cachedToken{}
	}
	c.entries[key] = cachedToken{tok, time.Now()}
}

// forget drops every entry; live says whether to keep caching afterwards.
func (c *tokenCache) forget(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
	c.gen++
	c.live = live
}

// authenticate is db.Authenticate through the cache.
func (s *Server) authenticate(ctx context.Context, secret string) (aforro.Token, error) {
	key := sha256.Sum256([]byte(secret))
	tok, gen, ok := s.tokens.get(key)
	if ok {
		return tok, nil
	}
	tok, err := s.db.Authenticate(ctx, secret)
	if err == nil {
		s.tokens.put(key, tok, gen)
	}
	return tok, err
}

// listenTokens keeps the cache's listener running until ctx ends, caching
// only while it listens.
func (s *Server) listenTokens(ctx context.Context) {
	if s.db == nil { // a server put together without a database, in a test
		return
	}
	down := false // logged once per outage, like the database's
	ready := func() {
		s.tokens.forget(true)
		if down {
			s.log.Info("token cache on: listening for token changes again")
			down = false
		}
	}
	for ctx.Err() == nil {
		err := s.db.ListenTokenChanges(ctx, ready, func() { s.tokens.forget(true) })
		s.tokens.forget(false)
		if ctx.Err() != nil {
			return
		}
		if !down {
			s.log.Warn("token cache off: not listening for token changes; every request looks its token up", "err", err)
			down = true
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
