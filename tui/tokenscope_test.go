package tui

import (
	"testing"

	"github.com/aforro/aforro"
	"github.com/aforro/aforro/client"
)

// TestPickerOffersTheTokensStores checks that a token scoped to stores sees
// only those in the picker, never one it would be refused.
func TestPickerOffersTheTokensStores(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	opts := testOptions(srv.client(t, client.WithToken(srv.Token(t, aforro.RoleStaff, 3, 1))))
	tm := start(t, opts)
	waitFor(t, tm, "Choose a store", "2 of 2", "Downtown", "Empty")
	m := finish(t, tm)
	for _, st := range m.picker.stores {
		if st.ID == 2 {
			t.Errorf("the picker offers store 2, which the token does not cover: %+v", m.picker.stores)
		}
	}
	requireGolden(t, m)
}

// TestLoadClearsItsStaleError checks that an error stays until what failed
// loads, and only that: a load of something else leaves it.
func TestLoadClearsItsStaleError(t *testing.T) {
	t.Parallel()
	m, err := New(testOptions(newTestServer(t).client(t)))
	if err != nil {
		t.Fatal(err)
	}
	m.Update(statusMsg{kind: statusError, text: "Load the inventory: This token does not cover store 2.", seq: 1, about: "Load the inventory"})
	m.Update(loadedMsg{what: "Load the orders"})
	if m.status.text == "" {
		t.Fatal("a load of the orders cleared the inventory's error")
	}
	m.Update(loadedMsg{what: "Load the inventory"})
	if m.status.text != "" {
		t.Errorf("status after the inventory loaded: %q, want it cleared", m.status.text)
	}
}
