// Package db owns Aforro's SQL: the pgx pool, the queries, the transactions
// (the order transaction among them), migrations and the bulk-load step the
// seed (db/seed) uses; one file per resource. It knows nothing of HTTP;
// every method's error passes through wrapError (errors.go), so errors come
// back as *aforro.Error where the client is at fault or a retry helps, and
// wrapped with context otherwise.
package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier is what both a pool and a transaction offer, so a query function can
// run on either and the caller owns the transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// DB is Aforro's handle on PostgreSQL.
type DB struct {
	Pool *pgxpool.Pool

	replicas *replicaSet     // read replicas (replicas.go); nil when none
	listen   *pgx.ConnConfig // where LISTEN connects; nil: the pool's URL
}

// DefaultMaxConns is the pool size unless the URL sets pool_max_conns.
// pgxpool's own default, the number of CPUs (at least 4), starves writes on a
// small machine: every order ends in a commit that waits for the WAL flush,
// and PostgreSQL flushes the commits waiting together in one go, so more
// connections in flight mean more orders per flush. On 2 cores, 16 doubled
// the order throughput of 4 at 16 and 64 clients; 32 was no better
// (docs/benchmarks.md).
const DefaultMaxConns = 16

// Open connects a pool to url and checks that the server answers.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, wrapError(err, "parse database url")
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, wrapError(err, "open database pool")
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", Redact(url), err)
	}
	return &DB{Pool: pool}, nil
}

// ConnConfig parses url for a single connection. The pool settings the same
// URL may carry (pool_max_conns and the other pool_* parameters, which Open
// honours) are left out: a lone pgx connection would send them to the server
// as run-time parameters, and PostgreSQL refuses unknown ones.
func ConnConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, wrapError(err, "parse database url")
	}
	return cfg.ConnConfig, nil
}

// Close releases every connection.
func (d *DB) Close() {
	if d.replicas != nil {
		d.replicas.close()
	}
	d.Pool.Close()
}

// Ping checks that PostgreSQL answers.
func (d *DB) Ping(ctx context.Context) error { return d.Pool.Ping(ctx) }

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise.
func (d *DB) InTx(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	tx, err := d.Pool.BeginTx(ctx, opts)
	if err != nil {
		return wrapError(err, "begin transaction")
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return wrapError(err, "commit")
	}
	return nil
}

// Redact hides the password of a connection URL so it can be logged.
func Redact(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil || cfg.Password == "" {
		return url
	}
	return redactPassword(url, cfg.Password)
}

// IsConnError reports whether err means PostgreSQL could not be reached, as
// opposed to a query failing.
func IsConnError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}
