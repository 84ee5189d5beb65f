package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/server/servertest"
)

// TestSetReorder checks PUT .../reorder/: the answer, validation as field
// errors, access as the other stock writes, and ?low_stock=true using it.
func TestSetReorder(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.exec(t, servertest.Catalogue+ledgerFixture)
	// Store 1: laptop(1) 10, mouse(2) 3, gaming laptop(3) 0, book(4) 50; skillet(5) not stocked.
	staff1 := srv.token(t, aforro.RoleStaff, 1)
	staff2 := srv.token(t, aforro.RoleStaff, 2)
	cases := []struct {
		name, token, path, body string
		status                  int
		field                   string // the field error expected with a 400
	}{
		{"admin sets both", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 12, "reorder_quantity": 30}`, 200, ""},
		{"staff of the store", staff1, "/api/stores/1/inventory/4/reorder/", `{"reorder_point": 60}`, 200, ""},
		{"staff of another store", staff2, "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 1}`, 403, ""},
		{"no token", "-", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 1}`, 401, ""},
		{"negative point", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": -1}`, 400, "reorder_point"},
		{"negative quantity", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 1, "reorder_quantity": -5}`, 400, "reorder_quantity"},
		{"too large", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 1000000001}`, 400, "reorder_point"},
		{"not an integer", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": 1.5}`, 400, "reorder_point"},
		{"a string", "", "/api/stores/1/inventory/1/reorder/", `{"reorder_point": "7"}`, 400, "reorder_point"},
		{"unknown field", "", "/api/stores/1/inventory/1/reorder/", `{"reorder": 7}`, 400, ""},
		{"not stocked", "", "/api/stores/1/inventory/5/reorder/", `{"reorder_point": 1}`, 404, ""},
		{"unknown store", "", "/api/stores/99/inventory/1/reorder/", `{"reorder_point": 1}`, 404, ""},
	}
	for _, c := range cases {
		var header []string
		switch c.token {
		case "":
		case "-":
			header = []string{"Authorization", ""}
		default:
			header = []string{"Authorization", "Bearer " + c.token}
		}
		r := srv.do(t, http.MethodPut, c.path, c.body, header...)
		if r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
			continue
		}
		if c.status == 400 && c.field != "" && !strings.Contains(string(r.body), `"`+c.field+`"`) {
			t.Errorf("%s: %s does not name %s", c.name, r.body, c.field)
		}
	}
	var it aforro.InventoryItem
	srv.get(t, "/api/stores/1/inventory/1/").decode(t, &it)
	if it.ReorderPoint == nil || *it.ReorderPoint != 12 || it.ReorderQuantity == nil || *it.ReorderQuantity != 30 {
		t.Errorf("row 1 = %+v, want reorder point 12 and quantity 30", it)
	}
	// Low with threshold 5: mouse 3, gaming laptop 0 (global), laptop 10
	// (its 12), book 50 (its 60).
	var page aforro.Page[aforro.InventoryItem]
	srv.get(t, "/api/stores/1/inventory/?low_stock=true").decode(t, &page)
	if len(page.Results) != 4 {
		t.Errorf("low stock = %+v, want 4 rows", page.Results)
	}
	// null clears: the row falls back to the global threshold.
	if r := srv.do(t, http.MethodPut, "/api/stores/1/inventory/1/reorder/", `{"reorder_point": null}`); r.status != 200 ||
		!strings.Contains(string(r.body), `"reorder_point":null`) || !strings.Contains(string(r.body), `"reorder_quantity":null`) {
		t.Errorf("clear: %d %s", r.status, r.body)
	}
	srv.get(t, "/api/stores/1/inventory/?low_stock=true").decode(t, &page)
	if len(page.Results) != 3 {
		t.Errorf("low stock after clearing = %+v, want 3 rows", page.Results)
	}
}
