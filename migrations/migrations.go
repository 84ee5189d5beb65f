// Package migrations embeds Aforro's numbered SQL migrations. They are
// applied by db.Migrate through jackc/tern.
package migrations

import "embed"

// FS holds the migration files, named NNN_description.sql.
//
//go:embed *.sql
var FS embed.FS
