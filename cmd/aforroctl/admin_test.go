package main

import (
	"maps"
	"strings"
	"testing"

	"github.com/aforro/aforro"
)

// TestAdminGolden runs the catalogue and store writes in order on one
// server, each step seeing what the ones before it did: ids 4 and up are
// the rows the steps create.
func TestAdminGolden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	withOrders(t, srv)
	staff := srv.Token(t, aforro.RoleStaff)
	unreachable := closedURL(t)
	steps := []goldenRun{
		{"categories-create", []string{"categories", "create", "Garden"}, nil},
		{"categories-create-json", []string{"categories", "create", "Garden tools", "-o", "json"}, nil},
		{"categories-create-duplicate", []string{"categories", "create", "BOOKS"}, nil},
		{"categories-create-empty", []string{"categories", "create", " "}, nil},
		{"categories-update", []string{"categories", "update", "4", "--name", "Garden and patio"}, nil},
		{"categories-update-json", []string{"categories", "update", "4", "--name", "Garden", "-o", "json"}, nil},
		{"categories-update-not-found", []string{"categories", "update", "99", "--name", "x"}, nil},
		{"categories-delete", []string{"categories", "delete", "5"}, nil},
		{"categories-delete-conflict", []string{"categories", "delete", "1"}, nil},
		{"categories-delete-no-token", []string{"categories", "delete", "4"}, map[string]string{"AFORRO_TOKEN": ""}},

		{"products-create", []string{"products", "create", "--title", "Mouse Pad", "--price", "5.5", "--category", "1"}, nil},
		{"products-create-json", []string{"products", "create", "--title", "Seed Tray", "--price", "3", "--category", "4",
			"--description", "Holds 24 seedlings.", "-o", "json"}, nil},
		{"products-create-invalid", []string{"products", "create", "--title", "Rake", "--price", "12", "--category", "99"}, nil},
		{"products-update", []string{"products", "update", "6", "--price", "4.99", "--description", "Cloth, 30 cm"}, nil},
		{"products-update-json", []string{"products", "update", "6", "--title", "Mouse Pad XL", "--description", "", "-o", "json"}, nil},
		{"products-update-not-found", []string{"products", "update", "99", "--price", "1"}, nil},
		{"products-update-staff", []string{"products", "update", "6", "--price", "0"}, map[string]string{"AFORRO_TOKEN": staff}},
		{"products-delete", []string{"products", "delete", "7"}, nil},
		{"products-delete-json", []string{"products", "delete", "6", "-o", "json"}, nil},
		{"products-delete-conflict", []string{"products", "delete", "1"}, nil},
		{"products-delete-not-found", []string{"products", "delete", "99"}, nil},

		{"stores-create", []string{"stores", "create", "--name", "Airport", "--location", "Terminal 1, Lisbon"}, nil},
		{"stores-create-json", []string{"stores", "create", "--name", "Kiosk", "-o", "json"}, nil},
		{"stores-create-staff", []string{"stores", "create", "--name", "Pop-up"}, map[string]string{"AFORRO_TOKEN": staff}},
		{"stores-update", []string{"stores", "update", "4", "--location", "Terminal 2, Lisbon"}, nil},
		{"stores-update-json", []string{"stores", "update", "5", "--name", "Kiosk 2", "--location", "", "-o", "json"}, nil},
		{"stores-update-too-long", []string{"stores", "update", "5", "--name", strings.Repeat("x", 101)}, nil},
		{"stores-delete", []string{"stores", "delete", "5"}, nil},
		{"stores-delete-conflict", []string{"stores", "delete", "1"}, nil},

		// Usage errors: exit 2, and nothing sent.
		{"usage-categories-update-no-name", []string{"categories", "update", "4"}, nil},
		{"usage-categories-create-no-name", []string{"categories", "create"}, nil},
		{"usage-products-create-missing", []string{"products", "create", "--title", "Rake"}, nil},
		{"usage-products-create-bad-price", []string{"products", "create", "--title", "Rake", "--price", "12,50", "--category", "1"}, nil},
		{"usage-products-update-nothing", []string{"products", "update", "4"}, nil},
		{"usage-stores-update-nothing", []string{"stores", "update", "4"}, nil},
		// The server cannot be reached: exit 3.
		{"unreachable-stores-delete", []string{"stores", "delete", "4"}, map[string]string{"AFORRO_URL": unreachable}},
	}
	for _, st := range steps {
		// Not parallel: each step builds on the ones before.
		t.Run(st.name, func(t *testing.T) {
			env := baseEnv(t)
			env["AFORRO_URL"], env["AFORRO_TOKEN"] = srv.URL, srv.Admin
			maps.Copy(env, st.env)
			inv := invocation{args: st.args, env: env}
			got := transcript(inv, runCLI(t, inv), placeholders(srv.URL, unreachable)...)
			golden(t, st.name, clockTimes.ReplaceAllString(got, "<now>"))
		})
	}
}
