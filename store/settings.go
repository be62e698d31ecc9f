package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Setting is one row of settings.
type Setting struct {
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Setting keys the kiosk knows (others are allowed).
const (
	SettingProfile       = "profile"        // municipality profile code
	SettingIdleTimeout   = "idle_timeout_s" // seconds before the idle countdown
	SettingLanguages     = "languages"      // comma-separated language codes
	SettingRetentionDays = "retention_days" // overrides the profile's retention
)

// SetSetting stores a setting and audits the change (old and new value,
// who). Keys and values pass the same privacy checks as event detail.
func (s *Store) SetSetting(ctx context.Context, key, value, by string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := CheckValue(key, value); err != nil {
		return err
	}
	who, err := actor(by)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, by, RoleSupervisor, ""); err != nil {
			return err
		}
		var old sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if old.Valid && old.String == value {
			return nil
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?,?,?,?)
			 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			key, value, ts(s.now()), who); err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
		d := Detail{"key": key, "value": value, "by": who}
		if old.Valid {
			d["old_value"] = old.String
		}
		return s.appendDetail(ctx, tx, 0, KindSettingChanged, d)
	})
}

// GetSetting returns a setting's value, or ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: setting %s", ErrNotFound, key)
	}
	return v, err
}

// Settings lists every setting by key.
func (s *Store) Settings(ctx context.Context) ([]Setting, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value, updated_at, updated_by FROM settings ORDER BY key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Setting
	for rows.Next() {
		var x Setting
		var at string
		if err := rows.Scan(&x.Key, &x.Value, &at, &x.UpdatedBy); err != nil {
			return nil, err
		}
		x.UpdatedAt = parseTS(at)
		out = append(out, x)
	}
	return out, rows.Err()
}
