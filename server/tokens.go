package server

import (
	"net/http"

	"github.com/uptrace/bunrouter"
)

// currentToken answers GET /api/auth/token: the token the request was made
// with, without its secret. A client checks a token with it before saving
// it (aforroctl login), and learns which stores it may offer (the TUI's
// store picker). last_used_at is recorded at most once a minute.
func (s *Server) currentToken(w http.ResponseWriter, req bunrouter.Request) error {
	writeJSON(w, http.StatusOK, tokenFrom(req.Context()))
	return nil
}
