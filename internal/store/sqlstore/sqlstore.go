// Package sqlstore implements the [store.Store] contract once, over
// database/sql, for every SQL database ward supports. A [Dialect] carries the
// little that differs between them: placeholders, row locks, and how
// constraint violations are reported. The adapters (store/sqlite,
// store/postgres) open their database, run their own migrations, which
// create the schema described below, and call [New].
//
// Both engines understand the same SQL for everything else: INSERT ... ON
// CONFLICT ... DO UPDATE with excluded, RETURNING, row-value comparisons for
// keyset paging, and LIKE ... ESCAPE.
//
// # Schema conventions
//
//   - IDs of organisations, users and tokens are text with a kind prefix
//     ("org_", "usr_", "tok_") and 128 random bits; findings, finding events
//     and audit entries have integer keys.
//   - Times are BIGINT microseconds since the Unix epoch, NULL when unset (a
//     finding without a due date has 0, since due is a sort key). One
//     encoding makes both engines compare and order times identically.
//   - Assets and scan items are stored whole as JSON (TEXT in SQLite, JSONB
//     in PostgreSQL) beside the columns that filters and orderings use.
//   - Lowercased copies (users.email_key, assets.search) are made in Go, so
//     case folding is the same in both engines.
//
// # Pages
//
// Lists use keyset pagination: a page asks for one row more than its size,
// and its cursor is the sort key of its last row, JSON in unpadded base64url.
// A row inserted before the cursor is not seen; none is seen twice.
package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Numbered says placeholders are $1, $2, ... (PostgreSQL) rather than ?.
	Numbered bool
	// ForUpdate ends a SELECT of a row that the transaction goes on to change,
	// to lock it ("FOR NO KEY UPDATE"); "" where write transactions already
	// exclude each other (SQLite's BEGIN IMMEDIATE).
	ForUpdate string
	// IsUnique reports whether err is a unique constraint violation.
	IsUnique func(err error) bool
	// IsForeignKey reports whether err is a foreign key violation.
	IsForeignKey func(err error) bool
	// Analyze refreshes the planner's statistics of the named tables after
	// a bulk write ("ANALYZE %s"); "" where the planner does without. A
	// PostgreSQL planner that still believes a table of 700,000 findings
	// holds a few rows picks plans that take seconds, and autovacuum comes
	// too late for the pages read right after a feed sync.
	Analyze string
}

// bulkRows is how many changed rows make a write bulk, worth fresh
// planner statistics.
const bulkRows = 5000

// analyze refreshes the statistics of tables after a write that changed
// rows of them in bulk. The write is committed by then, so a failure here is
// ignored: autovacuum refreshes the statistics later.
func (db *DB) analyze(ctx context.Context, changed int, tables ...string) {
	if db.d.Analyze == "" || changed < bulkRows {
		return
	}
	_, _ = db.sql.ExecContext(ctx, fmt.Sprintf(db.d.Analyze, strings.Join(tables, ", ")))
}

// DB implements [store.Store] over a database/sql handle.
type DB struct {
	// Now is the clock; set it before the store is shared.
	Now func() time.Time

	sql    *sql.DB
	d      Dialect
	closed atomic.Bool
}

var _ store.Store = (*DB)(nil)

// New returns a store over db, whose schema is up to date, speaking dialect
// d. The store owns db: [DB.Close] closes it.
func New(db *sql.DB, d Dialect) *DB {
	return &DB{Now: time.Now, sql: db, d: d}
}

// Close closes the database. Calling it again does nothing.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	return db.sql.Close()
}

// now returns the current time as the store keeps it.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs queries written with ? placeholders in the dialect.
type conn struct {
	q querier
	d *Dialect
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.d.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.d.rebind(query), args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.d.rebind(query), args...)
}

// affected returns ErrNotFound, wrapped with what, when res changed no row.
func affected(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// rebind turns ? placeholders into $n where the dialect wants them. Queries
// hold no ? other than placeholders.
func (d *Dialect) rebind(query string) string {
	if !d.Numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// conn returns a conn outside any transaction.
func (db *DB) conn() conn { return conn{q: db.sql, d: &db.d} }

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(c conn) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(conn{q: tx, d: &db.d}); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockOrg checks that org exists and, where the dialect needs it, locks its
// row until the transaction ends, so that writers of one organisation's
// findings and assets take turns.
func (db *DB) lockOrg(ctx context.Context, c conn, org string) error {
	var id string
	err := c.queryRow(ctx, "SELECT id FROM orgs WHERE id = ? "+db.d.ForUpdate, org).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("organisation %q: %w", org, store.ErrNotFound)
	}
	return err
}

// constraint turns a constraint violation into the store's error: a missing
// parent is ErrNotFound, a duplicate ErrConflict; what names the object.
// Other errors pass unchanged.
func (db *DB) constraint(err error, what string) error {
	switch {
	case db.d.IsForeignKey(err):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case db.d.IsUnique(err):
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return err
}

// newID returns a fresh ID: prefix, "_" and 128 random bits in base32.
func newID(prefix string) string { return prefix + "_" + strings.ToLower(rand.Text()) }

// micros is a time as stored: microseconds since the epoch, NULL when zero.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeDest scans a stored time into t.
type timeDest struct{ t *time.Time }

// at returns a destination for Scan that reads a stored time into t.
func at(t *time.Time) sql.Scanner { return timeDest{t} }

// Scan implements [sql.Scanner].
func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

// jsonDest scans a JSON column into v.
type jsonDest struct{ v any }

// Scan implements [sql.Scanner].
func (d jsonDest) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return json.Unmarshal(v, d.v)
	case string:
		return json.Unmarshal([]byte(v), d.v)
	}
	return fmt.Errorf("json column: unexpected %T", src)
}

// jsonText returns v as JSON text for a JSON column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// marks returns n placeholders separated by commas.
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// rowMarks returns rows groups of cols placeholders: (?, ?), (?, ?).
func rowMarks(rows, cols int) string {
	row := "(" + marks(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// where collects the conditions and arguments of a WHERE clause.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in adds "col IN (...)" for vals; no vals adds nothing.
func in[T any](w *where, col string, vals []T) {
	if len(vals) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN ("+marks(len(vals))+")")
	for _, v := range vals {
		w.args = append(w.args, v)
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// list runs one page of a keyset query: sel (SELECT ... FROM ...), the
// conditions w, the condition after adds for a cursor (rows after it), and
// ORDER BY order. scan reads a row; next returns the cursor of an item.
func list[T, C any](ctx context.Context, c conn, opts store.ListOptions, sel string, w *where,
	after func(w *where, cur C), order string, scan func(scanner) (T, error), next func(T) C,
) (store.Page[T], error) {
	limit, err := opts.PageSize()
	if err != nil {
		return store.Page[T]{}, err
	}
	if opts.Cursor != "" {
		var cur C
		if err := decodeCursor(opts.Cursor, &cur); err != nil {
			return store.Page[T]{}, err
		}
		after(w, cur)
	}
	rows, err := c.query(ctx, sel+w.String()+" ORDER BY "+order+" LIMIT ?", append(w.args, limit+1)...)
	if err != nil {
		return store.Page[T]{}, err
	}
	defer rows.Close()
	page := store.Page[T]{Items: make([]T, 0, min(limit, 64))}
	for rows.Next() {
		if len(page.Items) == limit {
			page.Next = encodeCursor(next(page.Items[limit-1]))
			break
		}
		item, err := scan(rows)
		if err != nil {
			return store.Page[T]{}, err
		}
		page.Items = append(page.Items, item)
	}
	return page, rows.Err()
}

// encodeCursor returns cur as an opaque cursor.
func encodeCursor(cur any) string {
	b, err := json.Marshal(cur)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: cursor %T: %v", cur, err)) // cursors are structs of strings and numbers
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads an opaque cursor into cur, or returns ErrInvalid.
func decodeCursor(s string, cur any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(cur)
	}
	if err != nil {
		return fmt.Errorf("%w: cursor: not one this list made", store.ErrInvalid)
	}
	return nil
}
