package flow

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
)

// StoreRecorder is the Recorder port backed by package store: sessions,
// hash-chained audit events and numbered tickets. It remembers the services
// each open session used, for the session record.
type StoreRecorder struct {
	Store    *store.Store
	Profile  string // municipality profile code
	Terminal string // optional terminal code

	mu       sync.Mutex
	services map[int64][]string
	tickets  map[int64]int64 // session → its ticket's store ID
}

var _ Recorder = (*StoreRecorder)(nil)

// NewStoreRecorder records into s under profile.
func NewStoreRecorder(s *store.Store, profile, terminal string) *StoreRecorder {
	return &StoreRecorder{Store: s, Profile: profile, Terminal: terminal}
}

// SetProfile names the profile of the sessions started from now on.
func (r *StoreRecorder) SetProfile(code string) {
	r.mu.Lock()
	r.Profile = code
	r.mu.Unlock()
}

// StartSession opens a self-service session.
func (r *StoreRecorder) StartSession(ctx context.Context, _ time.Time) (string, error) {
	r.mu.Lock()
	prof := r.Profile
	r.mu.Unlock()
	id, err := r.Store.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: prof, Terminal: r.Terminal})
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

// Record appends one transition as an audit event. The event kind is one the
// dashboard knows where there is one (card_inserted, pin_locked, ...), else
// flow_transition; the detail holds the event and state codes.
func (r *StoreRecorder) Record(ctx context.Context, sessionID string, t Transition) error {
	id, err := strconv.ParseInt(sessionID, 10, 64)
	if err != nil {
		return fmt.Errorf("session id %q: %w", sessionID, err)
	}
	if svc := serviceCode(t.Service); svc != "" || t.To == StateStatus {
		if svc == "" {
			svc = "status"
		}
		r.mu.Lock()
		if r.services == nil {
			r.services = map[int64][]string{}
		}
		if !contains(r.services[id], svc) {
			r.services[id] = append(r.services[id], svc)
		}
		r.mu.Unlock()
	}
	if t.From == StateIssuing && (t.To == StateReceipt || t.To == StateFailed) {
		if err := r.closeTicket(ctx, id, t.To == StateReceipt); err != nil {
			return err
		}
	}
	d := store.Detail{"event": strings.ToLower(t.Kind), "from": strings.ToLower(t.From.String()), "to": strings.ToLower(t.To.String())}
	if svc := serviceCode(t.Service); svc != "" {
		d["service"] = svc
	}
	if len(t.Reasons) > 0 {
		d["reasons"] = append([]string(nil), t.Reasons...)
	}
	_, err = r.Store.Append(ctx, id, auditKind(t), d)
	return err
}

// auditKind picks the store's event kind for a transition.
func auditKind(t Transition) string {
	switch {
	case t.Kind == "CARD_INSERTED":
		return store.KindCardInserted
	case t.Kind == "CARD_REMOVED":
		return store.KindCardRemoved
	case t.To == StatePINLocked:
		// A lockout seen, whether the wrong entry was made here (a card
		// result) or the card came locked and a service found it (a tap):
		// the dashboard counts both.
		return store.KindPINLocked
	case t.Kind != "CARD_RESULT":
	case t.From == StateReading && t.To == StateStatus:
		return store.KindStatusRead
	case t.To == StatePINChanged:
		return store.KindPINChanged
	case t.To == StatePINChecked:
		return store.KindPINVerified
	case t.To == StateReceipt:
		return store.KindCertificateWritten
	case contains(t.Reasons, ErrCodePINIncorrect):
		return store.KindPINVerifyFailed
	}
	return "flow_transition"
}

// TakeTicket numbers a ticket for the session.
func (r *StoreRecorder) TakeTicket(ctx context.Context, sessionID string, req TicketRequest) (Ticket, error) {
	var id int64 // 0: no session record (the store could not open one)
	if sessionID != "" {
		var err error
		if id, err = strconv.ParseInt(sessionID, 10, 64); err != nil {
			return Ticket{}, fmt.Errorf("session id %q: %w", sessionID, err)
		}
	}
	tr := store.TicketRequest{SessionID: id, Purpose: req.Purpose, Route: store.Route(req.Route), FeeYen: req.FeeYen, Reasons: dedupe(req.Reasons)}
	for _, c := range req.Certs.Certs() {
		tr.Certificates = append(tr.Certificates, string(c))
	}
	t, err := r.Store.IssueTicket(ctx, tr)
	if err != nil {
		return Ticket{}, err
	}
	if id != 0 {
		r.mu.Lock()
		if r.tickets == nil {
			r.tickets = map[int64]int64{}
		}
		r.tickets[id] = t.ID
		r.mu.Unlock()
	}
	day, _ := store.ParseDate(t.Date)
	return Ticket{Number: t.Number, Day: day, ID: strconv.FormatInt(t.ID, 10)}, nil
}

// EndSession closes the session with the store's outcome for it.
func (r *StoreRecorder) EndSession(ctx context.Context, sessionID string, end SessionEnd) error {
	id, err := strconv.ParseInt(sessionID, 10, 64)
	if err != nil {
		return fmt.Errorf("session id %q: %w", sessionID, err)
	}
	r.mu.Lock()
	svcs := r.services[id]
	delete(r.services, id)
	delete(r.tickets, id)
	r.mu.Unlock()
	return r.Store.EndSession(ctx, id, store.SessionEnd{Outcome: StoreOutcome(end), Services: svcs})
}

// closeTicket ends the session's ticket when issuance ends, so that the
// clerk's queue does not keep it open: done when the certificates were
// written, cancelled when issuance failed (the approval cannot be used again;
// the failure screen sends the resident to the counter).
func (r *StoreRecorder) closeTicket(ctx context.Context, sessionID int64, ok bool) error {
	r.mu.Lock()
	tid, has := r.tickets[sessionID]
	delete(r.tickets, sessionID)
	r.mu.Unlock()
	if !has {
		return nil
	}
	to := store.TicketDone
	if !ok {
		to = store.TicketCancelled
	}
	return r.Store.SetTicketStatus(ctx, tid, to, "")
}

// StoreOutcome maps a flow session end to the store's outcome: what was
// achieved first, then how the session stopped.
func StoreOutcome(end SessionEnd) store.Outcome {
	switch end.Outcome {
	case OutcomeIssued, OutcomePINChanged, OutcomePINChecked, OutcomeSignExpiry, OutcomeStatus,
		OutcomeJuki, OutcomeUnknownCard, OutcomeNotEligible, OutcomeClosed:
		return store.OutcomeDone
	case OutcomeCounter, OutcomeWaiting, OutcomeDeclined:
		return store.OutcomeReferred
	case OutcomeFailed, OutcomeReadFailed:
		return store.OutcomeError
	}
	switch end.Reason {
	case EndCardRemoved:
		return store.OutcomeCardRemoved
	case EndTimeout:
		return store.OutcomeTimeout
	}
	return store.OutcomeCancelled
}

func serviceCode(s Service) string {
	if s == ServiceNone {
		return ""
	}
	return strings.ToLower(s.String())
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
