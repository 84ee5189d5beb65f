package aforro

import (
	"slices"
	"time"
)

// Token roles.
const (
	RoleAdmin = "admin"
	RoleStaff = "staff"
)

// Token is an API token as listed by `aforrod token list`; its secret is
// never stored, only a hash of it.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Stores     []int64    `json:"stores"` // empty: every store
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CoversStore reports whether t may act on store id's data: admins and
// unscoped staff tokens cover every store.
func (t Token) CoversStore(id int64) bool {
	return t.Role == RoleAdmin || len(t.Stores) == 0 || slices.Contains(t.Stores, id)
}
