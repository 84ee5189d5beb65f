package server

import (
	"context"
	"net/http"

	"github.com/uptrace/bunrouter"
)

// patchByID answers PATCH of the resource named what at /…/:id: the path's
// id, the body as decode reads and validates it, and update's result with
// 200. Each resource's own file keeps its validation; this is the part they
// share.
func patchByID[In, Out any](what string, decode func(*http.Request) (In, error),
	update func(context.Context, int64, In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		id, err := pathID(req, "id", what)
		if err != nil {
			return err
		}
		in, err := decode(req.Request)
		if err != nil {
			return err
		}
		out, err := update(req.Context(), id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// deleteByID answers DELETE of the resource named what at /…/:id with 204.
func deleteByID(what string, del func(context.Context, int64) error) handlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		id, err := pathID(req, "id", what)
		if err != nil {
			return err
		}
		if err := del(req.Context(), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// patchBody reads a JSON body and checks it with validate as a PATCH (every
// field optional).
func patchBody[In any](validate func(*In, bool) error) func(*http.Request) (In, error) {
	return func(r *http.Request) (In, error) {
		var in In
		if err := decodeJSON(r, &in); err != nil {
			return in, err
		}
		return in, validate(&in, false)
	}
}
