package staff

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// countKind counts the audit events of a kind.
func countKind(t *testing.T, s *store.Store, kind string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE kind = ?`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The office records what the staff screens do, and returns the store's
// errors instead of dropping them (issue 13: screens threw four away).
func TestOfficeRecordsAndReturnsErrors(t *testing.T) {
	c := newClock()
	s := newStore(t, c)
	ctx := context.Background()
	o := NewOffice(s, nil)

	if _, err := o.Waiting(ctx, flow.Snapshot{}); !errors.Is(err, ErrNoTicket) {
		t.Errorf("no ticket: %v", err)
	}
	tk, err := s.IssueTicket(ctx, store.TicketRequest{Certificates: []string{"auth"}, Purpose: "renew", Route: store.RouteApproval})
	if err != nil {
		t.Fatal(err)
	}
	w, err := o.Waiting(ctx, flow.Snapshot{Ticket: &flow.Ticket{ID: strconv.FormatInt(tk.ID, 10), Number: tk.Number}})
	if err != nil || w.ID != tk.ID || w.Purpose != "renew" || !w.Open {
		t.Errorf("waiting %+v, %v", w, err)
	}

	steps := []struct {
		kind string
		do   func() error
	}{
		{KindKioskExit, func() error { return o.RecordExit(ctx, "super1") }},
		{KindPrinterFault, func() error { return o.RecordPrinterFault(ctx, "PAPER_OUT") }},
		{store.KindPINReset, func() error {
			return o.RecordCardWork(ctx, Work{Cert: policy.CertAuth, Purpose: policy.PurposePINReset, CardRef: "auth:1"}, "clerk1")
		}},
		{KindAuditExported, func() error {
			_, _, err := o.Export(ctx, "super1", t.TempDir(), "2025-06-10", "2025-06-10")
			return err
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.kind, err)
		}
		if n := countKind(t, s, st.kind); n != 1 {
			t.Errorf("%d %s events, want 1", n, st.kind)
		}
	}
	today, err := o.Today(ctx, c.Now())
	if err != nil || today.Date.Format("2006-01-02") != "2025-06-10" || len(today.Hours) != 10 {
		t.Errorf("today %+v, %v", today, err)
	}

	s.Close() // the store fails from now on: every call says so
	for _, st := range steps {
		if err := st.do(); err == nil {
			t.Errorf("%s on a closed store: no error", st.kind)
		}
	}
	if _, _, err := o.OpenProxyCase(ctx, "auth:1"); err == nil {
		t.Error("open proxy case on a closed store: no error")
	}
}
