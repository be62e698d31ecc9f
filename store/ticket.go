package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// TicketStatus is where a ticket is in the clerk's queue.
type TicketStatus string

// Ticket statuses. waiting → called → approved|declined; approved → done;
// any status before done/declined → cancelled.
const (
	TicketWaiting   TicketStatus = "waiting"
	TicketCalled    TicketStatus = "called"
	TicketApproved  TicketStatus = "approved"
	TicketDeclined  TicketStatus = "declined"
	TicketDone      TicketStatus = "done"
	TicketCancelled TicketStatus = "cancelled"
)

// ticketMoves are the allowed status changes.
var ticketMoves = map[TicketStatus][]TicketStatus{
	TicketWaiting:  {TicketCalled, TicketApproved, TicketDeclined, TicketCancelled, TicketDone},
	TicketCalled:   {TicketWaiting, TicketApproved, TicketDeclined, TicketCancelled, TicketDone},
	TicketApproved: {TicketDone, TicketCancelled},
}

// Route is where a request is handled (policy's route).
type Route string

// Routes, as in `kioskctl policy check`.
const (
	RouteSelf     Route = "self"
	RouteApproval Route = "approval"
	RouteCounter  Route = "counter"
)

// TicketRequest is what the kiosk knows when it numbers a ticket.
type TicketRequest struct {
	SessionID    int64    // the session that made it; 0 for none
	Certificates []string // "sign", "auth"
	Purpose      string   // renew|new|reissue-lost|pin-reset|pin-change
	Route        Route
	FeeYen       int
	Reasons      []string // policy reason codes
}

// Ticket is one row of tickets.
type Ticket struct {
	ID           int64        `json:"id"`
	Date         string       `json:"date"`
	Number       int          `json:"number"`
	SessionID    int64        `json:"session_id,omitempty"`
	Status       TicketStatus `json:"status"`
	Certificates []string     `json:"certificates"`
	Purpose      string       `json:"purpose"`
	Route        Route        `json:"route"`
	FeeYen       int          `json:"fee_yen"`
	Reasons      []string     `json:"reasons"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	StaffID      string       `json:"staff_id,omitempty"` // last clerk to change it
}

// IssueTicket numbers a new waiting ticket: numbers start at 1 each local
// day and are unique per day.
func (s *Store) IssueTicket(ctx context.Context, r TicketRequest) (Ticket, error) {
	if len(r.Certificates) == 0 {
		return Ticket{}, fmt.Errorf("%w: ticket without certificates", ErrInvalid)
	}
	for _, c := range r.Certificates {
		if c != "sign" && c != "auth" {
			return Ticket{}, fmt.Errorf("%w: certificate %q (want sign or auth)", ErrInvalid, c)
		}
	}
	if err := checkCode("purpose", r.Purpose); err != nil {
		return Ticket{}, err
	}
	if r.Route != RouteSelf && r.Route != RouteApproval && r.Route != RouteCounter {
		return Ticket{}, fmt.Errorf("%w: route %q", ErrInvalid, r.Route)
	}
	if r.FeeYen < 0 || r.FeeYen > 100_000 {
		return Ticket{}, fmt.Errorf("%w: fee %d yen", ErrInvalid, r.FeeYen)
	}
	if err := checkReasons(r.Reasons); err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		day := now.In(JST).Format(dateLayout)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number),0)+1 FROM tickets WHERE date = ?`, day).Scan(&n); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO tickets (date, number, session_id, status, certificates, purpose, route, fee_yen, reasons, created_at, updated_at)
			 VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			day, n, nullInt(r.SessionID), string(TicketWaiting), join(r.Certificates), r.Purpose, string(r.Route),
			r.FeeYen, join(r.Reasons), ts(now), ts(now))
		if err != nil {
			return fmt.Errorf("issuing ticket: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		d := Detail{"ticket": n, "ticket_date": day, "certificates": r.Certificates, "purpose": r.Purpose,
			"route": string(r.Route), "fee_yen": r.FeeYen}
		if len(r.Reasons) > 0 {
			d["reasons"] = r.Reasons
		}
		if err := bind(ctx, tx, d, "tickets", idKey(id)); err != nil {
			return err
		}
		if err := s.appendDetail(ctx, tx, r.SessionID, KindTicketIssued, d); err != nil {
			return err
		}
		t, err = ticketTx(ctx, tx, id)
		return err
	})
	return t, err
}

// SetTicketStatus moves a ticket to status, by a clerk (staffID may be ""
// for the kiosk itself, e.g. a resident cancelling). Disallowed moves are
// ErrConflict. Approvals go through Decide, which also sets the status.
func (s *Store) SetTicketStatus(ctx context.Context, id int64, to TicketStatus, staffID string) error {
	if staffID != "" {
		if err := CheckStaffID(staffID); err != nil {
			return err
		}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return s.moveTicket(ctx, tx, id, to, staffID)
	})
}

func (s *Store) moveTicket(ctx context.Context, tx *sql.Tx, id int64, to TicketStatus, staffID string) error {
	if err := s.checkBy(ctx, tx, staffID, RoleClerk, ""); err != nil {
		return err
	}
	t, err := ticketTx(ctx, tx, id)
	if err != nil {
		return err
	}
	allowed := false
	for _, m := range ticketMoves[t.Status] {
		allowed = allowed || m == to
	}
	if !allowed {
		return fmt.Errorf("%w: ticket %s-%d is %s, cannot become %s", ErrConflict, t.Date, t.Number, t.Status, to)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = ?, updated_at = ?, staff_id = COALESCE(?, staff_id) WHERE id = ?`,
		string(to), ts(s.now()), nullStr(staffID), id); err != nil {
		return fmt.Errorf("updating ticket: %w", err)
	}
	d := Detail{"ticket": t.Number, "ticket_date": t.Date, "from": string(t.Status), "status": string(to)}
	if staffID != "" {
		d["staff_id"] = staffID
	}
	if err := bind(ctx, tx, d, "tickets", idKey(id)); err != nil {
		return err
	}
	return s.appendDetail(ctx, tx, t.SessionID, KindTicketStatus, d)
}

const ticketCols = `id, date, number, COALESCE(session_id,0), status, certificates, purpose, route, fee_yen, reasons, created_at, updated_at, COALESCE(staff_id,'')`

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var status, certs, route, reasons, created, updated string
	err := sc.Scan(&t.ID, &t.Date, &t.Number, &t.SessionID, &status, &certs, &t.Purpose, &route, &t.FeeYen, &reasons, &created, &updated, &t.StaffID)
	t.Status, t.Certificates, t.Route, t.Reasons = TicketStatus(status), split(certs), Route(route), split(reasons)
	t.CreatedAt, t.UpdatedAt = parseTS(created), parseTS(updated)
	return t, err
}

func ticketTx(ctx context.Context, tx *sql.Tx, id int64) (Ticket, error) {
	return found(scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id)))("ticket", id)
}

// Ticket returns one ticket by id.
func (s *Store) Ticket(ctx context.Context, id int64) (Ticket, error) {
	return readOne(ctx, s, func(tx *sql.Tx) (Ticket, error) { return ticketTx(ctx, tx, id) })
}

// Tickets lists the tickets of a local date (YYYY-MM-DD) by number, only
// those in the given statuses when any are given.
func (s *Store) Tickets(ctx context.Context, date string, statuses ...TicketStatus) ([]Ticket, error) {
	if _, err := ParseDate(date); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE date = ? ORDER BY number`, date)
	all, err := scanAll(rows, err, scanTicket)
	if err != nil || len(statuses) == 0 {
		return all, err
	}
	if out := slices.DeleteFunc(all, func(t Ticket) bool { return !slices.Contains(statuses, t.Status) }); len(out) > 0 {
		return out, nil
	}
	return nil, nil // as with no rows
}

// Decision is a clerk's answer on a ticket.
type Decision string

// Decisions.
const (
	Approve Decision = "approved"
	Decline Decision = "declined"
)

// Approval is a clerk's decision bound to a ticket and a card.
type Approval struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	CardRef   string    `json:"card_ref"` // see CardRef
	StaffID   string    `json:"staff_id"`
	Decision  Decision  `json:"decision"`
	Reason    string    `json:"reason,omitempty"`    // reason code when declined
	Documents []string  `json:"documents,omitempty"` // document codes checked
	At        time.Time `json:"at"`
}

// ErrApprovalMismatch is an approval checked against another card, or a
// ticket without an approval.
var ErrApprovalMismatch = errors.New("store: no approval for this ticket and card")

// Decide records a clerk's decision on a waiting or called ticket, bound to
// the card in the reader (cardRef), and moves the ticket to approved or
// declined. The clerk must be an enabled staff member. One decision per
// ticket: a second one is ErrConflict.
func (s *Store) Decide(ctx context.Context, a Approval) (Approval, error) {
	if a.Decision != Approve && a.Decision != Decline {
		return a, fmt.Errorf("%w: decision %q", ErrInvalid, a.Decision)
	}
	if err := checkCardRef(a.CardRef); err != nil {
		return a, err
	}
	if err := CheckStaffID(a.StaffID); err != nil {
		return a, err
	}
	if a.Reason != "" {
		if err := checkReasons([]string{a.Reason}); err != nil {
			return a, err
		}
	}
	if err := checkCodes("document", a.Documents); err != nil {
		return a, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, a.StaffID, RoleClerk, ""); err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM approvals WHERE ticket_id = ?`, a.TicketID).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return fmt.Errorf("%w: ticket %d already decided", ErrConflict, a.TicketID)
		}
		to := TicketApproved
		if a.Decision == Decline {
			to = TicketDeclined
		}
		if err := s.moveTicket(ctx, tx, a.TicketID, to, a.StaffID); err != nil {
			return err
		}
		now := s.now()
		res, err := tx.ExecContext(ctx,
			`INSERT INTO approvals (ticket_id, card_ref, staff_id, decision, reason, documents, at) VALUES (?,?,?,?,?,?,?)`,
			a.TicketID, a.CardRef, a.StaffID, string(a.Decision), a.Reason, join(a.Documents), ts(now))
		if err != nil {
			return fmt.Errorf("recording approval: %w", err)
		}
		a.ID, _ = res.LastInsertId()
		a.At = now.In(JST)
		t, err := ticketTx(ctx, tx, a.TicketID)
		if err != nil {
			return err
		}
		d := Detail{"ticket": t.Number, "ticket_date": t.Date, "decision": string(a.Decision), "staff_id": a.StaffID, "card_ref": a.CardRef}
		if a.Reason != "" {
			d["reason"] = a.Reason
		}
		if len(a.Documents) > 0 {
			d["documents"] = a.Documents
		}
		if err := bind(ctx, tx, d, "approvals", idKey(a.TicketID)); err != nil {
			return err
		}
		return s.appendDetail(ctx, tx, t.SessionID, KindApproval, d)
	})
	return a, err
}

// CheckApproval returns the approval of a ticket if it was approved for
// this card and the ticket is still approved (not done or cancelled); else
// ErrApprovalMismatch. Issuance calls it right before writing the card.
// The approval and ticket rows must match their audit events: a decision
// or status changed outside the kiosk is ErrApprovalMismatch and
// ErrTampered.
func (s *Store) CheckApproval(ctx context.Context, ticketID int64, cardRef string) (Approval, error) {
	var a Approval
	err := s.read(ctx, func(tx *sql.Tx) error {
		var decision, docs, at, status string
		err := tx.QueryRowContext(ctx,
			`SELECT a.id, a.ticket_id, a.card_ref, a.staff_id, a.decision, a.reason, a.documents, a.at, t.status
			 FROM approvals a JOIN tickets t ON t.id = a.ticket_id WHERE a.ticket_id = ?`, ticketID).
			Scan(&a.ID, &a.TicketID, &a.CardRef, &a.StaffID, &decision, &a.Reason, &docs, &at, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrApprovalMismatch
		}
		if err != nil {
			return err
		}
		a.Decision, a.Documents, a.At = Decision(decision), split(docs), parseTS(at)
		if a.Decision != Approve || a.CardRef != cardRef || TicketStatus(status) != TicketApproved {
			return ErrApprovalMismatch
		}
		for _, table := range []string{"approvals", "tickets"} {
			if err := s.checkBound(ctx, tx, table, idKey(ticketID)); err != nil {
				if errors.Is(err, ErrTampered) {
					return fmt.Errorf("%w: %w", ErrApprovalMismatch, err)
				}
				return err
			}
		}
		return nil
	})
	return a, err
}

// PendingApprovals lists the tickets of a date that wait for a clerk's
// decision (route approval or counter, waiting or called).
func (s *Store) PendingApprovals(ctx context.Context, date string) ([]Ticket, error) {
	ts, err := s.Tickets(ctx, date, TicketWaiting, TicketCalled)
	if err != nil {
		return nil, err
	}
	out := ts[:0]
	for _, t := range ts {
		if t.Route != RouteSelf {
			out = append(out, t)
		}
	}
	return out, nil
}
