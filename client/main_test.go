package client_test

import (
	"os"
	"testing"

	"github.com/aforro/aforro/client"
	"github.com/aforro/aforro/db/dbtest"
	"github.com/aforro/aforro/server"
	"github.com/aforro/aforro/server/servertest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// testServer is a real aforrod API over a fresh database.
type testServer struct{ *servertest.Server }

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return &testServer{servertest.New(t, server.DefaultConfig(), nil)}
}

// client returns a client for the server with the admin token; opts may
// override it.
func (ts *testServer) client(t *testing.T, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(ts.URL, append([]client.Option{client.WithToken(ts.Admin)}, opts...)...)
	if err != nil {
		t.Fatalf("client.New(%q): %v", ts.URL, err)
	}
	return c
}
