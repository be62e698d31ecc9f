package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what a staff member may do.
type Role string

// Roles, lowest first.
const (
	RoleClerk      Role = "clerk"      // approvals, proxy cases, PIN resets
	RoleSupervisor Role = "supervisor" // also settings and exports
	RoleAdmin      Role = "admin"      // also staff accounts
)

func (r Role) rank() int {
	switch r {
	case RoleClerk:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// AtLeast reports whether r is min or a higher role.
func (r Role) AtLeast(min Role) bool { return r.rank() > 0 && r.rank() >= min.rank() }

// ParseRole checks a role name.
func ParseRole(v string) (Role, error) {
	r := Role(v)
	if r.rank() == 0 {
		return "", fmt.Errorf("%w: role %q (want clerk, supervisor or admin)", ErrInvalid, v)
	}
	return r, nil
}

// Lockout policy for staff sign-in.
const (
	MaxSignInFailures = 5                // consecutive failures before a lockout
	LockoutDuration   = 15 * time.Minute // how long a lockout lasts
	MinPasswordLen    = 10
	MaxPasswordLen    = 128
)

// Sign-in errors. A wrong password, an unknown staff ID and a disabled
// account all give ErrBadCredentials, so the screen reveals nothing.
var (
	ErrBadCredentials = errors.New("store: wrong staff ID or password")
	ErrStaffLocked    = errors.New("store: staff account locked after repeated failures")
	ErrWeakPassword   = errors.New("store: password refused")
	// ErrNotAllowed is a change by a staff member who may not make it now
	// (unknown, disabled, locked, or without the role).
	ErrNotAllowed = errors.New("store: not allowed")
)

// LockedError is returned (matching ErrStaffLocked) while an account is
// locked; Until is when sign-in is possible again.
type LockedError struct{ Until time.Time }

// Error says until when (local time) the account is locked.
func (e *LockedError) Error() string {
	return fmt.Sprintf("%v until %s", ErrStaffLocked, e.Until.In(JST).Format("15:04"))
}

// Unwrap makes errors.Is(err, ErrStaffLocked) true.
func (e *LockedError) Unwrap() error { return ErrStaffLocked }

// Argon2Params are argon2id parameters for password hashes.
type Argon2Params struct {
	Time      uint32 // passes
	MemoryKiB uint32
	Threads   uint8
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultArgon2 follows RFC 9106's second recommended option (t=3, 64 MiB).
var DefaultArgon2 = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}

// argonIDKey is argon2.IDKey; tests count the calls through it.
var argonIDKey = argon2.IDKey

// argonLimits bound the parameters CheckPassword accepts from a stored hash.
type argonLimits struct {
	maxTime, maxMemoryKiB uint32
	maxThreads            uint8
	minSalt, maxSalt      int
	minKey, maxKey        int
}

// argonBounds admits DefaultArgon2 and anything cheaper, up to a margin for
// a later, stronger default; never more than 256 MiB or 10 passes.
var argonBounds = argonLimits{maxTime: 10, maxMemoryKiB: 256 * 1024, maxThreads: 16, minSalt: 8, maxSalt: 64, minKey: 16, maxKey: 64}

func (l argonLimits) admits(p Argon2Params, salt, key int) bool {
	return p.Time <= l.maxTime && p.MemoryKiB <= l.maxMemoryKiB && p.Threads <= l.maxThreads &&
		salt >= l.minSalt && salt <= l.maxSalt && key >= l.minKey && key <= l.maxKey
}

// HashPassword returns the PHC string of an argon2id hash of pw with a
// fresh random salt: $argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<hash>
// (unpadded standard base64).
func HashPassword(pw []byte, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC string encoded, in
// constant time with respect to the hash.
func CheckPassword(encoded string, pw []byte) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, fmt.Errorf("%w: not an argon2id PHC string", ErrInvalid)
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("%w: argon2 version %q", ErrInvalid, parts[2])
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("%w: argon2 parameters %q", ErrInvalid, parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Time == 0 || p.Threads == 0 {
		return false, fmt.Errorf("%w: malformed argon2id hash", ErrInvalid)
	}
	if !argonBounds.admits(p, len(salt), len(want)) {
		// A stored hash is data anyone with the file can write: parameters
		// beyond what the kiosk itself writes (m = 4 GiB, t = 10^6) would
		// exhaust memory or time at sign-in, so they are refused unused.
		return false, fmt.Errorf("%w: argon2 parameters %q outside what the kiosk writes", ErrInvalid, parts[3])
	}
	got := argonIDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func checkPasswordPolicy(id string, pw []byte) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return fmt.Errorf("%w (want %d to %d bytes)", ErrWeakPassword, MinPasswordLen, MaxPasswordLen)
	}
	distinct := map[byte]bool{}
	for _, c := range pw {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%w: control characters", ErrWeakPassword)
		}
		distinct[c] = true
	}
	lower := strings.ToLower(string(pw))
	switch {
	case len(distinct) < minDistinctChars:
		return fmt.Errorf("%w: too few different characters", ErrWeakPassword)
	case isRun(lower):
		return fmt.Errorf("%w: a keyboard or alphabet sequence", ErrWeakPassword)
	case id != "" && weakWithoutID(lower, strings.ToLower(id)):
		return fmt.Errorf("%w: little more than the staff ID", ErrWeakPassword)
	case slices.Contains(commonPasswords, lower):
		return fmt.Errorf("%w: a well-known password", ErrWeakPassword)
	}
	return nil
}

// weakWithoutID reports a password that is the staff ID plus little more:
// with the ID taken out, what is left has too few different characters or
// is a sequence ("kato123456", "katokato12").
func weakWithoutID(pw, id string) bool {
	if !strings.Contains(pw, id) {
		return false
	}
	rest := strings.ReplaceAll(pw, id, "")
	distinct := map[rune]bool{}
	for _, r := range rest {
		distinct[r] = true
	}
	return len(distinct) < minDistinctChars || isRun(rest)
}

// minDistinctChars refuses "aaaaaaaaaa" and "abababab12"-like passwords.
const minDistinctChars = 5

// sequences are the runs a password may not simply be part of end to end.
var sequences = []string{
	"01234567890123456789", "abcdefghijklmnopqrstuvwxyz",
	"qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
}

// isRun reports a password that is a piece of a sequence, forwards or
// backwards ("1234567890", "zyxwvutsrq", "qwertyuiop").
func isRun(pw string) bool {
	rev := []byte(pw)
	slices.Reverse(rev)
	for _, q := range sequences {
		if strings.Contains(q, pw) || strings.Contains(q, string(rev)) {
			return true
		}
	}
	return false
}

// commonPasswords is a small list of passwords that pass the other rules
// but are among the first an attacker tries (lower case).
var commonPasswords = []string{
	"password123", "password1234", "passw0rd123", "p@ssw0rd123", "iloveyou123",
	"administrator", "admin12345", "welcome123", "letmein123", "qwerty12345",
	"changeme123", "kiosk12345", "staff12345", "jpkikiosk", "mynumber123",
}

// Staff is a staff account, without its password hash.
type Staff struct {
	ID          string    `json:"id"`
	Role        Role      `json:"role"`
	Disabled    bool      `json:"disabled"`
	Failures    int       `json:"failures"`     // consecutive failed sign-ins
	LockedUntil time.Time `json:"locked_until"` // zero when not locked
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	LastSignIn  time.Time `json:"last_sign_in"`
}

// Locked reports whether the account is locked at now.
func (st Staff) Locked(now time.Time) bool { return now.Before(st.LockedUntil) }

// actor is who made a change in the audit detail: a staff ID, or
// "kioskctl" for the operator's command line.
func actor(by string) (string, error) {
	if by == "" {
		return "kioskctl", nil
	}
	return by, CheckStaffID(by)
}

// checkBy re-checks, inside the writing transaction, that by may make a
// change needing role min: an existing account, enabled, not locked, with
// that role or more — so a clerk disabled or locked after signing in can do
// nothing more. self is the account being changed: a member may change its
// own password whatever its role, but never while locked. by "" is the
// operator's command line (access to the database file), not checked here.
func (s *Store) checkBy(ctx context.Context, tx *sql.Tx, by string, min Role, self string) error {
	if by == "" {
		return nil
	}
	st, err := staffTx(ctx, tx, by)
	switch {
	case errors.Is(err, ErrNotFound):
		return fmt.Errorf("%w: %w: %s is not a staff member", ErrNotAllowed, ErrNotFound, by)
	case err != nil:
		return err
	case st.Disabled:
		return fmt.Errorf("%w: %w: %s is disabled", ErrNotAllowed, ErrConflict, by)
	case st.Locked(s.Now()):
		return fmt.Errorf("%w: %s is locked", ErrNotAllowed, by)
	case by != self && !st.Role.AtLeast(min):
		return fmt.Errorf("%w: %s is %s, needs %s", ErrNotAllowed, by, st.Role, min)
	}
	// The role and enabled flag just read are trusted only as the trail
	// recorded them: a clerk made admin by SQL is refused.
	if err := s.checkBound(ctx, tx, "staff", by); err != nil {
		return fmt.Errorf("%w: %w", ErrNotAllowed, err)
	}
	return nil
}

// AddStaff creates a staff account. by is the admin making it ("" for
// kioskctl). The password is not kept; callers should wipe it.
func (s *Store) AddStaff(ctx context.Context, id string, role Role, password []byte, by string) error {
	if err := CheckStaffID(id); err != nil {
		return err
	}
	if role.rank() == 0 {
		return fmt.Errorf("%w: role %q", ErrInvalid, role)
	}
	who, h, err := s.newPassword(id, password, by)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, by, RoleAdmin, ""); err != nil {
			return err
		}
		now := ts(s.now())
		_, err := tx.ExecContext(ctx,
			`INSERT INTO staff (id, role, password_hash, created_at, updated_at) VALUES (?,?,?,?,?)
			 ON CONFLICT (id) DO NOTHING`, id, string(role), h, now, now)
		if err != nil {
			return fmt.Errorf("adding staff: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT changes()`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: staff %s exists", ErrConflict, id)
		}
		d := Detail{"staff_id": id, "role": string(role), "by": who}
		if err := bind(ctx, tx, d, "staff", id); err != nil {
			return err
		}
		return s.appendDetail(ctx, tx, 0, KindStaffAdded, d)
	})
}

// newPassword checks the actor by and password for staff id and hashes
// the password: who is what the audit event records as "by".
func (s *Store) newPassword(id string, password []byte, by string) (who, hash string, err error) {
	if who, err = actor(by); err != nil {
		return "", "", err
	}
	if err := checkPasswordPolicy(id, password); err != nil {
		return "", "", err
	}
	hash, err = HashPassword(password, s.argon)
	return who, hash, err
}

// SetPassword replaces a staff member's password and clears a lockout.
func (s *Store) SetPassword(ctx context.Context, id string, password []byte, by string) error {
	if err := CheckStaffID(id); err != nil {
		return err
	}
	who, h, err := s.newPassword(id, password, by)
	if err != nil {
		return err
	}
	return s.updateStaff(ctx, id, by, KindStaffPassword, Detail{"staff_id": id, "by": who},
		`UPDATE staff SET password_hash = ?, failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?`, h)
}

// DisableStaff stops an account from signing in (accounts are never
// deleted: the audit trail names them).
func (s *Store) DisableStaff(ctx context.Context, id, by string) error {
	who, err := actor(by)
	if err != nil {
		return err
	}
	if by == id {
		return fmt.Errorf("%w: %s cannot disable itself", ErrNotAllowed, by)
	}
	return s.updateStaff(ctx, id, by, KindStaffDisabled, Detail{"staff_id": id, "by": who},
		`UPDATE staff SET disabled = 1, updated_at = ? WHERE id = ?`)
}

// EnableStaff re-enables an account and clears a lockout.
func (s *Store) EnableStaff(ctx context.Context, id, by string) error {
	who, err := actor(by)
	if err != nil {
		return err
	}
	if by == id {
		return fmt.Errorf("%w: %s cannot enable itself", ErrNotAllowed, by)
	}
	return s.updateStaff(ctx, id, by, KindStaffEnabled, Detail{"staff_id": id, "by": who},
		`UPDATE staff SET disabled = 0, failed_count = 0, locked_until = NULL, updated_at = ? WHERE id = ?`)
}

// updateStaff runs q with args, then updated_at and id, and audits kind.
func (s *Store) updateStaff(ctx context.Context, id, by, kind string, d Detail, q string, args ...any) error {
	if err := CheckStaffID(id); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, by, RoleAdmin, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, append(args, ts(s.now()), id)...)
		if err != nil {
			return fmt.Errorf("updating staff: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: staff %s", ErrNotFound, id)
		}
		if err := bind(ctx, tx, d, "staff", id); err != nil {
			return err
		}
		return s.appendDetail(ctx, tx, 0, kind, d)
	})
}

const staffCols = `id, role, disabled, failed_count, COALESCE(locked_until,''), created_at, updated_at, COALESCE(last_login_at,'')`

func scanStaff(sc interface{ Scan(...any) error }) (Staff, error) {
	var st Staff
	var role, locked, created, updated, last string
	err := sc.Scan(&st.ID, &role, &st.Disabled, &st.Failures, &locked, &created, &updated, &last)
	st.Role = Role(role)
	st.LockedUntil, st.CreatedAt, st.UpdatedAt, st.LastSignIn = parseTS(locked), parseTS(created), parseTS(updated), parseTS(last)
	return st, err
}

func staffTx(ctx context.Context, tx *sql.Tx, id string) (Staff, error) {
	return found(scanStaff(tx.QueryRowContext(ctx, `SELECT `+staffCols+` FROM staff WHERE id = ?`, id)))("staff", id)
}

// StaffMember returns one account.
func (s *Store) StaffMember(ctx context.Context, id string) (Staff, error) {
	return readOne(ctx, s, func(tx *sql.Tx) (Staff, error) { return staffTx(ctx, tx, id) })
}

// ListStaff lists every account by ID.
func (s *Store) ListStaff(ctx context.Context) ([]Staff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+staffCols+` FROM staff ORDER BY id`)
	return scanAll(rows, err, scanStaff)
}

// ghostLockouts counts failed sign-ins of IDs that do not exist, in memory,
// so that they lock like real accounts. At most maxGhosts IDs are tracked;
// beyond that the oldest lockout is forgotten first.
type ghostLockouts struct {
	mu  sync.Mutex
	ids map[string]ghost
}

type ghost struct {
	failures int
	until    time.Time
	seen     time.Time
}

const maxGhosts = 4096

// fail records one failed sign-in of an unknown id at now and reports
// whether the ID now counts as locked, and until when.
func (g *ghostLockouts) fail(id string, now time.Time) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ids == nil {
		g.ids = map[string]ghost{}
	}
	e := g.ids[id]
	if now.Before(e.until) {
		e.seen = now
		g.ids[id] = e
		return e.until, true
	}
	if !e.until.IsZero() { // an expired lockout starts afresh, as for staff
		e = ghost{}
	}
	e.failures++
	e.seen = now
	if e.failures >= MaxSignInFailures {
		e.failures, e.until = 0, now.Add(LockoutDuration)
	}
	if len(g.ids) >= maxGhosts {
		var oldest string
		for k, v := range g.ids {
			if oldest == "" || v.seen.Before(g.ids[oldest].seen) {
				oldest = k
			}
		}
		delete(g.ids, oldest)
	}
	g.ids[id] = e
	return e.until, now.Before(e.until)
}

// dummyHashes are checked against for unknown staff IDs, so that an
// unknown ID costs the same time as a wrong password (one per parameter set).
var (
	dummyMu     sync.Mutex
	dummyHashes = map[Argon2Params]string{}
)

func dummyHash(p Argon2Params) string {
	dummyMu.Lock()
	defer dummyMu.Unlock()
	if h, ok := dummyHashes[p]; ok {
		return h
	}
	h, _ := HashPassword([]byte("not-a-password"), p)
	dummyHashes[p] = h
	return h
}

// SignIn checks a staff member's password. Success, failure and lockout are
// audited with the staff ID only (an unknown ID is not recorded, since it
// may be a password typed into the wrong field). After MaxSignInFailures
// consecutive failures the account is locked for LockoutDuration
// (*LockedError). The password is never stored; callers should wipe it.
func (s *Store) SignIn(ctx context.Context, id string, password []byte) (Staff, error) {
	var hash string
	var st Staff
	known := CheckStaffID(id) == nil
	if known {
		err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM staff WHERE id = ?`, id).Scan(&hash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			known = false
		case err != nil:
			return Staff{}, err
		}
	}
	if !known {
		// An unknown ID answers exactly as a real one would: one argon2
		// check, "wrong password" four times, then "locked until" for
		// LockoutDuration, so the answers never tell which IDs exist.
		_, _ = CheckPassword(dummyHash(s.argon), password)
		until, locked := s.ghosts.fail(id, s.Now())
		err := s.write(ctx, func(tx *sql.Tx) error {
			return s.appendDetail(ctx, tx, 0, KindStaffSignInFailed, Detail{"reason": "UNKNOWN_STAFF"})
		})
		if err != nil {
			return Staff{}, err
		}
		if locked {
			return Staff{}, &LockedError{Until: until}
		}
		return Staff{}, ErrBadCredentials
	}
	st, err := s.StaffMember(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	if now := s.Now(); st.Locked(now) {
		// The same one argon2 check as every other answer, so a locked
		// account is not told apart by its speed.
		_, _ = CheckPassword(dummyHash(s.argon), password)
		err := s.write(ctx, func(tx *sql.Tx) error {
			return s.appendDetail(ctx, tx, 0, KindStaffSignInFailed, Detail{"staff_id": id, "reason": "STAFF_LOCKED"})
		})
		if err != nil {
			return Staff{}, err
		}
		return Staff{}, &LockedError{Until: st.LockedUntil}
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return Staff{}, err
	}
	var result error
	err = s.write(ctx, func(tx *sql.Tx) error {
		cur, err := staffTx(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.Now()
		switch {
		case cur.Locked(now): // locked by a concurrent attempt meanwhile
			result = &LockedError{Until: cur.LockedUntil}
			return s.appendDetail(ctx, tx, 0, KindStaffSignInFailed, Detail{"staff_id": id, "reason": "STAFF_LOCKED"})
		case cur.Disabled:
			result = ErrBadCredentials
			return s.appendDetail(ctx, tx, 0, KindStaffSignInFailed, Detail{"staff_id": id, "reason": "STAFF_DISABLED"})
		case !ok:
			n := cur.Failures + 1
			result = ErrBadCredentials
			if err := s.appendDetail(ctx, tx, 0, KindStaffSignInFailed,
				Detail{"staff_id": id, "reason": "BAD_PASSWORD", "failures": n}); err != nil {
				return err
			}
			if n < MaxSignInFailures {
				_, err := tx.ExecContext(ctx, `UPDATE staff SET failed_count = ? WHERE id = ?`, n, id)
				return err
			}
			until := now.Add(LockoutDuration)
			result = &LockedError{Until: until}
			if _, err := tx.ExecContext(ctx, `UPDATE staff SET failed_count = 0, locked_until = ? WHERE id = ?`, ts(until), id); err != nil {
				return err
			}
			return s.appendDetail(ctx, tx, 0, KindStaffLocked, Detail{"staff_id": id, "failures": n, "until": ts(until)})
		default:
			if err := s.checkBound(ctx, tx, "staff", id); err != nil {
				if !errors.Is(err, ErrTampered) {
					return err
				}
				// Role, enabled flag or password hash changed outside the
				// kiosk: refused, and said so in the trail.
				result = err
				return s.appendDetail(ctx, tx, 0, KindStaffSignInFailed, Detail{"staff_id": id, "reason": "RECORD_TAMPERED"})
			}
			st = cur
			st.Failures, st.LockedUntil, st.LastSignIn = 0, time.Time{}, now
			if _, err := tx.ExecContext(ctx, `UPDATE staff SET failed_count = 0, locked_until = NULL, last_login_at = ? WHERE id = ?`,
				ts(now), id); err != nil {
				return err
			}
			return s.appendDetail(ctx, tx, 0, KindStaffSignIn, Detail{"staff_id": id, "role": string(cur.Role)})
		}
	})
	if err != nil {
		return Staff{}, err
	}
	if result != nil {
		return Staff{}, result
	}
	return st, nil
}
