// Package faults is Aforro's fault-injection suite: end-to-end scenarios over
// real processes on loopback (the aforrod binary, a private PostgreSQL
// cluster and a private redis-server that each test starts, an SMTP server
// in the test) that kill, restart and cut them under load from many clients,
// then check every invariant of the stock, the orders and the outbox. Its
// tests carry the build tag faults: `make faults` runs them.
package faults
