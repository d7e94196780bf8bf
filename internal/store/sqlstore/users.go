package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// emailKey is the form in which emails are unique: lower case, as Go folds it.
func emailKey(email string) string { return strings.ToLower(email) }

// CreateUser implements [store.Users].
func (db *DB) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	if err := u.Validate(); err != nil {
		return store.User{}, fmt.Errorf("create user: %w", err)
	}
	u.ID, u.CreatedAt, u.FailedLogins, u.LockedUntil = newID("usr"), db.now(), 0, time.Time{}
	_, err := db.conn().exec(ctx, `INSERT INTO users (id, email, email_key, display_name, password_hash, created_at, disabled, failed_logins)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`, u.ID, u.Email, emailKey(u.Email), u.DisplayName, u.PasswordHash, micros(u.CreatedAt), u.Disabled)
	if err != nil {
		return store.User{}, fmt.Errorf("create user: %w", db.constraint(err, fmt.Sprintf("email %q", u.Email)))
	}
	return u, nil
}

func (db *DB) user(ctx context.Context, cond string, arg any) (store.User, error) {
	var u store.User
	err := db.conn().queryRow(ctx, `SELECT id, email, display_name, password_hash, created_at, disabled, failed_logins, locked_until
		FROM users WHERE `+cond, arg).Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, at(&u.CreatedAt), &u.Disabled, &u.FailedLogins, at(&u.LockedUntil))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	return u, err
}

// User implements [store.Users].
func (db *DB) User(ctx context.Context, id string) (store.User, error) {
	u, err := db.user(ctx, "id = ?", id)
	if err != nil {
		return store.User{}, fmt.Errorf("user %q: %w", id, err)
	}
	return u, nil
}

// UserByEmail implements [store.Users].
func (db *DB) UserByEmail(ctx context.Context, email string) (store.User, error) {
	u, err := db.user(ctx, "email_key = ?", emailKey(email))
	if err != nil {
		return store.User{}, fmt.Errorf("user %q: %w", email, err)
	}
	return u, nil
}

// UpdateUser implements [store.Users].
func (db *DB) UpdateUser(ctx context.Context, id string, upd store.UserUpdate) (store.User, error) {
	if err := upd.Validate(); err != nil {
		return store.User{}, fmt.Errorf("update user: %w", err)
	}
	set, args := []string{}, []any{}
	if upd.DisplayName != nil {
		set, args = append(set, "display_name = ?"), append(args, *upd.DisplayName)
	}
	if upd.PasswordHash != nil {
		set, args = append(set, "password_hash = ?"), append(args, *upd.PasswordHash)
	}
	if upd.Disabled != nil {
		set, args = append(set, "disabled = ?"), append(args, *upd.Disabled)
	}
	if len(set) > 0 {
		res, err := db.conn().exec(ctx, "UPDATE users SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...)
		if err == nil {
			err = affected(res, fmt.Sprintf("user %q", id))
		}
		if err != nil {
			return store.User{}, fmt.Errorf("update user: %w", err)
		}
	}
	return db.User(ctx, id)
}

// RecordSignIn implements [store.Users].
func (db *DB) RecordSignIn(ctx context.Context, id string, ok bool, policy store.Lockout) (store.User, error) {
	var (
		res sql.Result
		err error
	)
	if ok {
		res, err = db.conn().exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", id)
	} else {
		after := policy.After
		if after <= 0 {
			after = math.MaxInt32
		}
		res, err = db.conn().exec(ctx, `UPDATE users SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?`,
			after, micros(db.now().Add(policy.For)), id)
	}
	if err == nil {
		err = affected(res, fmt.Sprintf("user %q", id))
	}
	if err != nil {
		return store.User{}, fmt.Errorf("record sign-in: %w", err)
	}
	return db.User(ctx, id)
}
