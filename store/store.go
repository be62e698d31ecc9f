// Package store keeps the kiosk's local record in SQLite (modernc.org/sqlite):
// kiosk sessions, numbered tickets, clerk approvals, voluntary-proxy cases,
// staff accounts, settings, and a hash-chained, append-only audit trail.
//
// Privacy is enforced here, not only by callers: every free-form value that
// reaches the database (event detail, setting values, codes) is checked, and
// anything that looks like a PIN, an individual number, a name, an address or
// a birth date is refused before any SQL runs. See docs/STORE.md.
//
// One *Store is safe for concurrent use. Writes are serialized by a mutex in
// the process and by BEGIN IMMEDIATE between processes; reads run in
// parallel (WAL).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// JST is the kiosk's time zone (Asia/Tokyo, UTC+9, no daylight saving since
// 1951). It is a fixed zone so that no tz database is needed on the terminal.
var JST = time.FixedZone("JST", 9*60*60)

// tsLayout is the stored form of every timestamp: fixed width and always
// +09:00, so that text comparison orders them and a YYYY-MM-DD prefix selects
// a local day.
const tsLayout = "2006-01-02T15:04:05.000000Z07:00"

// dateLayout is the form of dates in the API, the CLI and the tickets table.
const dateLayout = "2006-01-02"

// Errors callers test with errors.Is.
var (
	// ErrInvalid is a malformed argument (unknown code, bad date, ...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrPersonalData is a value refused because it looks like personal data
	// (a PIN, an individual number, a name, an address, a birth date).
	ErrPersonalData = errors.New("store: refused personal data")
	// ErrNotFound is a missing session, ticket, case, staff member or setting.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is a state change the current state does not allow.
	ErrConflict = errors.New("store: conflicting state")
	// ErrSchemaTooNew is a database written by a newer version of the kiosk.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this program")
	// ErrReadOnly is a write attempted on a store opened read-only.
	ErrReadOnly = errors.New("store: opened read-only")
)

// Options tune Open. The zero value is the production configuration.
type Options struct {
	// Now is the clock; nil means time.Now. Tests inject a fake clock.
	Now func() time.Time
	// Argon2 are the parameters for new password hashes; nil means
	// DefaultArgon2. Existing hashes keep the parameters they were made with.
	Argon2 *Argon2Params
	// Synchronous is SQLite's synchronous setting: "" or "FULL" (default,
	// every commit durable on power loss) or "NORMAL" (benchmarks only).
	Synchronous string
	// BusyTimeout is how long a writer waits for another process's lock;
	// zero means 5 seconds.
	BusyTimeout time.Duration
	// ReadOnly opens an existing database without migrating or writing it
	// (kioskctl log verify / export).
	ReadOnly bool
	// KeyPath is the audit key file; "" means DefaultKeyPath (beside the
	// database). Opened for writing, the store creates the key when the
	// trail has none yet and refuses a keyed trail without it
	// (ErrKeyMissing); read-only, a missing key leaves the store unkeyed
	// (Verify then checks continuity only and says so).
	KeyPath string
	// NoKey, with ReadOnly, does not load the key: Verify checks the
	// trail's continuity only (kioskctl log verify --no-key).
	NoKey bool
}

// Store is the kiosk's database. Create it with Open; Close it when done.
type Store struct {
	db       *sql.DB
	path     string
	now      func() time.Time
	argon    Argon2Params
	readOnly bool
	key      []byte // audit key; nil when read-only without the key file
	keyPath  string
	hasMAC   bool // schema has audit_events.mac (version 2 on)
	noKey    bool

	wmu sync.Mutex // one writer at a time in this process

	ghosts ghostLockouts // failed sign-ins of unknown staff IDs
}

// Open opens (creating if needed) the database at path and applies pending
// schema migrations. With opts.ReadOnly the file must exist and is neither
// migrated nor written.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: empty database path", ErrInvalid)
	}
	sync := strings.ToUpper(opts.Synchronous)
	switch sync {
	case "":
		sync = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("%w: synchronous %q", ErrInvalid, opts.Synchronous)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	q := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busy.Milliseconds()),
		"_pragma=foreign_keys(1)",
		"_pragma=secure_delete(1)", // purged rows are zeroed, not left in free pages
		"_pragma=synchronous(" + sync + ")",
		"_txlock=immediate", // every read-write transaction is BEGIN IMMEDIATE
	}
	if opts.ReadOnly {
		// SQLite's mode=ro: no file is created, every write fails.
		q = append(q, "mode=ro", "_pragma=query_only(1)")
	} else {
		q = append(q, "_pragma=journal_mode(WAL)")
	}
	if !opts.ReadOnly {
		if err := createPrivate(path); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", fileURI(path)+"?"+strings.Join(q, "&"))
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, now: opts.Now, readOnly: opts.ReadOnly, argon: DefaultArgon2, keyPath: opts.KeyPath, noKey: opts.NoKey && opts.ReadOnly}
	if s.keyPath == "" {
		s.keyPath = DefaultKeyPath(path)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Argon2 != nil {
		s.argon = *opts.Argon2
	}
	if err := s.init(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return s, nil
}

// createPrivate creates the database file with mode 0600 when it does not
// exist yet, so that SQLite (which gives the -wal and -shm files the mode of
// the database) never makes a world-readable trail whatever the umask.
// An existing file keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("creating %s: %w", path, err)
	}
	return f.Close()
}

// fileURI makes an SQLite URI of a file path, so that SQLite applies URI
// parameters such as mode=ro (the driver drops them from plain names).
func fileURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(path))
}

func (s *Store) init(ctx context.Context) error {
	if s.readOnly {
		v, err := s.schemaVersion(ctx)
		if err != nil {
			return err
		}
		if v == 0 {
			return fmt.Errorf("%w: not a kiosk database (schema version 0)", ErrInvalid)
		}
		if v > len(migrations) {
			return fmt.Errorf("%w: version %d, know %d", ErrSchemaTooNew, v, len(migrations))
		}
		s.hasMAC = v >= 2
		key, err := loadKey(s.keyPath)
		switch {
		case s.noKey, errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return err
		default:
			s.key = key
		}
		return nil
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	s.hasMAC = true
	return s.setUpKey(ctx)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file the store was opened on.
func (s *Store) Path() string { return s.path }

// DB exposes the underlying handle for read-only queries in tests and
// tools. Writing through it bypasses the store's rules.
func (s *Store) DB() *sql.DB { return s.db }

// Now is the store's clock in JST.
func (s *Store) Now() time.Time { return s.now().In(JST) }

// Today is the store's current local date, YYYY-MM-DD.
func (s *Store) Today() string { return s.Now().Format(dateLayout) }

// write runs fn in one BEGIN IMMEDIATE transaction, one writer at a time.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// read runs fn in one read-only transaction: a consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return fn(tx)
}

// readOne runs get in a read transaction and returns what it read.
func readOne[T any](ctx context.Context, s *Store, get func(tx *sql.Tx) (T, error)) (T, error) {
	var v T
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		v, err = get(tx)
		return err
	})
	return v, err
}

// found turns a missing row into ErrNotFound naming what and id:
// found(scan(row))("ticket", id).
func found[T any](v T, err error) func(what string, id any) (T, error) {
	return func(what string, id any) (T, error) {
		if errors.Is(err, sql.ErrNoRows) {
			return v, fmt.Errorf("%w: %s %v", ErrNotFound, what, id)
		}
		return v, err
	}
}

// scanAll reads every row of a query with scan; err is the query's.
func scanAll[T any](rows *sql.Rows, err error, scan func(sc interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ts formats t as a stored timestamp.
func ts(t time.Time) string { return t.In(JST).Format(tsLayout) }

// parseTS parses a stored timestamp; empty gives the zero time.
func parseTS(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(tsLayout, v)
	if err != nil {
		return time.Time{}
	}
	return t.In(JST)
}

// ParseDate parses a YYYY-MM-DD local date.
func ParseDate(d string) (time.Time, error) {
	t, err := time.ParseInLocation(dateLayout, d, JST)
	if err != nil || t.Format(dateLayout) != d {
		return time.Time{}, fmt.Errorf("%w: date %q (want YYYY-MM-DD)", ErrInvalid, d)
	}
	return t, nil
}

// nextDate is the day after d (both YYYY-MM-DD).
func nextDate(d time.Time) string { return d.AddDate(0, 0, 1).Format(dateLayout) }

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

func nullStr(v string) sql.NullString { return sql.NullString{String: v, Valid: v != ""} }
