package db

import (
	"context"

	"github.com/aforro/aforro"
)

// Actor is who makes a change: an API token (Source aforro.SourceAPI and
// TokenID set) or something else of aforro's Source* list. It rides in the
// context, so the server sets it once per request (and the seed and jobs
// once per run) and no write path can forget it: a change with none is
// recorded as aforro.SourceInternal.
type Actor struct {
	TokenID int64 // 0 unless Source is aforro.SourceAPI
	Source  string
}

type actorKey struct{}

// WithActor returns ctx carrying a, which the changes made under it record.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// TokenActor is the Actor of a request authenticated with token id.
func TokenActor(id int64) Actor { return Actor{TokenID: id, Source: aforro.SourceAPI} }

// ActorFrom returns the Actor ctx carries, or aforro.SourceInternal's.
func ActorFrom(ctx context.Context) Actor {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok || a.Source == "" || (a.Source == aforro.SourceAPI) != (a.TokenID != 0) {
		return Actor{Source: aforro.SourceInternal}
	}
	return a
}

// token is the actor's token id for a nullable column.
func (a Actor) token() *int64 {
	if a.TokenID == 0 {
		return nil
	}
	return &a.TokenID
}

// Movement is what a ledger row says besides its quantities: the reason
// code, the note and reference, the order or transfer that made it (0:
// none) and who (the zero Actor: the context's). Every stock change writes
// its rows through moveStock with one.
type Movement struct {
	Reason, Note, Reference string
	OrderID, TransferID     int64
	By                      Actor
}

// tokenRefSQL builds a TokenRef's JSON from a token id column (NULL stays
// NULL), for scanning into *aforro.TokenRef.
func tokenRefSQL(col string) string {
	return `(SELECT json_build_object('id', tok.id, 'name', tok.name) FROM api_tokens tok WHERE tok.id = ` + col + `)`
}
