package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// suggestLimited rate-limits autocomplete: per client IP, as API.md says,
// except that a request with a live token (a till) spends that token's own
// budget (--suggest-token-limit per --suggest-window), so the tills behind
// one shop router do not share one IP's budget. A token that does not
// authenticate is no error on this public route: the request counts
// against its IP.
func (s *Server) suggestLimited(next handlerFunc) handlerFunc {
	byIP := s.rateLimited(s.suggestLimiter, next)
	byToken := s.rateLimitedBy(s.suggestTokenLimiter, func(req bunrouter.Request) string {
		return "token:" + strconv.FormatInt(tokenFrom(req.Context()).ID, 10)
	}, next)
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		scheme, secret, ok := strings.Cut(req.Header.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(secret) != "" {
			if tok, err := s.authenticate(req.Context(), strings.TrimSpace(secret)); err == nil {
				return byToken(w, req.WithContext(withToken(req.Context(), tok)))
			}
		}
		return byIP(w, req)
	}
}

// withToken is ctx carrying the authenticated token, as authorize leaves it.
func withToken(ctx context.Context, tok aforro.Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}
