package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// statusOf is the one place that maps error codes to HTTP statuses.
func statusOf(code string) int {
	switch code {
	case aforro.EINVALID:
		return http.StatusBadRequest
	case aforro.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case aforro.EFORBIDDEN:
		return http.StatusForbidden
	case aforro.ENOTFOUND, aforro.EPAGEOUTOFRANGE:
		return http.StatusNotFound
	case aforro.EMETHODNOTALLOWED:
		return http.StatusMethodNotAllowed
	case aforro.ECONFLICT, aforro.ESTALEQUANTITY:
		return http.StatusConflict
	case aforro.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case aforro.ERATELIMITED:
		return http.StatusTooManyRequests
	case aforro.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// statusClientClosed is what the access log and the metrics record for a
// request whose client went away before the answer: nginx's 499, so it
// counts as neither a success nor a server error.
const statusClientClosed = 499

// writeError answers with the error envelope. Anything that is not an
// *aforro.Error is logged with the request id and answered with a generic 500,
// so no dependency's error text reaches the client. A request whose client
// has gone is recorded as 499 whatever failed because of it; a 503 says
// when to retry.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := aforro.ErrorCode(err)
	if r.Context().Err() != nil && (code == aforro.EINTERNAL || code == aforro.EUNAVAILABLE) {
		w.WriteHeader(statusClientClosed) // nobody reads it; the log and metrics do
		return
	}
	if errors.Is(err, db.ErrUnavailable) {
		s.metrics.dbUnavailable.Inc()
		s.dbOutage(err)
	}
	if code == aforro.EUNAVAILABLE && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	body := aforro.ErrorResponse{Error: aforro.ErrorMessage(err), Code: code}
	var e *aforro.Error
	if errors.As(err, &e) {
		body.Fields, body.CurrentQuantity = e.Fields, e.CurrentQuantity
		body.RejectedItems = e.RejectedItems
	}
	if code == aforro.EINTERNAL {
		s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", infoFrom(r.Context()).id),
			slog.String("error", err.Error()))
	}
	writeJSON(w, statusOf(code), body)
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := aforro.MarshalResponse(v)
	if err != nil {
		// Our own types always encode; reaching here is a bug.
		status, b = http.StatusInternalServerError, []byte(`{"error":"Internal server error.","code":"internal"}`+"\n")
	}
	writeRaw(w, status, b)
}

// writeRaw writes an already encoded JSON body.
// writeKeyed answers a change made under an Idempotency-Key: a replay of
// the first answer says so in Idempotent-Replayed.
func writeKeyed(w http.ResponseWriter, status int, body []byte, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, status, body)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	// Known length: net/http writes the body as it is, not in chunks.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing useful to do then
}

func (s *Server) notFound(w http.ResponseWriter, req bunrouter.Request) error {
	return aforro.Errorf(aforro.ENOTFOUND, "No route matches %s %s.", req.Method, req.URL.Path)
}

// methodNotAllowed answers 405, naming the allowed methods.
func (s *Server) methodNotAllowed(allow string) handlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		w.Header().Set("Allow", allow)
		return aforro.Errorf(aforro.EMETHODNOTALLOWED, "Method %s is not allowed on %s; use %s.", req.Method, req.URL.Path, allow)
	}
}

// created answers 201 with v and where it lives.
func created(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}
