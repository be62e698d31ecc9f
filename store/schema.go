package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order at Open; migration i (0-based) brings the
// schema to version i+1, recorded in PRAGMA user_version in the same
// transaction. Never edit a released migration: append a new one.
var migrations = []string{
	// 1: the initial schema (documented in docs/STORE.md).
	`
CREATE TABLE staff (
	id            TEXT PRIMARY KEY,
	role          TEXT NOT NULL CHECK (role IN ('clerk','supervisor','admin')),
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
	failed_count  INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	last_login_at TEXT
) STRICT;

CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	started_at TEXT NOT NULL,
	ended_at   TEXT,
	mode       TEXT NOT NULL CHECK (mode IN ('self','staff')),
	outcome    TEXT CHECK (outcome IN ('done','cancelled','card_removed','timeout','referred','error')),
	services   TEXT NOT NULL DEFAULT '',
	profile    TEXT NOT NULL,
	terminal   TEXT NOT NULL DEFAULT '',
	staff_id   TEXT REFERENCES staff(id),
	age_band   TEXT
) STRICT;
CREATE INDEX sessions_started ON sessions(started_at);

CREATE TABLE tickets (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	date         TEXT NOT NULL,
	number       INTEGER NOT NULL CHECK (number > 0),
	session_id   INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
	status       TEXT NOT NULL CHECK (status IN ('waiting','called','approved','declined','done','cancelled')),
	certificates TEXT NOT NULL,
	purpose      TEXT NOT NULL,
	route        TEXT NOT NULL CHECK (route IN ('self','approval','counter')),
	fee_yen      INTEGER NOT NULL DEFAULT 0 CHECK (fee_yen >= 0),
	reasons      TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	staff_id     TEXT REFERENCES staff(id),
	UNIQUE (date, number)
) STRICT;
CREATE INDEX tickets_status ON tickets(date, status);

CREATE TABLE approvals (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id  INTEGER NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
	card_ref   TEXT NOT NULL,
	staff_id   TEXT NOT NULL REFERENCES staff(id),
	decision   TEXT NOT NULL CHECK (decision IN ('approved','declined')),
	reason     TEXT NOT NULL DEFAULT '',
	documents  TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL
) STRICT;

CREATE TABLE proxy_cases (
	id                   INTEGER PRIMARY KEY AUTOINCREMENT,
	purpose              TEXT NOT NULL,
	certificates         TEXT NOT NULL,
	card_ref             TEXT NOT NULL,
	state                TEXT NOT NULL CHECK (state IN ('first_visit','letter_sent','completed','cancelled')),
	documents            TEXT NOT NULL DEFAULT '',
	letter_ref           TEXT NOT NULL DEFAULT '',
	opened_at            TEXT NOT NULL,
	letter_sent_at       TEXT,
	closed_at            TEXT,
	updated_at           TEXT NOT NULL,
	opened_session_id    INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
	completed_session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
	staff_id             TEXT NOT NULL REFERENCES staff(id)
) STRICT;
CREATE INDEX proxy_cases_card ON proxy_cases(card_ref, state);

CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE audit_events (
	seq         INTEGER PRIMARY KEY,
	at          TEXT NOT NULL,
	session_id  INTEGER,
	kind        TEXT NOT NULL,
	detail_json TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_kind ON audit_events(kind, at);

CREATE TABLE checkpoints (
	seq             INTEGER PRIMARY KEY,
	hash            TEXT NOT NULL,
	at              TEXT NOT NULL,
	cutoff          TEXT NOT NULL,
	purged_events   INTEGER NOT NULL
) STRICT;

-- purge_gate opens the delete trigger on audit_events up to a seq, inside
-- the retention transaction only (Store.Purge sets and resets it).
CREATE TABLE purge_gate (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	upto_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO purge_gate (id, upto_seq) VALUES (1, 0);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.seq > (SELECT upto_seq FROM purge_gate WHERE id = 1)
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only (delete only through retention)');
END;

CREATE TRIGGER audit_events_append_only BEFORE INSERT ON audit_events
WHEN NEW.seq <> 1 + COALESCE((SELECT MAX(seq) FROM audit_events), (SELECT MAX(seq) FROM checkpoints), 0)
BEGIN
	SELECT RAISE(ABORT, 'audit_events: seq must follow the last event');
END;

CREATE TRIGGER checkpoints_only_by_purge BEFORE INSERT ON checkpoints
WHEN NEW.seq <> (SELECT upto_seq FROM purge_gate WHERE id = 1)
BEGIN
	SELECT RAISE(ABORT, 'checkpoints are written by the retention purge only');
END;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
	SELECT RAISE(ABORT, 'checkpoints is append-only');
END;

CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
	SELECT RAISE(ABORT, 'checkpoints is append-only');
END;
`,
	// 2: the audit key (docs/SECURITY.md): a mac per event (NULL for events
	// written before the key), and an index of the events that bind a
	// staff, ticket or approval row (detail "bind").
	`
ALTER TABLE audit_events ADD COLUMN mac TEXT;
CREATE INDEX audit_events_bind ON audit_events (json_extract(detail_json, '$.bind'), seq)
	WHERE json_extract(detail_json, '$.bind') IS NOT NULL;
`,
}

// SchemaVersion is the schema version this program writes.
const SchemaVersion = 2

func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies the pending migrations, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	for {
		done := false
		err := s.write(ctx, func(tx *sql.Tx) error {
			var v int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
				return err
			}
			if v > len(migrations) {
				return fmt.Errorf("%w: version %d, know %d", ErrSchemaTooNew, v, len(migrations))
			}
			if v == len(migrations) {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
			return err
		})
		if err != nil || done {
			return err
		}
	}
}
