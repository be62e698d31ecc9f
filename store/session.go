package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Mode is how a session runs.
type Mode string

// Session modes.
const (
	ModeSelf  Mode = "self"  // the resident alone at the kiosk
	ModeStaff Mode = "staff" // a clerk drives the terminal
)

// Outcome is how a session ended.
type Outcome string

// Session outcomes.
const (
	OutcomeDone        Outcome = "done"         // the chosen services completed
	OutcomeCancelled   Outcome = "cancelled"    // the resident or clerk cancelled
	OutcomeCardRemoved Outcome = "card_removed" // the card was pulled
	OutcomeTimeout     Outcome = "timeout"      // idle countdown ran out
	OutcomeReferred    Outcome = "referred"     // handed to the counter with a ticket
	OutcomeError       Outcome = "error"        // card or system failure
)

// Outcomes lists every outcome, in dashboard order.
var Outcomes = []Outcome{OutcomeDone, OutcomeReferred, OutcomeCancelled, OutcomeCardRemoved, OutcomeTimeout, OutcomeError}

func (o Outcome) valid() bool {
	for _, v := range Outcomes {
		if o == v {
			return true
		}
	}
	return false
}

// SessionStart describes a new session.
type SessionStart struct {
	Mode     Mode
	Profile  string // municipality profile code, e.g. "moriya"
	Terminal string // optional terminal code
	StaffID  string // the signed-in clerk for ModeStaff; optional
}

// SessionEnd is how a session finished.
type SessionEnd struct {
	Outcome  Outcome
	Services []string // service codes used, e.g. "status", "pin_change"
	AgeBand  string   // optional, e.g. "15-19" or "65+"; never a birth date
}

// Session is one row of sessions.
type Session struct {
	ID        int64     `json:"id"`
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"` // zero while open
	Mode      Mode      `json:"mode"`
	Outcome   Outcome   `json:"outcome,omitempty"`
	Services  []string  `json:"services"`
	Profile   string    `json:"profile"`
	Terminal  string    `json:"terminal,omitempty"`
	StaffID   string    `json:"staff_id,omitempty"`
	AgeBand   string    `json:"age_band,omitempty"`
}

// StartSession records a new session and its session_started event.
func (s *Store) StartSession(ctx context.Context, st SessionStart) (int64, error) {
	if st.Mode != ModeSelf && st.Mode != ModeStaff {
		return 0, fmt.Errorf("%w: mode %q", ErrInvalid, st.Mode)
	}
	if err := checkCode("profile", st.Profile); err != nil {
		return 0, err
	}
	if st.Terminal != "" {
		if err := checkCode("terminal", st.Terminal); err != nil {
			return 0, err
		}
	}
	if st.StaffID != "" {
		if err := CheckStaffID(st.StaffID); err != nil {
			return 0, err
		}
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO sessions (started_at, mode, profile, terminal, staff_id) VALUES (?,?,?,?,?)`,
			ts(s.now()), string(st.Mode), st.Profile, st.Terminal, nullStr(st.StaffID))
		if err != nil {
			return fmt.Errorf("starting session: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		d := Detail{"mode": string(st.Mode), "profile": st.Profile}
		if st.StaffID != "" {
			d["staff_id"] = st.StaffID
		}
		if st.Terminal != "" {
			d["terminal"] = st.Terminal
		}
		return s.appendDetail(ctx, tx, id, KindSessionStarted, d)
	})
	return id, err
}

// EndSession closes a session with its outcome and a session_ended event.
// Ending a session twice is ErrConflict.
func (s *Store) EndSession(ctx context.Context, id int64, end SessionEnd) error {
	if !end.Outcome.valid() {
		return fmt.Errorf("%w: outcome %q", ErrInvalid, end.Outcome)
	}
	if err := checkCodes("service", end.Services); err != nil {
		return err
	}
	if end.AgeBand != "" && !ageBandRE.MatchString(end.AgeBand) {
		return fmt.Errorf("%w: age band %q (want e.g. 15-19 or 65+)", ErrInvalid, end.AgeBand)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE sessions SET ended_at = ?, outcome = ?, services = ?, age_band = ? WHERE id = ? AND ended_at IS NULL`,
			ts(s.now()), string(end.Outcome), join(end.Services), nullStr(end.AgeBand), id)
		if err != nil {
			return fmt.Errorf("ending session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := sessionTx(ctx, tx, id); err != nil {
				return err
			}
			return fmt.Errorf("%w: session %d already ended", ErrConflict, id)
		}
		d := Detail{"outcome": string(end.Outcome)}
		if len(end.Services) > 0 {
			d["services"] = end.Services
		}
		if end.AgeBand != "" {
			d["age_band"] = end.AgeBand
		}
		return s.appendDetail(ctx, tx, id, KindSessionEnded, d)
	})
}

const sessionCols = `id, started_at, COALESCE(ended_at,''), mode, COALESCE(outcome,''), services, profile, terminal, COALESCE(staff_id,''), COALESCE(age_band,'')`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var x Session
	var started, ended, mode, outcome, services string
	err := sc.Scan(&x.ID, &started, &ended, &mode, &outcome, &services, &x.Profile, &x.Terminal, &x.StaffID, &x.AgeBand)
	x.StartedAt, x.EndedAt = parseTS(started), parseTS(ended)
	x.Mode, x.Outcome, x.Services = Mode(mode), Outcome(outcome), split(services)
	return x, err
}

func sessionTx(ctx context.Context, tx *sql.Tx, id int64) (Session, error) {
	return found(scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id)))("session", id)
}

// Session returns one session.
func (s *Store) Session(ctx context.Context, id int64) (Session, error) {
	return readOne(ctx, s, func(tx *sql.Tx) (Session, error) { return sessionTx(ctx, tx, id) })
}

// Sessions lists the sessions started on the local dates from..to
// (YYYY-MM-DD, inclusive), oldest first.
func (s *Store) Sessions(ctx context.Context, from, to string) ([]Session, error) {
	lo, hi, err := dayRange(from, to)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE started_at >= ? AND started_at < ? ORDER BY id`, lo, hi)
	return scanAll(rows, err, scanSession)
}

// dayRange turns inclusive local dates into the half-open text range of
// stored timestamps [from, to+1).
func dayRange(from, to string) (string, string, error) {
	f, err := ParseDate(from)
	if err != nil {
		return "", "", err
	}
	t, err := ParseDate(to)
	if err != nil {
		return "", "", err
	}
	if t.Before(f) {
		return "", "", fmt.Errorf("%w: date range %s..%s ends before it starts", ErrInvalid, from, to)
	}
	return from, nextDate(t), nil
}
