package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

type tokenKey struct{}

// tokenFrom returns the authenticated token of a request to a staff or admin
// route.
func tokenFrom(ctx context.Context) aforro.Token {
	t, _ := ctx.Value(tokenKey{}).(aforro.Token)
	return t
}

// authorize enforces a route's access level: a Bearer token for staff and
// admin routes (401 when missing, unknown or revoked), the admin role for
// admin routes, and for routes under /api/stores/:id a token that covers that
// store (403 otherwise). Handlers whose store is in the body or behind an
// order id check it themselves with requireStore.
func (s *Server) authorize(rt route, next handlerFunc) handlerFunc {
	if rt.access == public {
		return next
	}
	storeScoped := strings.HasPrefix(rt.path, "/api/stores/:id")
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		scheme, secret, ok := strings.Cut(req.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="aforro"`)
			return aforro.Errorf(aforro.EUNAUTHORIZED, "Authentication required: send Authorization: Bearer <token>.")
		}
		tok, err := s.authenticate(req.Context(), strings.TrimSpace(secret))
		if err != nil {
			if aforro.ErrorCode(err) == aforro.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="aforro", error="invalid_token"`)
			}
			return err
		}
		if rt.access == admin && tok.Role != aforro.RoleAdmin {
			return aforro.Errorf(aforro.EFORBIDDEN, "This needs an admin token.")
		}
		if storeScoped {
			// An id that does not parse names no store; the handler answers 404.
			if id, err := strconv.ParseInt(req.Param("id"), 10, 64); err == nil {
				if err := requireStore(tok, id); err != nil {
					return err
				}
			}
		}
		// Every change the request makes records its token (db.Actor).
		ctx := db.WithActor(context.WithValue(req.Context(), tokenKey{}, tok), db.TokenActor(tok.ID))
		return next(w, req.WithContext(ctx))
	}
}

// requireStore is 403 unless tok covers store id.
func requireStore(tok aforro.Token, id int64) error {
	if !tok.CoversStore(id) {
		return aforro.Errorf(aforro.EFORBIDDEN, "This token does not cover store %d.", id)
	}
	return nil
}

// requireOrderStore is 403 unless the request's token covers the store of
// order id (404 when there is no such order).
func (s *Server) requireOrderStore(req bunrouter.Request, id int64) error {
	tok := tokenFrom(req.Context())
	if tok.Role == aforro.RoleAdmin || len(tok.Stores) == 0 {
		return nil
	}
	store, err := s.db.OrderStore(req.Context(), id)
	if err != nil {
		return err
	}
	return requireStore(tok, store)
}
