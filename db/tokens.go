package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aforro/aforro"
)

// tokenPrefix marks Aforro secrets so they are recognisable in a leak scan.
const tokenPrefix = "afr_"

// HashToken is the SHA-256 of a secret: right for 256-bit random secrets,
// which need no slow password hash.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CreateToken makes a token with a fresh 32-byte random secret and returns it
// with the secret, which is shown once and never stored.
func (d *DB) CreateToken(ctx context.Context, name, role string, stores []int64) (aforro.Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return aforro.Token{}, "", aforro.Errorf(aforro.EINVALID, "A token name must be 1-100 characters.")
	}
	if role != aforro.RoleAdmin && role != aforro.RoleStaff {
		return aforro.Token{}, "", aforro.Errorf(aforro.EINVALID, "Role must be admin or staff, not %q.", role)
	}
	if role == aforro.RoleAdmin && len(stores) > 0 {
		return aforro.Token{}, "", aforro.Errorf(aforro.EINVALID, "Admin tokens cover every store; --store applies to staff tokens.")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return aforro.Token{}, "", wrapError(err, "generate secret")
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := aforro.Token{Name: name, Role: role, Stores: stores}
	err := d.InTx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (name, role, secret_hash) VALUES ($1, $2, $3)
			RETURNING id, created_at`, name, role, HashToken(secret)).Scan(&t.ID, &t.CreatedAt); err != nil {
			return wrapError(err, "insert token")
		}
		for _, s := range stores {
			if err := storeExists(ctx, tx, s); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO api_token_stores (token_id, store_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, t.ID, s); err != nil {
				return wrapError(err, "scope token")
			}
		}
		return nil
	})
	if err != nil {
		return aforro.Token{}, "", err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, secret, nil
}

const tokenSelect = `SELECT t.id, t.name, t.role, t.created_at, t.last_used_at, t.revoked_at, t.secret_hash,
	coalesce(array_agg(s.store_id ORDER BY s.store_id) FILTER (WHERE s.store_id IS NOT NULL), '{}')
	FROM api_tokens t LEFT JOIN api_token_stores s ON s.token_id = t.id`

func scanToken(row pgx.Row) (aforro.Token, []byte, error) {
	var t aforro.Token
	var hash []byte
	err := row.Scan(&t.ID, &t.Name, &t.Role, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt, &hash, &t.Stores)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, hash, err
}

// ListTokens returns every token, revoked ones included, without secrets.
func (d *DB) ListTokens(ctx context.Context) ([]aforro.Token, error) {
	rows, err := d.Pool.Query(ctx, tokenSelect+` GROUP BY t.id ORDER BY t.id`)
	if err != nil {
		return nil, wrapError(err, "list tokens")
	}
	toks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aforro.Token, error) {
		t, _, err := scanToken(r)
		return t, err
	})
	return toks, wrapError(err, "list tokens")
}

// RevokeToken revokes token id; revoking twice is harmless.
func (d *DB) RevokeToken(ctx context.Context, id int64) error {
	tag, err := d.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return wrapError(err, "revoke token")
	}
	if tag.RowsAffected() == 0 {
		return errNotFound("Token", id)
	}
	return nil
}

// Authenticate returns the live token whose secret this is; anything else
// (unknown, revoked, malformed) is EUNAUTHORIZED. The stored hash is compared
// in constant time after the indexed lookup.
func (d *DB) Authenticate(ctx context.Context, secret string) (aforro.Token, error) {
	bad := aforro.Errorf(aforro.EUNAUTHORIZED, "The token is unknown or revoked.")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return aforro.Token{}, bad
	}
	want := HashToken(secret)
	t, hash, err := scanToken(d.Pool.QueryRow(ctx, tokenSelect+` WHERE t.secret_hash = $1 GROUP BY t.id`, want))
	if err != nil {
		return aforro.Token{}, wrapError(err, "authenticate", whenNoRows(bad))
	}
	if subtle.ConstantTimeCompare(hash, want) != 1 || t.RevokedAt != nil {
		return aforro.Token{}, bad
	}
	// Record use at most once a minute, so reads do not become writes.
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		if _, err := d.Pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, t.ID); err != nil {
			return aforro.Token{}, wrapError(err, "record token use")
		}
	}
	return t, nil
}

// OrderStore returns the store an order belongs to, for authorisation.
func (d *DB) OrderStore(ctx context.Context, orderID int64) (int64, error) {
	var s int64
	err := d.Pool.QueryRow(ctx, `SELECT store_id FROM orders WHERE id = $1`, orderID).Scan(&s)
	return s, wrapError(err, "get order store", noRow("Order", orderID))
}

// tokensChannel is where migration 008's triggers notify a change of tokens.
const tokensChannel = "aforro_tokens"

// ListenTokenChanges holds a connection of its own that listens for changes
// of tokens: ready is called once the listening has begun, changed after
// every committed change. It returns when ctx ends or the connection fails;
// from then on, until the caller listens again, no change is reported.
func (d *DB) ListenTokenChanges(ctx context.Context, ready, changed func()) error {
	conn, err := pgx.ConnectConfig(ctx, d.listenConfig())
	if err != nil {
		return wrapError(err, "listen for token changes")
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+tokensChannel); err != nil {
		return wrapError(err, "listen for token changes")
	}
	ready()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return wrapError(err, "wait for token changes")
		}
		changed()
	}
}
