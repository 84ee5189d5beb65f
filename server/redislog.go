package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// RedisLogger routes go-redis's own log lines (redis.SetLogger) into slog at
// DEBUG, at most one every 10 seconds with a count of the lines left out: in
// an outage the library prints a line per failed dial, in its own format,
// into what is otherwise a JSON log, while the rate limiter and the jobs
// already say once, at WARN, that Redis is unreachable.
type RedisLogger struct {
	log     *slog.Logger
	every   rate.Sometimes
	dropped atomic.Int64
}

// NewRedisLogger returns a RedisLogger writing to log.
func NewRedisLogger(log *slog.Logger) *RedisLogger {
	return &RedisLogger{log: log, every: rate.Sometimes{First: 1, Interval: 10 * time.Second}}
}

// Printf implements go-redis's logging interface.
func (l *RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	logged := false
	l.every.Do(func() {
		logged = true
		l.log.LogAttrs(ctx, slog.LevelDebug, "redis client", slog.String("message", fmt.Sprintf(format, v...)),
			slog.Int64("lines_left_out", l.dropped.Swap(0)))
	})
	if !logged {
		l.dropped.Add(1)
	}
}
