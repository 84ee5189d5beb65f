package aforro

import (
	"slices"
	"strings"
)

// Reason codes of the stock ledger (issue 18). Every movement carries one;
// free text goes in its note, the document it rests on in its reference.
const (
	ReasonReceived   = "received"   // goods came in from a supplier
	ReasonCorrection = "correction" // a mistaken earlier entry put right
	ReasonCount      = "count"      // a stock count (stocktake) found this many
	ReasonDamaged    = "damaged"    // units broken or spoiled in the store
	ReasonShrinkage  = "shrinkage"  // units lost: theft, unexplained loss
	ReasonReturn     = "return"     // a customer brought units back
	ReasonRestock    = "restock"    // units moved back onto the shelf (from a back room, a display)
	ReasonOther      = "other"      // none of these: say what in the note
	// ReasonInitial is also written by `aforrod seed`.
	ReasonInitial = "initial" // the opening balance of a row
	// Written only by Aforro, with the order or transfer the row names.
	ReasonOrder  = "order"  // an order took the units
	ReasonCancel = "cancel" // a cancelled order gave them back
)

// Limits of a movement's free text (characters, after trimming).
const (
	MaxMovementNote      = 1000
	MaxMovementReference = 200
)

// reasonDescriptions is the single list of codes a person (PUT, adjust,
// batch rows) may give, in the order help texts list them.
var reasonDescriptions = [][2]string{
	{ReasonReceived, "goods received from a supplier"},
	{ReasonCorrection, "an earlier entry put right"},
	{ReasonCount, "a stock count found this quantity"},
	{ReasonDamaged, "units damaged or spoiled"},
	{ReasonShrinkage, "units lost: theft or unexplained loss"},
	{ReasonReturn, "a customer returned units"},
	{ReasonRestock, "units put back on sale"},
	{ReasonInitial, "the opening balance of a row"},
	{ReasonOther, "anything else: say what in the note"},
}

// StockReasons returns the reason codes a stock write may give (PUT,
// adjust, batch rows), in the order the API and CLI list them. The
// validation, the OpenAPI enum and the CLI help all read this list.
func StockReasons() []string {
	codes := make([]string, len(reasonDescriptions))
	for i, d := range reasonDescriptions {
		codes[i] = d[0]
	}
	return codes
}

// StockReasonHelp returns "code: description" for each StockReasons code.
func StockReasonHelp() []string {
	lines := make([]string, len(reasonDescriptions))
	for i, d := range reasonDescriptions {
		lines[i] = d[0] + ": " + d[1]
	}
	return lines
}

// SystemReasons returns the codes only Aforro writes, each with the order
// or transfer its movement names: a client may not give them.
func SystemReasons() []string {
	return []string{ReasonOrder, ReasonCancel, ReasonTransferOut, ReasonTransferIn, ReasonTransferReturn,
		ReasonWriteOffPrefix + RejectDamaged, ReasonWriteOffPrefix + RejectMissing, ReasonWriteOffPrefix + RejectOther}
}

// LedgerReasons returns every code a movement may carry: StockReasons then
// SystemReasons. Migration 012's CHECK constraint holds the same list.
func LedgerReasons() []string {
	return append(StockReasons(), SystemReasons()...)
}

// IsStockReason reports whether code is one a stock write may give.
func IsStockReason(code string) bool {
	return slices.Contains(StockReasons(), code)
}

// StockReasonProblem is the field error of an unknown reason code: it lists
// the allowed ones.
func StockReasonProblem() string {
	return "must be one of " + strings.Join(StockReasons(), ", ")
}

// Sources of a movement, an order or a transfer step: who made it when no
// token did. A token's write is SourceAPI with the token named.
const (
	SourceAPI      = "api"      // a request with an API token (named)
	SourceSeed     = "seed"     // `aforrod seed` generated it
	SourceJob      = "job"      // a background job of aforrod
	SourceInternal = "internal" // a program calling package db directly (the bench, tests)
	SourceLegacy   = "legacy"   // written before migration 012: who is not known
)

// TokenRef names the API token that made a change. The token row outlives
// its revocation (tokens are revoked, never deleted, and the ledger's
// foreign keys refuse a delete), so the name is the token's current one.
type TokenRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}
