package tui

import (
	"testing"
)

// TestSlashKey: "/" means one thing on every screen, go to the filter, and
// never types a slash into a filter or search field.
func TestSlashKey(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	for _, tc := range []struct {
		name  string
		press []string // after the store opened
		check func(t *testing.T, m *Model)
	}{
		{"inventory opens its filter", []string{"1", "/", "/", "lap", "/"}, func(t *testing.T, m *Model) {
			inv := m.screens[tabInventory].(*inventoryModel)
			if !inv.filtering || inv.filter.Value() != "lap" {
				t.Errorf("filtering %v, field %q; want the filter focused, holding lap without a slash", inv.filtering, inv.filter.Value())
			}
		}},
		{"search focuses its field", []string{"2", "/", "mouse", "/"}, func(t *testing.T, m *Model) {
			s := searchScreen(m)
			if m.active != tabSearch || !s.typing || s.input.Value() != "mouse" {
				t.Errorf("screen %v, typing %v, field %q; want Search's field holding mouse without a slash", m.active, s.typing, s.input.Value())
			}
		}},
		{"search after a search", []string{"2", "enter", "/", "/"}, func(t *testing.T, m *Model) {
			if s := searchScreen(m); !s.typing || s.input.Value() != "" {
				t.Errorf("typing %v, field %q; want the field focused again, empty", s.typing, s.input.Value())
			}
		}},
		{"order opens search", []string{"3", "/", "/"}, func(t *testing.T, m *Model) {
			if s := searchScreen(m); m.active != tabSearch || !s.typing || s.input.Value() != "" {
				t.Errorf("screen %v, typing %v, field %q; want Search's field", m.active, s.typing, s.input.Value())
			}
		}},
		{"orders turns its status filter", []string{"4", "/"}, func(t *testing.T, m *Model) {
			if o := m.screens[tabOrders].(*ordersModel); m.active != tabOrders || o.filter != 1 {
				t.Errorf("screen %v, status filter %d; want Orders with the next status", m.active, o.filter)
			}
		}},
		{"summary opens search", []string{"5", "/"}, func(t *testing.T, m *Model) {
			if s := searchScreen(m); m.active != tabSearch || !s.typing {
				t.Errorf("screen %v, typing %v; want Search's field", m.active, s.typing)
			}
		}},
		{"store picker keeps its field", []string{"s", "/", "harb", "/"}, func(t *testing.T, m *Model) {
			if !m.picker.visible || m.picker.input.Value() != "harb" {
				t.Errorf("picker %v, field %q; want harb without a slash", m.picker.visible, m.picker.input.Value())
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := testOptions(srv.client(t))
			opts.StoreID = 1
			tm := start(t, opts)
			waitFor(t, tm, "● online", "Downtown (#1)")
			keys(tm, tc.press...)
			tc.check(t, finish(t, tm))
		})
	}
}
