package fleet

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jpki-kiosk/kiosk/store"
)

// DefaultBatch is the number of events sent in one transaction.
const DefaultBatch = 5000

var kioskRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CheckKioskID refuses a kiosk ID that is not a lower-case code
// (letters, digits, '.', '_', '-'; at most 64).
func CheckKioskID(id string) error {
	if !kioskRE.MatchString(id) {
		return fmt.Errorf("%w: kiosk id %q (want lower-case letters, digits, . _ -)", store.ErrInvalid, id)
	}
	return nil
}

// Shipper pushes one kiosk's new events (and the sessions and tickets they
// touch) to the central database. It reads the kiosk's SQLite file through
// its own read-only connection, so the kiosk's writer never waits for it.
type Shipper struct {
	DBPath string // the kiosk's SQLite file
	URL    string // libpq-style URL of the central database (role kiosk_shipper)
	Kiosk  string // the kiosk's ID
	Batch  int    // events per transaction; 0 means DefaultBatch
	// Log receives one line per failure and per refusal (codes only); nil is silent.
	Log func(format string, a ...any)

	conn *pgx.Conn
	st   *store.Store
}

// Result is what one ShipOnce did.
type Result struct {
	Kiosk   string `json:"kiosk"`
	Shipped int64  `json:"shipped"`  // events newly stored centrally
	HeadSeq int64  `json:"head_seq"` // the central head after shipping
}

// Close releases the connections.
func (s *Shipper) Close() {
	if s.conn != nil {
		s.conn.Close(context.Background())
		s.conn = nil
	}
	if s.st != nil {
		s.st.Close()
		s.st = nil
	}
}

func (s *Shipper) open(ctx context.Context) error {
	if err := CheckKioskID(s.Kiosk); err != nil {
		return err
	}
	if s.st == nil {
		st, err := store.Open(s.DBPath, store.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		s.st = st
	}
	if s.conn == nil || s.conn.IsClosed() {
		conn, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			return fmt.Errorf("fleet: connecting: %w", err)
		}
		s.conn = conn
	}
	return nil
}

// ShipOnce sends every event not yet stored centrally, in batches of one
// transaction each, resuming from the central head. Even with nothing new it
// sends the head event again so that the central side can see a rewritten
// or truncated kiosk. A refusal is a *RefusedError. On a network error the
// connection is dropped; call again (Run does, with backoff).
func (s *Shipper) ShipOnce(ctx context.Context) (Result, error) {
	res := Result{Kiosk: s.Kiosk}
	if err := s.open(ctx); err != nil {
		return res, err
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	for {
		n, head, more, err := s.shipBatch(ctx, batch)
		res.Shipped += n
		res.HeadSeq = head
		if err != nil {
			var r *RefusedError
			if !errors.As(err, &r) && s.conn != nil {
				s.conn.Close(context.Background()) // unknown state: reconnect next time
				s.conn = nil
			}
			return res, err
		}
		if !more {
			return res, nil
		}
	}
}

type wireEvent struct {
	Seq        int64  `json:"seq"`
	At         string `json:"at"`
	SessionID  *int64 `json:"session_id"`
	Kind       string `json:"kind"`
	DetailJSON string `json:"detail_json"`
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

type wireSession struct {
	ID        int64   `json:"id"`
	StartedAt string  `json:"started_at"`
	EndedAt   *string `json:"ended_at"`
	Mode      string  `json:"mode"`
	Outcome   *string `json:"outcome"`
	Services  string  `json:"services"`
	Profile   string  `json:"profile"`
	AgeBand   *string `json:"age_band"`
}

type wireTicket struct {
	ID        int64  `json:"id"`
	Date      string `json:"date"`
	Number    int64  `json:"number"`
	SessionID *int64 `json:"session_id"`
	Status    string `json:"status"`
	Route     string `json:"route"`
	FeeYen    int64  `json:"fee_yen"`
	Reasons   string `json:"reasons"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// shipBatch sends one batch; more says whether another may follow.
func (s *Shipper) shipBatch(ctx context.Context, batch int) (shipped, head int64, more bool, err error) {
	var hSeq int64
	var hHash string
	var problem *string
	var pSeq *int64
	err = s.conn.QueryRow(ctx, `SELECT coalesce(head_seq, 0), coalesce(head_hash, ''), problem, problem_seq FROM fleet.head($1)`, s.Kiosk).
		Scan(&hSeq, &hHash, &problem, &pSeq)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	} else if err != nil {
		return 0, 0, false, fmt.Errorf("fleet: reading the central head: %w", err)
	}
	if problem != nil {
		return 0, hSeq, false, &RefusedError{Kiosk: s.Kiosk, Problem: *problem, Seq: deref(pSeq)}
	}

	// Read the local side in one read-only snapshot.
	tx, err := s.st.DB().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, hSeq, false, err
	}
	defer tx.Rollback()
	var localHead int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM audit_events`).Scan(&localHead); err != nil {
		return 0, hSeq, false, err
	}
	from := hSeq // the head event again: the central side compares it byte for byte
	if hHash == "" {
		from = 0
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, session_id, kind, detail_json, prev_hash, hash
		FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?`, from, batch+1)
	if err != nil {
		return 0, hSeq, false, err
	}
	var evs []wireEvent
	for rows.Next() {
		var e wireEvent
		var sid sql.NullInt64
		if err := rows.Scan(&e.Seq, &e.At, &sid, &e.Kind, &e.DetailJSON, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return 0, hSeq, false, err
		}
		if sid.Valid {
			e.SessionID = &sid.Int64
		}
		if err := checkShipped(e); err != nil {
			rows.Close()
			return 0, hSeq, false, err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, hSeq, false, err
	}
	var sessions []wireSession
	var tickets []wireTicket
	if len(evs) > 0 {
		first, last := evs[0].At, evs[len(evs)-1].At
		if sessions, err = readSessions(ctx, tx, first, last); err != nil {
			return 0, hSeq, false, err
		}
		if tickets, err = readTickets(ctx, tx, first, last); err != nil {
			return 0, hSeq, false, err
		}
	}
	tx.Rollback()

	ej, _ := json.Marshal(nonNil(evs))
	sj, _ := json.Marshal(nonNil(sessions))
	tj, _ := json.Marshal(nonNil(tickets))
	ptx, err := s.conn.Begin(ctx)
	if err != nil {
		return 0, hSeq, false, fmt.Errorf("fleet: %w", err)
	}
	defer ptx.Rollback(context.Background())
	var inserted int64
	problem, pSeq = nil, nil
	if err := ptx.QueryRow(ctx, `SELECT problem, problem_seq, head_seq, inserted FROM fleet.ingest($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)`,
		s.Kiosk, localHead, string(ej), string(sj), string(tj)).Scan(&problem, &pSeq, &head, &inserted); err != nil {
		return 0, hSeq, false, fmt.Errorf("fleet: sending a batch: %w", err)
	}
	if err := ptx.Commit(ctx); err != nil {
		return 0, hSeq, false, fmt.Errorf("fleet: committing a batch: %w", err)
	}
	if problem != nil {
		return 0, head, false, &RefusedError{Kiosk: s.Kiosk, Problem: *problem, Seq: deref(pSeq)}
	}
	return inserted, head, len(evs) > batch || (inserted > 0 && head < localHead), nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// checkShipped applies the store's privacy filter to an event before it
// leaves the kiosk: the detail must pass store.CheckDetail again.
func checkShipped(e wireEvent) error {
	dec := json.NewDecoder(strings.NewReader(e.DetailJSON))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("%w: event %d: detail is not a JSON object", store.ErrInvalid, e.Seq)
	}
	d := store.Detail{}
	for k, v := range raw {
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				return fmt.Errorf("%w: event %d: %q is not an integer", store.ErrInvalid, e.Seq, k)
			}
			d[k] = n
		case []any:
			l := make([]string, 0, len(x))
			for _, el := range x {
				sv, ok := el.(string)
				if !ok {
					return fmt.Errorf("%w: event %d: list %q", store.ErrInvalid, e.Seq, k)
				}
				l = append(l, sv)
			}
			d[k] = l
		default:
			d[k] = v
		}
	}
	if err := store.CheckDetail(d); err != nil {
		return fmt.Errorf("fleet: event %d not shipped: %w", e.Seq, err)
	}
	return nil
}

func checkCodes(vs ...string) error {
	for _, v := range vs {
		if v == "" {
			continue
		}
		if err := store.CheckValue("code", v); err != nil {
			return err
		}
	}
	return nil
}

// readSessions returns the sessions started or ended between first and last
// (stored timestamps): every change to a session is also an event then.
func readSessions(ctx context.Context, tx *sql.Tx, first, last string) ([]wireSession, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, started_at, ended_at, mode, outcome, services, profile, age_band
		FROM sessions WHERE (started_at BETWEEN ?1 AND ?2) OR (ended_at BETWEEN ?1 AND ?2) ORDER BY id`, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wireSession
	for rows.Next() {
		var w wireSession
		var ended, outcome, age sql.NullString
		if err := rows.Scan(&w.ID, &w.StartedAt, &ended, &w.Mode, &outcome, &w.Services, &w.Profile, &age); err != nil {
			return nil, err
		}
		w.EndedAt, w.Outcome, w.AgeBand = nullStr(ended), nullStr(outcome), nullStr(age)
		if err := checkCodes(w.Mode, outcome.String, w.Services, w.Profile, age.String); err != nil {
			return nil, fmt.Errorf("fleet: session %d not shipped: %w", w.ID, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// readTickets returns the tickets created or changed between first and last.
func readTickets(ctx context.Context, tx *sql.Tx, first, last string) ([]wireTicket, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, date, number, session_id, status, route, fee_yen, reasons, created_at, updated_at
		FROM tickets WHERE updated_at BETWEEN ?1 AND ?2 OR created_at BETWEEN ?1 AND ?2 ORDER BY id`, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wireTicket
	for rows.Next() {
		var w wireTicket
		var sid sql.NullInt64
		if err := rows.Scan(&w.ID, &w.Date, &w.Number, &sid, &w.Status, &w.Route, &w.FeeYen, &w.Reasons, &w.CreatedAt, &w.UpdatedAt); err != nil {
			return nil, err
		}
		if sid.Valid {
			w.SessionID = &sid.Int64
		}
		if err := checkCodes(w.Status, w.Route, w.Reasons); err != nil {
			return nil, fmt.Errorf("fleet: ticket %d not shipped: %w", w.ID, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func nullStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

// Backoff bounds for Run.
var (
	MinBackoff = time.Second
	MaxBackoff = 5 * time.Minute
)

// Run ships every interval until ctx ends, backing off (doubling from
// MinBackoff to MaxBackoff, with jitter) after a failure. A refused kiosk
// keeps asking at MaxBackoff until an operator clears it.
func (s *Shipper) Run(ctx context.Context, interval time.Duration) {
	defer s.Close()
	if interval <= 0 {
		interval = 10 * time.Second
	}
	backoff := MinBackoff
	for {
		_, err := s.ShipOnce(ctx)
		wait := interval
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, ErrRefused) {
				backoff = MaxBackoff
			}
			wait = backoff + time.Duration(rand.Int64N(int64(backoff)/4+1))
			backoff = min(backoff*2, MaxBackoff)
			if s.Log != nil {
				s.Log("fleet: %v (retry in %s)", err, wait.Round(time.Second))
			}
		} else {
			backoff = MinBackoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
