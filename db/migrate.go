package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/aforro/aforro/migrations"
)

// versionTable is where tern records the schema version.
const versionTable = "schema_version"

// EnsureDatabase creates the database named in url when it does not exist,
// connecting to the server's "postgres" database to do so. It reports whether
// it created one. Several processes may call it at once.
func EnsureDatabase(ctx context.Context, url string) (bool, error) {
	cfg, err := ConnConfig(url)
	if err != nil {
		return false, err
	}
	name := cfg.Database
	if name == "" {
		return false, fmt.Errorf("the database url %s names no database", Redact(url))
	}
	// Try the target first: it usually exists, and the role may lack access to "postgres".
	if conn, err := pgx.ConnectConfig(ctx, cfg); err == nil {
		conn.Close(ctx)
		return false, nil
	} else if IsConnError(err) && pgCode(err) != pgInvalidCatalogName {
		return false, fmt.Errorf("connect to PostgreSQL at %s: %w", Redact(url), err)
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return false, fmt.Errorf("connect to PostgreSQL at %s to create database %q: %w", Redact(url), name, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgCode(err) == pgDuplicateDatabase {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	return true, nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int32
	Name    string
	Applied bool
}

// Migrate brings the database at url to the newest schema, creating the
// database first when needed. It is idempotent, and tern's advisory lock makes
// concurrent calls from several instances safe.
func Migrate(ctx context.Context, url string) error {
	if _, err := EnsureDatabase(ctx, url); err != nil {
		return err
	}
	return withMigrator(ctx, url, func(m *migrate.Migrator) error {
		if err := m.Migrate(ctx); err != nil {
			return wrapError(err, "migrate")
		}
		return nil
	})
}

// MigrateTo moves the database at url to schema version, up or down (its
// migrations' drop halves). Tests use it to check a migration against data
// written in the schema before it.
func MigrateTo(ctx context.Context, url string, version int32) error {
	return withMigrator(ctx, url, func(m *migrate.Migrator) error {
		return wrapError(m.MigrateTo(ctx, version), fmt.Sprintf("migrate to version %d", version))
	})
}

// Status lists every known migration and whether the database at url has it.
func Status(ctx context.Context, url string) ([]MigrationStatus, error) {
	var out []MigrationStatus
	err := withMigrator(ctx, url, func(m *migrate.Migrator) error {
		cur, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return wrapError(err, "read schema version")
		}
		for _, mig := range m.Migrations {
			out = append(out, MigrationStatus{Version: mig.Sequence, Name: mig.Name, Applied: mig.Sequence <= cur})
		}
		return nil
	})
	return out, err
}

func withMigrator(ctx context.Context, url string, fn func(*migrate.Migrator) error) error {
	cfg, err := ConnConfig(url)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL at %s: %w", Redact(url), err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return wrapError(err, "prepare migrator")
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return wrapError(err, "load migrations")
	}
	return fn(m)
}
