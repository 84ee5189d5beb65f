package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// TestStateWhileRedisIsDown checks the status a leader reports between a
// failed renewal and the end of its lease, when it still leads but no longer
// knows what Redis would say (issue 13, defect 8: it said is_leader true with
// an empty leader).
func TestStateWhileRedisIsDown(t *testing.T) {
	now := time.Now()
	e := &Elector{id: "me", log: slog.New(slog.NewTextHandler(io.Discard, nil)), holding: true,
		validUntil: now.Add(time.Minute), settledAt: now.Add(-time.Second), leader: "me", term: 1, since: now}
	e.redisError(context.Background(), errors.New("connection refused"))
	if st := e.state(); !st.isLeader || st.leader != "me" || !st.redisDown {
		t.Errorf("while the lease lasts: %+v; want this instance named as the leader, Redis down", st)
	}
	e.validUntil = now.Add(-time.Millisecond) // the lease may have lapsed
	if st := e.state(); st.isLeader || st.leader != "" {
		t.Errorf("after the lease: %+v; want no leader", st)
	}
}
