package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"regexp"
	"strconv"
	"time"
)

// Event kinds written by the store itself. Callers may use their own kinds
// (lower snake case); these are the ones the dashboard and the docs know.
const (
	KindSessionStarted     = "session_started"
	KindSessionEnded       = "session_ended"
	KindTicketIssued       = "ticket_issued"
	KindTicketStatus       = "ticket_status"
	KindApproval           = "approval_recorded"
	KindProxyCase          = "proxy_case"
	KindStaffAdded         = "staff_added"
	KindStaffPassword      = "staff_password_changed"
	KindStaffDisabled      = "staff_disabled"
	KindStaffEnabled       = "staff_enabled"
	KindStaffSignIn        = "staff_signin"
	KindStaffSignInFailed  = "staff_signin_failed"
	KindStaffLocked        = "staff_locked"
	KindSettingChanged     = "setting_changed"
	KindRetentionPurge     = "retention_purge"
	KindCardInserted       = "card_inserted"
	KindCardRemoved        = "card_removed"
	KindStatusRead         = "status_read"
	KindPINVerified        = "pin_verified"
	KindPINVerifyFailed    = "pin_verify_failed"
	KindPINLocked          = "pin_locked" // counted by the dashboard as a lockout seen
	KindPINChanged         = "pin_changed"
	KindPINReset           = "pin_reset"
	KindIssuanceStep       = "issuance_step"
	KindCertificateWritten = "certificate_written"
	KindFeeCharged         = "fee_charged"
)

// GenesisHash is the prev_hash of the first event: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,47}$`)

// Event is one row of audit_events.
type Event struct {
	Seq       int64           `json:"seq"`
	At        time.Time       `json:"at"`
	SessionID int64           `json:"session_id,omitempty"` // 0: not tied to a session
	Kind      string          `json:"kind"`
	Detail    json.RawMessage `json:"detail"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// Append adds an event to the audit trail and returns its seq. sessionID 0
// means none; otherwise the session must exist. detail is checked by
// CheckDetail: personal data is refused (ErrPersonalData) before anything is
// written. The event is durable when Append returns.
func (s *Store) Append(ctx context.Context, sessionID int64, kind string, detail Detail) (int64, error) {
	dj, err := encodeDetail(detail)
	if err != nil {
		return 0, err
	}
	if !kindRE.MatchString(kind) {
		return 0, fmt.Errorf("%w: event kind %q", ErrInvalid, kind)
	}
	var seq int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		if sessionID != 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sessions WHERE id = ?`, sessionID).Scan(&one); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("%w: session %d", ErrNotFound, sessionID)
				}
				return err
			}
		}
		var err error
		seq, err = s.appendTx(ctx, tx, sessionID, kind, dj)
		return err
	})
	return seq, err
}

// appendTx writes one event in tx with an already encoded, checked detail.
func (s *Store) appendTx(ctx context.Context, tx *sql.Tx, sessionID int64, kind, detailJSON string) (int64, error) {
	seq, prev, err := chainHead(ctx, tx)
	if err != nil {
		return 0, err
	}
	seq++
	at := ts(s.now())
	h := RowHash(prev, seq, at, sessionID, kind, detailJSON)
	var mac sql.NullString
	if s.key != nil {
		mac = sql.NullString{String: EventMAC(s.key, h), Valid: true}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO audit_events (seq, at, session_id, kind, detail_json, prev_hash, hash, mac) VALUES (?,?,?,?,?,?,?,?)`,
		seq, at, nullInt(sessionID), kind, detailJSON, prev, h, mac)
	if err != nil {
		return 0, fmt.Errorf("appending %s event: %w", kind, err)
	}
	return seq, nil
}

// appendDetail encodes d (checked) and appends it in tx.
func (s *Store) appendDetail(ctx context.Context, tx *sql.Tx, sessionID int64, kind string, d Detail) error {
	dj, err := encodeDetail(d)
	if err != nil {
		return err
	}
	_, err = s.appendTx(ctx, tx, sessionID, kind, dj)
	return err
}

// chainHead is the last seq and hash: of the last event, else of the last
// retention checkpoint, else (0, GenesisHash).
func chainHead(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, string, error) {
	var seq int64
	var h string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT seq, hash FROM checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&seq, &h)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, GenesisHash, nil
		}
	}
	if err != nil {
		return 0, "", fmt.Errorf("reading chain head: %w", err)
	}
	return seq, h, nil
}

// RowHash is the hash of one audit_events row:
//
//	hex(SHA-256(prev_hash || canonical row))
//
// where prev_hash is the previous row's hash as 64 lower-case hex characters
// (GenesisHash for the first row) and the canonical row is the netstrings
// ("<byte length>:<bytes>,") of seq (decimal), at (as stored), session_id
// (decimal, or empty when NULL), kind and detail_json (as stored), in that
// order.
func RowHash(prevHash string, seq int64, at string, sessionID int64, kind, detailJSON string) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	netstring(h, strconv.FormatInt(seq, 10))
	netstring(h, at)
	sid := ""
	if sessionID != 0 {
		sid = strconv.FormatInt(sessionID, 10)
	}
	netstring(h, sid)
	netstring(h, kind)
	netstring(h, detailJSON)
	return hex.EncodeToString(h.Sum(nil))
}

func netstring(h hash.Hash, v string) {
	h.Write(strconv.AppendInt(nil, int64(len(v)), 10))
	h.Write([]byte{':'})
	h.Write([]byte(v))
	h.Write([]byte{','})
}

// Serial formats a certificate serial number for an event detail: "0x"
// and lower-case hex, which the privacy checks accept at any length.
func Serial(n *big.Int) string {
	if n == nil {
		return ""
	}
	return "0x" + n.Text(16)
}

// CardRef is an opaque, non-personal reference to a card, for binding an
// approval or a proxy case to it: "cert:" and the first 16 bytes, in hex, of
// the SHA-256 of a certificate on the card (the user-authentication
// certificate holds no personal data). The kiosk itself binds with the card
// package's reference (card.Ref: "auth:<serial>" or "card:<hash of the
// token serialNumber>", docs/CARD.md); the store accepts either shape.
func CardRef(certDER []byte) string {
	sum := sha256.Sum256(certDER)
	return "cert:" + hex.EncodeToString(sum[:16])
}

// eventRow is one audit_events row as stored.
type eventRow struct {
	seq                 int64
	sid                 sql.NullInt64
	at, kind, dj, ph, h string
	mac                 sql.NullString
}

// eventRowCols are the columns eventRow.scan reads, then mac.
const eventRowCols = `seq, at, session_id, kind, detail_json, prev_hash, hash`

func (e *eventRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&e.seq, &e.at, &e.sid, &e.kind, &e.dj, &e.ph, &e.h, &e.mac)
}

// hashOK reports whether the stored hash is the hash of the row's content.
func (e *eventRow) hashOK() bool { return RowHash(e.ph, e.seq, e.at, e.sid.Int64, e.kind, e.dj) == e.h }

// Checkpoint is a retention checkpoint: the seq and hash of the last purged
// event. Verification of the remaining chain starts from it.
type Checkpoint struct {
	Seq          int64     `json:"seq"`
	Hash         string    `json:"hash"`
	At           time.Time `json:"at"`
	Cutoff       string    `json:"cutoff"`
	PurgedEvents int64     `json:"purged_events"`
}

// VerifyResult is the outcome of Verify.
type VerifyResult struct {
	OK             bool        `json:"ok"`
	Events         int64       `json:"events"`
	FirstSeq       int64       `json:"first_seq"`
	LastSeq        int64       `json:"last_seq"`
	Head           string      `json:"head"` // hash of the last event (record it to detect truncation)
	Checkpoint     *Checkpoint `json:"checkpoint"`
	FirstBrokenSeq int64       `json:"first_broken_seq,omitempty"`
	Problem        string      `json:"problem,omitempty"`

	KeyMissing bool `json:"key_missing,omitempty"` // the trail is keyed but the store has no key: continuity only
	Integrity
}

// Integrity is what Verify checks beyond the links of the chain: the macs,
// the bound rows and the sessions.
type Integrity struct {
	// Keyed: every mac from KeyedFromSeq on (0: no keyed event) was checked
	// with the audit key, named by KeyID. Without the key (KeyMissing, or
	// NoKey) only the continuity was checked: anyone who can write the file
	// could have recomputed it.
	Keyed        bool   `json:"keyed"`
	KeyedFromSeq int64  `json:"keyed_from_seq"`
	KeyID        string `json:"key_id,omitempty"`
	// RowsChecked staff, ticket and approval rows were compared with their
	// latest binding events; RowProblems names those that differ (at most
	// maxListed).
	RowsChecked int64    `json:"rows_checked"`
	RowProblems []string `json:"row_problems,omitempty"`
	// SessionsWithoutEvents counts the sessions no event names (the store
	// writes a session and its session_started event together, so each is a
	// trail cut short); the first maxListed ids are listed.
	SessionsWithoutEvents     int64   `json:"sessions_without_events"`
	SessionsWithoutEventsList []int64 `json:"sessions_without_events_list,omitempty"`
}

// maxListed bounds the rows and sessions a VerifyResult lists.
const maxListed = 20

// EventHash returns the stored hash of event seq; ErrNotFound when there is
// no such event (never written, or purged).
func (s *Store) EventHash(ctx context.Context, seq int64) (string, error) {
	var h string
	err := s.db.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = ?`, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return h, err
}

// Verify walks the audit trail in one snapshot and checks every link of the
// hash chain from the latest retention checkpoint (or the genesis), every
// mac with the audit key (when the store has it), every staff, ticket and
// approval row against its latest binding event, and that every session
// has events. A broken trail is not an error: the result says OK=false and
// names the problem (and the first broken seq for the chain). The error is
// for failures to read.
func (s *Store) Verify(ctx context.Context) (VerifyResult, error) {
	var r VerifyResult
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = s.verifyTx(ctx, tx)
		return err
	})
	return r, err
}

type binding struct {
	seq     int64
	rowHash string
}

func (s *Store) verifyTx(ctx context.Context, tx *sql.Tx) (VerifyResult, error) {
	r := VerifyResult{OK: true}
	r.Keyed = s.key != nil
	var macs macChecker
	if s.key != nil {
		r.KeyID = KeyID(s.key)
		macs = newMACChecker(s.key)
	}
	expect, prev := int64(1), GenesisHash
	var cp Checkpoint
	var cpAt string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash, at, cutoff, purged_events FROM checkpoints ORDER BY seq DESC LIMIT 1`).
		Scan(&cp.Seq, &cp.Hash, &cpAt, &cp.Cutoff, &cp.PurgedEvents)
	switch {
	case err == nil:
		cp.At = parseTS(cpAt)
		r.Checkpoint = &cp
		expect, prev = cp.Seq+1, cp.Hash
	case errors.Is(err, sql.ErrNoRows):
	default:
		return r, fmt.Errorf("reading checkpoint: %w", err)
	}
	r.Head = prev
	fail := func(seq int64, format string, a ...any) {
		r.OK, r.FirstBrokenSeq, r.Problem = false, seq, fmt.Sprintf(format, a...)
	}
	macCol := "mac"
	if !s.hasMAC {
		macCol = "NULL"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventRowCols+`, `+macCol+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return r, fmt.Errorf("reading events: %w", err)
	}
	defer rows.Close()
	confirmed := r.Checkpoint == nil
	bindings := map[string]binding{}
	sessions := map[int64]bool{}
	for rows.Next() {
		var e eventRow
		if err := e.scan(rows); err != nil {
			return r, fmt.Errorf("reading events: %w", err)
		}
		seq, sid, kind, dj, ph, h, mac := e.seq, e.sid, e.kind, e.dj, e.ph, e.h, e.mac
		if r.Events == 0 {
			r.FirstSeq = seq
		}
		switch {
		case seq != expect:
			fail(expect, "event %d is missing or out of order (found %d)", expect, seq)
		case ph != prev:
			fail(seq, "prev_hash of event %d does not match the hash of the event before", seq)
		case sid.Valid && sid.Int64 == 0:
			// The store writes "no session" as NULL, never 0, and the
			// canonical row tells them apart (docs/STORE.md: "" for NULL,
			// "0" for 0) — as the Python checker does.
			fail(seq, "session_id of event %d is 0, which the store never writes (NULL means no session)", seq)
		case !e.hashOK():
			fail(seq, "hash of event %d does not match its content", seq)
		case mac.Valid && r.KeyedFromSeq == 0 && s.key != nil &&
			seq != 1 && kind != KindChainKeyed && (r.Checkpoint == nil || seq != r.Checkpoint.Seq+1):
			// Keying starts at the genesis, at a chain_keyed marker, or (once
			// purged) at the first event kept: anywhere else, the macs
			// before it were stripped.
			fail(seq, "event %d is the first keyed event, but keying starts only at event 1 or a %s marker: the events before it were rewritten", seq, KindChainKeyed)
		case mac.Valid && s.key != nil && !macs.ok(h, mac.String):
			fail(seq, "mac of event %d does not match: the event was forged or rewritten, or the key (id %s) is not this database's", seq, r.KeyID)
		case !mac.Valid && r.KeyedFromSeq != 0 && s.key != nil:
			fail(seq, "event %d has no mac though the trail is keyed from event %d: it was written without the key", seq, r.KeyedFromSeq)
		}
		if !r.OK {
			return r, nil
		}
		if mac.Valid && r.KeyedFromSeq == 0 {
			r.KeyedFromSeq = seq
		}
		if !confirmed && kind == KindRetentionPurge {
			var d struct {
				Seq    int64  `json:"checkpoint_seq"`
				Hash   string `json:"checkpoint_hash"`
				Cutoff string `json:"cutoff"`
			}
			confirmed = json.Unmarshal([]byte(dj), &d) == nil && d.Seq == r.Checkpoint.Seq && d.Hash == r.Checkpoint.Hash &&
				d.Cutoff == r.Checkpoint.Cutoff
		}
		if b, rh := bindOf(dj); b != "" {
			bindings[b] = binding{seq, rh}
		}
		if sid.Valid {
			sessions[sid.Int64] = true
		}
		r.Events++
		r.LastSeq, r.Head, prev = seq, h, h
		expect++
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("reading events: %w", err)
	}
	if !confirmed {
		// A purge records its checkpoint in a (keyed) retention_purge event
		// in the same transaction: a checkpoint without one, or events
		// deleted through an opened purge gate, is a break.
		fail(r.Checkpoint.Seq, "checkpoint at event %d is not recorded by a retention_purge event", r.Checkpoint.Seq)
		return r, nil
	}
	if s.key != nil && r.Events > 0 && r.KeyedFromSeq == 0 {
		fail(r.FirstSeq, "no event is keyed: the trail was rewritten without the key (or the kiosk has not run since the key was made)")
		return r, nil
	}
	if s.key == nil && r.KeyedFromSeq != 0 {
		r.KeyMissing = true
	}
	if err := s.verifyRows(ctx, tx, &r, bindings); err != nil {
		return r, err
	}
	if err := verifySessions(ctx, tx, &r, sessions); err != nil {
		return r, err
	}
	return r, nil
}

// verifyRows compares every staff, ticket and approval row with its latest
// binding event. A trail that binds nothing and is not keyed, verified
// without a key (a database of before the key), is not checked.
func (s *Store) verifyRows(ctx context.Context, tx *sql.Tx, r *VerifyResult, bindings map[string]binding) error {
	if len(bindings) == 0 && r.KeyedFromSeq == 0 && s.key == nil {
		return nil
	}
	for _, b := range boundTables {
		n := columnCount(b.all)
		rows, err := tx.QueryContext(ctx, b.all+` ORDER BY `+b.key)
		if err != nil {
			return fmt.Errorf("reading %s: %w", b.name, err)
		}
		for rows.Next() {
			k, h, err := scanBound(b, rows, n)
			if err != nil {
				rows.Close()
				return fmt.Errorf("reading %s: %w", b.name, err)
			}
			r.RowsChecked++
			var problem string
			switch e, ok := bindings[b.prefix+k]; {
			case !ok:
				problem = fmt.Sprintf("%s %s has no audit event: it was added outside the kiosk (or its events were deleted)", b.name, k)
			case e.rowHash != h:
				problem = fmt.Sprintf("%s %s differs from its audit event %d: it was changed outside the kiosk", b.name, k, e.seq)
			}
			if problem != "" {
				if r.OK {
					r.OK, r.Problem = false, problem
				}
				if len(r.RowProblems) < maxListed {
					r.RowProblems = append(r.RowProblems, problem)
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("reading %s: %w", b.name, err)
		}
	}
	return nil
}

// verifySessions lists the sessions that no remaining event names.
func verifySessions(ctx context.Context, tx *sql.Tx, r *VerifyResult, seen map[int64]bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM sessions ORDER BY id`)
	if err != nil {
		return fmt.Errorf("reading sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("reading sessions: %w", err)
		}
		if seen[id] {
			continue
		}
		r.SessionsWithoutEvents++
		if len(r.SessionsWithoutEventsList) < maxListed {
			r.SessionsWithoutEventsList = append(r.SessionsWithoutEventsList, id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading sessions: %w", err)
	}
	if r.SessionsWithoutEvents > 0 && r.OK {
		r.OK = false
		r.Problem = fmt.Sprintf("%d sessions have no events (first: session %d): their events were deleted", r.SessionsWithoutEvents, r.SessionsWithoutEventsList[0])
	}
	return nil
}
