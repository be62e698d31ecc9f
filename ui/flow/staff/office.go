package staff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Audit event kinds of staff actions (codes and IDs only, nothing personal).
const (
	// KindPrinterFault is a receipt that did not print (detail: the code).
	KindPrinterFault = "printer_fault"
	// KindKioskExit is a supervisor closing the kiosk.
	KindKioskExit = "kiosk_exit"
	// KindAuditExported is an export of this kiosk's audit trail.
	KindAuditExported = "audit_exported"
)

// ErrNoTicket: the resident's session holds no ticket.
var ErrNoTicket = errors.New("staff: the session has no ticket")

// Office is the staff screens' way to the kiosk's store: the resident's
// waiting ticket, a card's open proxy case, today's figures, the audit
// records of staff actions, settings and exports. The screens (package ui)
// import no store; every call returns its error for the screen to show.
type Office struct {
	st        *store.Store
	approvals *Approvals
}

// NewOffice serves the staff screens from st; ap is the approval book the
// flow's GuardedIssuer shares (nil makes one).
func NewOffice(st *store.Store, ap *Approvals) *Office {
	if ap == nil {
		ap = NewApprovals(st)
	}
	return &Office{st: st, approvals: ap}
}

// Approvals is the approval book.
func (o *Office) Approvals() *Approvals { return o.approvals }

// NewDesk is a staff session signing in against the store's staff table.
func (o *Office) NewDesk(now func() time.Time, timeout time.Duration) *Desk {
	return NewDesk(o.st, now, timeout)
}

// Counter is the counter-case book under profile p.
func (o *Office) Counter(p *policy.Profile) *Counter {
	return &Counter{Store: o.st, Approvals: o.approvals, Profile: p}
}

// Waiting is the resident's ticket as the staff screens show it.
type Waiting struct {
	ID      int64 // the store's ticket ID
	Number  int   // the number on the ticket
	Purpose string
	// Open: waiting or called — a clerk may still decide it.
	Open bool
}

// Waiting reads the ticket the resident's session s holds.
func (o *Office) Waiting(ctx context.Context, s flow.Snapshot) (Waiting, error) {
	if s.Ticket == nil {
		return Waiting{}, ErrNoTicket
	}
	id, err := strconv.ParseInt(s.Ticket.ID, 10, 64)
	if err != nil {
		return Waiting{}, fmt.Errorf("%w: ticket ID %q", ErrNoTicket, s.Ticket.ID)
	}
	t, err := o.st.Ticket(ctx, id)
	if err != nil {
		return Waiting{}, err
	}
	return Waiting{ID: t.ID, Number: t.Number, Purpose: t.Purpose,
		Open: t.Status == store.TicketWaiting || t.Status == store.TicketCalled}, nil
}

// OpenProxyCase reports when the card's latest open voluntary-proxy case
// was opened (the clerk resumes it at the second visit).
func (o *Office) OpenProxyCase(ctx context.Context, cardRef string) (opened time.Time, ok bool, err error) {
	cs, err := o.st.OpenProxyCases(ctx, cardRef)
	if err != nil || len(cs) == 0 {
		return time.Time{}, false, err
	}
	return cs[len(cs)-1].OpenedAt, true, nil
}

// RecordCardWork audits a finished piece of a counter case's card work: the
// PIN reset or the certificate written (never the PIN), and the clerk who
// handed the terminal over.
func (o *Office) RecordCardWork(ctx context.Context, w Work, staffID string) error {
	kind := store.KindPINReset
	if w.Purpose != policy.PurposePINReset {
		kind = store.KindCertificateWritten
	}
	_, err := o.st.Append(ctx, 0, kind, store.Detail{"cert": string(w.Cert), "card_ref": w.CardRef, "staff_id": staffID, "by": "counter"})
	return err
}

// RecordExit audits a supervisor's closing of the kiosk.
func (o *Office) RecordExit(ctx context.Context, staffID string) error {
	_, err := o.st.Append(ctx, 0, KindKioskExit, store.Detail{"staff_id": staffID})
	return err
}

// RecordPrinterFault audits a receipt that did not print.
func (o *Office) RecordPrinterFault(ctx context.Context, code string) error {
	_, err := o.st.Append(ctx, 0, KindPrinterFault, store.Detail{"code": code})
	return err
}

// ErrNotRecorded: an export was written but the audit trail could not
// record it; the path and count are still returned.
var ErrNotRecorded = errors.New("staff: export written, but not recorded in the audit trail")

// Export writes the audit trail of from..to as CSV to dir (ExportCSV) and
// records the export, by staffID, in the trail.
func (o *Office) Export(ctx context.Context, staffID, dir, from, to string) (string, int64, error) {
	path, n, err := ExportCSV(ctx, o.st, dir, from, to)
	if err != nil {
		return "", 0, err
	}
	if _, err := o.st.Append(ctx, 0, KindAuditExported, store.Detail{"staff_id": staffID, "events": n, "from_date": from, "to_date": to}); err != nil {
		return path, n, fmt.Errorf("%w: %w", ErrNotRecorded, err)
	}
	return path, n, nil
}

// ExportFleet writes every kiosk's events of from..to (ExportFleetCSV) and
// records the export in this kiosk's trail.
func (o *Office) ExportFleet(ctx context.Context, src FleetSource, staffID, dir, from, to string) (string, int64, error) {
	return ExportFleetCSV(ctx, src, o.st, staffID, dir, from, to)
}

// Today is the dashboard of a day, as the screen shows it.
type Today struct {
	Date             time.Time // midnight in Japan
	Sessions         int
	TicketsWaiting   int
	ApprovalsPending int
	PINLockouts      int
	StaffLockouts    int
	Hours            []Bar // sessions by hour, 8 to 18
	Outcomes         []Bar // ended sessions by outcome
}

// Today summarizes the day of now (in Japan).
func (o *Office) Today(ctx context.Context, now time.Time) (Today, error) {
	d := policy.DateOf(now)
	db, err := o.st.Dashboard(ctx, d.String())
	if err != nil {
		return Today{Date: d.At(0, 0)}, err
	}
	return Today{Date: d.At(0, 0), Sessions: db.Sessions, TicketsWaiting: db.TicketsWaiting, ApprovalsPending: db.ApprovalsPending,
		PINLockouts: db.PINLockouts, StaffLockouts: db.StaffLockouts, Hours: HourBars(db, 8, 18), Outcomes: OutcomeBars(db)}, nil
}

// SaveSettings validates and saves next over prev (SaveSettings).
func (o *Office) SaveSettings(ctx context.Context, prev, next Settings, available []string, by string) ([]string, error) {
	return SaveSettings(ctx, o.st, prev, next, available, by)
}
