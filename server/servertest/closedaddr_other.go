//go:build !unix

package servertest

import "testing"

// ClosedAddr returns a loopback host:port nothing listens on (it was free a
// moment ago); on unix it is also held for the test's lifetime.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	return FreeAddr(t)
}
