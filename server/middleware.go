package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
)

// requestInfo travels in the request context so that inner layers can tell
// the outer access log which route matched.
type requestInfo struct {
	id    string
	route string
}

type ctxKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// middleware wraps the router, outermost first: request id, access log,
// metrics, panic recovery, body limit.
func (s *Server) middleware(next http.Handler) http.Handler {
	return s.requestID(s.accessLog(s.instrument(s.recoverPanic(s.limitBody(next)))))
}

// requestID echoes a sane X-Request-Id from the client or makes one.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ri := &requestInfo{id: id}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri)))
	})
}

// validRequestID accepts 1-128 printable ASCII characters, so a client's id
// can be logged and echoed without letting it inject anything.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// statusWriter remembers the status and size of an answer for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog writes one structured line per request.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		ri := infoFrom(r.Context())
		// A 503 is an answer the client can act on (and an outage is
		// logged once by itself); a 499 is the client's own doing.
		level := slog.LevelInfo
		if sw.status >= 500 && sw.status != http.StatusServiceUnavailable {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", ri.id),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", ri.route),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// recoverPanic turns a panic into a logged 500 with the error envelope.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies; decodeJSON reports an overrun as 413.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			s.writeError(w, r, aforro.Errorf(aforro.ETOOLARGE, "Request body is larger than %d bytes.", s.cfg.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// canonicalPath lets only clean paths reach the router, one trailing slash
// allowed and dropped (every route answers with or without it, no
// redirect). Anything else, such as "/api//stores", "/api/./stores" or a
// control character (a NUL at the start of a segment panics bunrouter's
// lookup), names no resource: 404 with the envelope, where the router would
// redirect or fail.
func (s *Server) canonicalPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.ContainsFunc(p, unicode.IsControl) {
			s.writeError(w, r, aforro.Errorf(aforro.ENOTFOUND, "No route matches %s %q.", r.Method, r.URL.Path))
			return
		}
		if p != r.URL.Path {
			r.URL.Path = p
			r.URL.RawPath = strings.TrimSuffix(r.URL.RawPath, "/")
		}
		next.ServeHTTP(w, r)
	})
}

// validQuery refuses a query string that does not parse (a bad
// percent-encoding, a semicolon) or holds text that is not UTF-8, with a 400
// naming the parameter; the handlers would see the parameter dropped, or
// U+FFFD in place of what was sent.
func (s *Server) validQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.writeError(w, r, aforro.Errorf(aforro.EINVALID,
				"The query string is malformed: use & between parameters and %%XX escapes only for bytes."))
			return
		}
		for k, vs := range q {
			if !utf8.ValidString(k) {
				s.writeError(w, r, invalidUTF8(""))
				return
			}
			for _, v := range vs {
				if !utf8.ValidString(v) {
					s.writeError(w, r, invalidUTF8(k))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// named records the matched route pattern for the access log and metrics.
func (s *Server) named(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		infoFrom(req.Context()).route = req.Route()
		return next(w, req)
	}
}

// errors turns a handler's returned error into the envelope.
func (s *Server) errors(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		if err := next(w, req); err != nil {
			s.writeError(w, req.Request, err)
		}
		return nil
	}
}
