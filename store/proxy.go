package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ProxyState is where a voluntary-proxy case is. The case spans two visits:
// first_visit (application taken) → letter_sent (inquiry letter mailed to
// the holder) → completed (second visit with the answer), or cancelled.
type ProxyState string

// Proxy case states.
const (
	ProxyFirstVisit ProxyState = "first_visit"
	ProxyLetterSent ProxyState = "letter_sent"
	ProxyCompleted  ProxyState = "completed"
	ProxyCancelled  ProxyState = "cancelled"
)

var proxyMoves = map[ProxyState][]ProxyState{
	ProxyFirstVisit: {ProxyLetterSent, ProxyCancelled},
	ProxyLetterSent: {ProxyCompleted, ProxyCancelled},
}

// ProxyCase is one row of proxy_cases. It holds no personal data: the
// holder is known only by CardRef and the letter by an office reference.
type ProxyCase struct {
	ID                 int64      `json:"id"`
	Purpose            string     `json:"purpose"`      // new|pin-reset|renew
	Certificates       []string   `json:"certificates"` // sign, auth
	CardRef            string     `json:"card_ref"`
	State              ProxyState `json:"state"`
	Documents          []string   `json:"documents"`            // document codes checked so far
	LetterRef          string     `json:"letter_ref,omitempty"` // the office's reference for the inquiry letter
	OpenedAt           time.Time  `json:"opened_at"`
	LetterSentAt       time.Time  `json:"letter_sent_at"`
	ClosedAt           time.Time  `json:"closed_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	OpenedSessionID    int64      `json:"opened_session_id,omitempty"`
	CompletedSessionID int64      `json:"completed_session_id,omitempty"`
	StaffID            string     `json:"staff_id"` // clerk who opened it
}

// OpenProxyCase records the first visit of a voluntary proxy. Only Purpose,
// Certificates, CardRef, Documents, OpenedSessionID and StaffID are read.
func (s *Store) OpenProxyCase(ctx context.Context, c ProxyCase) (int64, error) {
	if err := checkCode("purpose", c.Purpose); err != nil {
		return 0, err
	}
	for _, x := range c.Certificates {
		if x != "sign" && x != "auth" {
			return 0, fmt.Errorf("%w: certificate %q", ErrInvalid, x)
		}
	}
	if err := checkCardRef(c.CardRef); err != nil {
		return 0, err
	}
	if err := checkCodes("document", c.Documents); err != nil {
		return 0, err
	}
	if err := CheckStaffID(c.StaffID); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := ts(s.now())
		res, err := tx.ExecContext(ctx,
			`INSERT INTO proxy_cases (purpose, certificates, card_ref, state, documents, opened_at, updated_at, opened_session_id, staff_id)
			 VALUES (?,?,?,?,?,?,?,?,?)`,
			c.Purpose, join(c.Certificates), c.CardRef, string(ProxyFirstVisit), join(c.Documents), now, now,
			nullInt(c.OpenedSessionID), c.StaffID)
		if err != nil {
			return fmt.Errorf("opening proxy case: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendDetail(ctx, tx, c.OpenedSessionID, KindProxyCase, Detail{
			"case": id, "state": string(ProxyFirstVisit), "purpose": c.Purpose, "card_ref": c.CardRef, "staff_id": c.StaffID,
		})
	})
	return id, err
}

// ProxyStep is a state change of a proxy case.
type ProxyStep struct {
	To        ProxyState
	StaffID   string
	SessionID int64    // the session of the second visit (completed)
	LetterRef string   // with letter_sent: the letter's office reference
	Documents []string // document codes checked at this step (added to the case's)
}

// AdvanceProxyCase moves a case along first_visit → letter_sent → completed
// (or to cancelled). Other moves are ErrConflict.
func (s *Store) AdvanceProxyCase(ctx context.Context, id int64, st ProxyStep) error {
	if err := CheckStaffID(st.StaffID); err != nil {
		return err
	}
	if st.LetterRef != "" {
		if err := CheckValue("letter_ref", st.LetterRef); err != nil {
			return err
		}
	}
	if err := checkCodes("document", st.Documents); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, st.StaffID, RoleClerk, ""); err != nil {
			return err
		}
		c, err := proxyTx(ctx, tx, id)
		if err != nil {
			return err
		}
		ok := false
		for _, m := range proxyMoves[c.State] {
			ok = ok || m == st.To
		}
		if !ok {
			return fmt.Errorf("%w: proxy case %d is %s, cannot become %s", ErrConflict, id, c.State, st.To)
		}
		now := ts(s.now())
		docs := c.Documents
		for _, d := range st.Documents {
			if !contains(docs, d) {
				docs = append(docs, d)
			}
		}
		q := `UPDATE proxy_cases SET state = ?, documents = ?, updated_at = ?`
		args := []any{string(st.To), join(docs), now}
		switch st.To {
		case ProxyLetterSent:
			q += `, letter_sent_at = ?, letter_ref = ?`
			args = append(args, now, st.LetterRef)
		case ProxyCompleted, ProxyCancelled:
			q += `, closed_at = ?, completed_session_id = ?`
			args = append(args, now, nullInt(st.SessionID))
		}
		if _, err := tx.ExecContext(ctx, q+` WHERE id = ?`, append(args, id)...); err != nil {
			return fmt.Errorf("updating proxy case: %w", err)
		}
		d := Detail{"case": id, "from": string(c.State), "state": string(st.To), "staff_id": st.StaffID}
		if st.LetterRef != "" {
			d["letter_ref"] = st.LetterRef
		}
		return s.appendDetail(ctx, tx, st.SessionID, KindProxyCase, d)
	})
}

const proxyCols = `id, purpose, certificates, card_ref, state, documents, letter_ref, opened_at, COALESCE(letter_sent_at,''),
	COALESCE(closed_at,''), updated_at, COALESCE(opened_session_id,0), COALESCE(completed_session_id,0), staff_id`

func scanProxy(sc interface{ Scan(...any) error }) (ProxyCase, error) {
	var c ProxyCase
	var certs, state, docs, opened, sent, closed, updated string
	err := sc.Scan(&c.ID, &c.Purpose, &certs, &c.CardRef, &state, &docs, &c.LetterRef, &opened, &sent, &closed, &updated,
		&c.OpenedSessionID, &c.CompletedSessionID, &c.StaffID)
	c.Certificates, c.State, c.Documents = split(certs), ProxyState(state), split(docs)
	c.OpenedAt, c.LetterSentAt, c.ClosedAt, c.UpdatedAt = parseTS(opened), parseTS(sent), parseTS(closed), parseTS(updated)
	return c, err
}

func proxyTx(ctx context.Context, tx *sql.Tx, id int64) (ProxyCase, error) {
	return found(scanProxy(tx.QueryRowContext(ctx, `SELECT `+proxyCols+` FROM proxy_cases WHERE id = ?`, id)))("proxy case", id)
}

// ProxyCase returns one case.
func (s *Store) ProxyCase(ctx context.Context, id int64) (ProxyCase, error) {
	return readOne(ctx, s, func(tx *sql.Tx) (ProxyCase, error) { return proxyTx(ctx, tx, id) })
}

// OpenProxyCases lists the cases not yet completed or cancelled, oldest
// first; with a non-empty cardRef only that card's (for the second visit).
func (s *Store) OpenProxyCases(ctx context.Context, cardRef string) ([]ProxyCase, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+proxyCols+` FROM proxy_cases
		WHERE state IN ('first_visit','letter_sent') AND (? = '' OR card_ref = ?) ORDER BY id`, cardRef, cardRef)
	return scanAll(rows, err, scanProxy)
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
