// Package sqlite is the SQLite adapter of the store ([store.Store]) and the
// default of a site: one database file under the data directory, read and
// written with modernc.org/sqlite (pure Go, no cgo).
//
// [Open] sets write-ahead logging (readers never wait for the writer),
// foreign keys on, a busy timeout, and BEGIN IMMEDIATE for transactions (a
// writer takes the lock at its start, so two writers never deadlock), then
// applies the migrations in migrations/, embedded, with goose. The queries
// are package sqlstore's, shared with the PostgreSQL adapter.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Memory is the path of a private in-memory database, for tests.
const Memory = ":memory:"

// DB is a store in an SQLite database. Its Now field (from
// [sqlstore.DB]) is the clock.
type DB struct {
	*sqlstore.DB
	sql *sql.DB
}

var _ store.Store = (*DB)(nil)

// pragmas are set on every connection. The busy timeout bounds how long a
// writer waits for another, in milliseconds.
const pragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)" +
	"&_pragma=temp_store(MEMORY)&_txlock=immediate"

// pathEscaper escapes what SQLite's URI file names give a meaning to.
var pathEscaper = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// Open opens (creating it if needed) the database at path, or a private
// in-memory database for [Memory], and brings its schema up to date. The
// directory must exist.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := sql.Open("sqlite", "file:"+pathEscaper.Replace(path)+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if path == Memory {
		db.SetMaxOpenConns(1) // each connection to :memory: would be a database of its own
	}
	if err := open(ctx, db); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite %s: %w", path, err), db.Close())
	}
	return &DB{DB: sqlstore.New(db, dialect()), sql: db}, nil
}

func open(ctx context.Context, db *sql.DB) error {
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return sqlstore.Migrate(ctx, db, goose.DialectSQLite3, fsys)
}

// dialect is how SQLite differs.
func dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		IsUnique: func(err error) bool {
			return code(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		},
		IsForeignKey: func(err error) bool { return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY },
	}
}

// code returns the extended result code of an SQLite error, or 0.
func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}
