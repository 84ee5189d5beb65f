package client_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/server"
)

func TestCurrentToken(t *testing.T) {
	t.Parallel()
	srv := newConfiguredServer(t, server.DefaultConfig())
	ctx := context.Background()
	tok, err := srv.client(t).CurrentToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Role != aforro.RoleAdmin || tok.ID == 0 || tok.Name == "" || len(tok.Stores) != 0 {
		t.Errorf("CurrentToken = %+v, want the admin token", tok)
	}
	_, err = srv.client(t, client.WithToken("afr_bogus")).CurrentToken(ctx)
	checkAPIError(t, err, &client.APIError{Status: http.StatusUnauthorized, Code: aforro.EUNAUTHORIZED,
		Message: "The token is unknown or revoked."})
}
