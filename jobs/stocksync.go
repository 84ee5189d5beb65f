package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/aforro/aforro/db"
)

// StockSyncInterval is how often SyncStockedStores looks for stock changes
// to carry into the search index: how long, at most, a product that comes
// back into stock at a store can be missing from that store's in-stock
// searches (a sold-out one never shows, since search checks the inventory).
const StockSyncInterval = 250 * time.Millisecond

// SyncStockedStores runs db.SyncStockedStores every interval until ctx ends.
// It is not a scheduled job: every instance runs it, leader or not, with
// --no-jobs too, because search depends on it and running it twice is
// harmless. A failure (PostgreSQL down) is logged once, and its recovery
// once.
func SyncStockedStores(ctx context.Context, d *db.DB, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := d.SyncStockedStores(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			log.Warn("stock sync: cannot bring the search index's stock lists up to date; retrying", "error", err)
		case err == nil && failing:
			failing = false
			log.Info("stock sync: working again")
		}
	}
}
