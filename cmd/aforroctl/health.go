package main

import (
	"context"
	"maps"
	"slices"

	"github.com/aforro/aforro"
)

// HealthCmd checks the server.
type HealthCmd struct {
	Live bool `help:"Only check that the server process answers (GET /healthz), not its database and Redis."`
}

// Help is shown under the usage of the command.
func (HealthCmd) Help() string {
	return "Checks readiness (GET /readyz): the server answers and reaches PostgreSQL; a\n" +
		"Redis outage shows as degraded. Exits 1 when the server is not ready, 3 when it\n" +
		"cannot be reached.\n\nExamples:\n\n    aforroctl health\n    aforroctl health --live --server http://10.0.0.7:8000"
}

// Run checks the server.
func (c *HealthCmd) Run(a *app) error {
	cl, err := a.client()
	if err != nil {
		return err
	}
	get := cl.Ready
	if c.Live {
		get = cl.Health
	}
	return show(a, func(ctx context.Context) (aforro.Health, error) { return get(ctx) },
		func(h aforro.Health) []field {
			fs := []field{{"Server", a.settings.Server}, {"Status", h.Status}}
			for _, name := range slices.Sorted(maps.Keys(h.Checks)) {
				fs = append(fs, field{name, h.Checks[name]})
			}
			return fs
		})
}
