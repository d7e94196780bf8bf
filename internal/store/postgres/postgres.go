// Package postgres is the PostgreSQL adapter of the store ([store.Store]),
// for hubs and large sites whose API nodes share one database.
//
// It speaks to PostgreSQL with github.com/jackc/pgx/v5 through database/sql
// (pgx/stdlib) rather than pgxpool: the queries are package sqlstore's,
// written once for database/sql and shared with the SQLite adapter, and goose
// migrates a *sql.DB. The pool is database/sql's.
//
// [Open] applies the migrations in migrations/, embedded, with goose, under a
// PostgreSQL advisory lock so that API nodes starting together migrate once.
// The tables live in the connection's current schema: set search_path in the
// URL (postgres://host/db?search_path=ward) to choose another than public.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a store in a PostgreSQL database. Its Now field (from
// [sqlstore.DB]) is the clock.
type DB struct {
	*sqlstore.DB
	sql *sql.DB
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres://user@host:5432/db?...,
// or a key=value string) and brings its schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	if err := open(ctx, db); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres %s/%s: %w", cfg.Host, cfg.Database, err), db.Close())
	}
	return &DB{DB: sqlstore.New(db, dialect()), sql: db}, nil
}

func open(ctx context.Context, db *sql.DB) error {
	// Migrations of one schema take turns; other schemas go their own way.
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	if !schema.Valid {
		return errors.New("no current schema: the search_path names none that exists")
	}
	h := fnv.New64a()
	h.Write([]byte("ward store " + schema.String))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return sqlstore.Migrate(ctx, db, goose.DialectPostgres, fsys, goose.WithSessionLocker(locker))
}

// dialect is how PostgreSQL differs.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Numbered:     true,
		ForUpdate:    "FOR NO KEY UPDATE",
		IsUnique:     func(err error) bool { return code(err) == "23505" }, // unique_violation
		IsForeignKey: func(err error) bool { return code(err) == "23503" }, // foreign_key_violation
		Analyze:      "ANALYZE %s",
	}
}

// code returns the SQLSTATE of a PostgreSQL error, or "".
func code(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
