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
	_, err = tx.ExecContext(ctx,
		`INSERT INTO audit_events (seq, at, session_id, kind, detail_json, prev_hash, hash) VALUES (?,?,?,?,?,?,?)`,
		seq, at, nullInt(sessionID), kind, detailJSON, prev, h)
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
}

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
// hash chain from the latest retention checkpoint (or the genesis). A broken
// chain is not an error: the result says OK=false and names the first broken
// seq. The error is for failures to read.
func (s *Store) Verify(ctx context.Context) (VerifyResult, error) {
	var r VerifyResult
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = verifyTx(ctx, tx)
		return err
	})
	return r, err
}

func verifyTx(ctx context.Context, tx *sql.Tx) (VerifyResult, error) {
	r := VerifyResult{OK: true}
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
	rows, err := tx.QueryContext(ctx, `SELECT seq, at, session_id, kind, detail_json, prev_hash, hash FROM audit_events ORDER BY seq`)
	if err != nil {
		return r, fmt.Errorf("reading events: %w", err)
	}
	defer rows.Close()
	confirmed := r.Checkpoint == nil
	for rows.Next() {
		var (
			seq          int64
			sid          sql.NullInt64
			at, kind, dj string
			ph, h        string
		)
		if err := rows.Scan(&seq, &at, &sid, &kind, &dj, &ph, &h); err != nil {
			return r, fmt.Errorf("reading events: %w", err)
		}
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
		case RowHash(ph, seq, at, sid.Int64, kind, dj) != h:
			fail(seq, "hash of event %d does not match its content", seq)
		}
		if !r.OK {
			return r, nil
		}
		if !confirmed && kind == KindRetentionPurge {
			var d struct {
				Seq  int64  `json:"checkpoint_seq"`
				Hash string `json:"checkpoint_hash"`
			}
			confirmed = json.Unmarshal([]byte(dj), &d) == nil && d.Seq == r.Checkpoint.Seq && d.Hash == r.Checkpoint.Hash
		}
		r.Events++
		r.LastSeq, r.Head, prev = seq, h, h
		expect++
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("reading events: %w", err)
	}
	if !confirmed {
		fail(r.Checkpoint.Seq, "checkpoint at event %d is not recorded by a retention_purge event", r.Checkpoint.Seq)
	}
	return r, nil
}
