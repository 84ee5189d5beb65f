package server

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/db"
)

// Transfers (issue 16): a staff token covering the source may create, edit,
// ship and cancel; one covering the destination may receive; either may
// read; admins may do all. The database layer asks transferAccess with the
// transfer's row locked, so the stores checked are those the change applies
// to, even if an edit moved them meanwhile.

// validateTransferLines checks lines like an order's items: 1-100 lines, no
// product twice, quantities 1-1,000,000, errors keyed lines[i].field.
func validateTransferLines(lines []aforro.TransferLineInput, errs *aforro.FieldErrors) {
	switch {
	case len(lines) == 0:
		errs.Add("lines", "must contain at least one line")
		return
	case len(lines) > aforro.MaxTransferLines:
		errs.Add("lines", fmt.Sprintf("must have at most %d lines", aforro.MaxTransferLines))
		return
	}
	seen := map[int64]int{}
	for i, l := range lines {
		p := fmt.Sprintf("lines[%d]", i)
		if l.ProductID < 1 {
			errs.Add(p+".product_id", "must be a positive integer")
		} else if j, dup := seen[l.ProductID]; dup {
			errs.Add(p+".product_id", fmt.Sprintf("duplicates lines[%d]: product %d may appear once; add the quantities", j, l.ProductID))
		} else {
			seen[l.ProductID] = i
		}
		switch {
		case l.Quantity < 1:
			errs.Add(p+".quantity", "must be at least 1")
		case l.Quantity > aforro.MaxLineQuantity:
			errs.Add(p+".quantity", fmt.Sprintf("must be at most %d", aforro.MaxLineQuantity))
		}
	}
}

// validText trims s and records a problem unless it fits max characters
// without control characters (a note may hold newlines and tabs).
func validText(field, s string, max int, multiline bool, errs *aforro.FieldErrors) string {
	s = strings.TrimSpace(s)
	switch {
	case utf8.RuneCountInString(s) > max:
		errs.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case hasControl(s, multiline):
		errs.Add(field, "must not contain control characters")
	}
	return s
}

func validateCreateTransfer(t *aforro.CreateTransfer) error {
	var errs aforro.FieldErrors
	if t.SourceStoreID < 1 {
		errs.Add("source_store_id", "must be a positive integer")
	}
	if t.DestinationStoreID < 1 {
		errs.Add("destination_store_id", "must be a positive integer")
	} else if t.DestinationStoreID == t.SourceStoreID {
		errs.Add("destination_store_id", "must differ from the source store")
	}
	validateTransferLines(t.Lines, &errs)
	t.Note = validText("note", t.Note, aforro.MaxTransferNote, true, &errs)
	t.Reference = validText("reference", t.Reference, aforro.MaxTransferReference, false, &errs)
	return errs.Err()
}

func validateEditTransfer(t *aforro.EditTransfer) error {
	var errs aforro.FieldErrors
	if t.SourceStoreID != nil && *t.SourceStoreID < 1 {
		errs.Add("source_store_id", "must be a positive integer")
	}
	if t.DestinationStoreID != nil && *t.DestinationStoreID < 1 {
		errs.Add("destination_store_id", "must be a positive integer")
	}
	if t.Lines != nil {
		validateTransferLines(t.Lines, &errs)
	}
	if t.Note != nil {
		*t.Note = validText("note", *t.Note, aforro.MaxTransferNote, true, &errs)
	}
	if t.Reference != nil {
		*t.Reference = validText("reference", *t.Reference, aforro.MaxTransferReference, false, &errs)
	}
	return errs.Err()
}

func validateReceipt(r *aforro.ReceiveTransfer) error {
	var errs aforro.FieldErrors
	switch {
	case len(r.Lines) == 0:
		errs.Add("lines", "must contain at least one line")
	case len(r.Lines) > 2*aforro.MaxTransferLines:
		errs.Add("lines", fmt.Sprintf("must have at most %d lines", 2*aforro.MaxTransferLines))
	}
	reasons := []string{aforro.RejectDamaged, aforro.RejectMissing, aforro.RejectOther}
	for i, l := range r.Lines {
		if len(r.Lines) > 2*aforro.MaxTransferLines {
			break
		}
		p := fmt.Sprintf("lines[%d]", i)
		if l.ProductID < 1 {
			errs.Add(p+".product_id", "must be a positive integer")
		}
		if l.Accepted < 0 || l.Accepted > aforro.MaxLineQuantity {
			errs.Add(p+".accepted", fmt.Sprintf("must be between 0 and %d", aforro.MaxLineQuantity))
		}
		if l.Rejected < 0 || l.Rejected > aforro.MaxLineQuantity {
			errs.Add(p+".rejected", fmt.Sprintf("must be between 0 and %d", aforro.MaxLineQuantity))
		}
		if l.Accepted == 0 && l.Rejected == 0 {
			errs.Add(p+".accepted", "accepted or rejected must be at least 1")
		}
		switch {
		case l.Rejected > 0 && !slices.Contains(reasons, l.Reason):
			errs.Add(p+".reason", "must be damaged, missing or other when units are rejected")
		case l.Rejected == 0 && l.Reason != "":
			errs.Add(p+".reason", "is only for rejected units")
		}
	}
	return errs.Err()
}

// transferAccess is what the token of req may do to a transfer: the side
// names the store it must cover ("source" or "destination"; "either" for
// reads).
func transferAccess(req bunrouter.Request, side string) db.TransferAccess {
	tok := tokenFrom(req.Context())
	return func(source, destination int64) error {
		switch side {
		case "source":
			return requireStore(tok, source)
		case "destination":
			return requireStore(tok, destination)
		}
		if tok.CoversStore(source) || tok.CoversStore(destination) {
			return nil
		}
		return requireStore(tok, source)
	}
}

// transferKey reads the Idempotency-Key of a transfer change: the key is
// bound to the route and the transfer as well as the body, so one key
// cannot replay another change's answer.
func transferKey(req bunrouter.Request, body any) (*db.IdempotencyKey, error) {
	tok := tokenFrom(req.Context())
	return idempotencyKey(req, strconv.FormatInt(tok.ID, 10), struct {
		Route string `json:"route"`
		ID    string `json:"id"`
		Body  any    `json:"body"`
	}{req.Route(), req.Param("id"), body})
}

func (s *Server) createTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	var body aforro.CreateTransfer
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	if err := validateCreateTransfer(&body); err != nil {
		return err
	}
	if err := requireStore(tokenFrom(req.Context()), body.SourceStoreID); err != nil {
		return err
	}
	key, err := transferKey(req, body)
	if err != nil {
		return err
	}
	res, err := s.db.CreateTransfer(req.Context(), body, key)
	if err != nil {
		return err
	}
	if !res.Replayed {
		w.Header().Set("Location", fmt.Sprintf("/api/transfers/%d/", res.Transfer.ID))
	}
	writeKeyed(w, http.StatusCreated, res.Response, res.Replayed)
	return nil
}

func (s *Server) getTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Transfer")
	if err != nil {
		return err
	}
	source, destination, err := s.db.TransferStores(req.Context(), id)
	if err != nil {
		return err
	}
	if err := transferAccess(req, "either")(source, destination); err != nil {
		return err
	}
	t, err := s.db.Transfer(req.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) editTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Transfer")
	if err != nil {
		return err
	}
	var body aforro.EditTransfer
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	if err := validateEditTransfer(&body); err != nil {
		return err
	}
	t, err := s.db.EditTransfer(req.Context(), id, body, transferAccess(req, "source"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) shipTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Transfer")
	if err != nil {
		return err
	}
	key, err := transferKey(req, nil)
	if err != nil {
		return err
	}
	res, err := s.db.ShipTransfer(req.Context(), id, transferAccess(req, "source"), key)
	if err != nil {
		return err
	}
	writeKeyed(w, http.StatusOK, res.Response, res.Replayed)
	return nil
}

func (s *Server) receiveTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Transfer")
	if err != nil {
		return err
	}
	var body aforro.ReceiveTransfer
	if err := decodeJSON(req.Request, &body); err != nil {
		return err
	}
	if err := validateReceipt(&body); err != nil {
		return err
	}
	key, err := transferKey(req, body)
	if err != nil {
		return err
	}
	res, err := s.db.ReceiveTransfer(req.Context(), id, body, transferAccess(req, "destination"), key)
	if err != nil {
		return err
	}
	writeKeyed(w, http.StatusOK, res.Response, res.Replayed)
	return nil
}

func (s *Server) cancelTransfer(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathID(req, "id", "Transfer")
	if err != nil {
		return err
	}
	t, err := s.db.CancelTransfer(req.Context(), id, transferAccess(req, "source"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// listStoreTransfers answers GET /api/stores/{id}/transfers/ with
// ?direction=in|out (both when absent) and ?status=.
func (s *Server) listStoreTransfers(w http.ResponseWriter, req bunrouter.Request) error {
	storeID, err := pathID(req, "id", "Store")
	if err != nil {
		return err
	}
	q := req.URL.Query()
	var errs aforro.FieldErrors
	pr, err := s.pageRequest(req, &errs)
	if err != nil {
		return err
	}
	f := aforro.TransferFilter{StoreID: storeID,
		Direction: strings.ToLower(strings.TrimSpace(q.Get("direction"))),
		Status:    strings.ToLower(strings.TrimSpace(q.Get("status")))}
	switch f.Direction {
	case "", aforro.DirectionIn, aforro.DirectionOut:
	default:
		errs.Add("direction", "must be in or out")
	}
	if f.Status != "" && !slices.Contains(aforro.TransferStatuses, f.Status) {
		errs.Add("status", "must be draft, shipped, partially_received, received or cancelled")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	page, err := s.db.ListTransfers(req.Context(), f, pr)
	if err != nil {
		return err
	}
	return writePage(s, w, req, page)
}
