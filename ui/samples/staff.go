package samples

import (
	"context"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// StaffDay is a throw-away store of one sample day for staff mode: sample
// sessions, a supervisor who can sign in, and a ticket waiting for approval.
type StaffDay struct {
	Store   *store.Store
	Profile *policy.Profile
	// At is the store's fixed clock (Now).
	At time.Time
	// Clerk and Password sign the supervisor in.
	Clerk    string
	Password []byte
	// Ticket is the ticket waiting for approval.
	Ticket flow.Ticket
}

// Now is the day's fixed clock.
func (d *StaffDay) Now() time.Time { return d.At }

// Close closes the store.
func (d *StaffDay) Close() error { return d.Store.Close() }

// NoWork is card work that does nothing (screenshots only).
type NoWork struct{}

// ResetPIN does nothing.
func (NoWork) ResetPIN(context.Context, staff.Work, []byte) error { return nil }

// Issue does nothing.
func (NoWork) Issue(context.Context, staff.Work, []byte) error { return nil }

// OpenStaffDay makes a StaffDay in dir.
func OpenStaffDay(dir string) (*StaffDay, error) {
	d := &StaffDay{At: time.Date(2026, 11, 20, 14, 5, 0, 0, store.JST), Clerk: "demo", Password: []byte("demo-password-1")}
	st, err := store.Open(filepath.Join(dir, "staff-samples.db"), store.Options{Now: d.Now,
		Argon2: &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}})
	if err != nil {
		return nil, err
	}
	d.Store = st
	if err := d.fill(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	return d, nil
}

func (d *StaffDay) fill(ctx context.Context) error {
	st := d.Store
	if err := st.AddStaff(ctx, d.Clerk, store.RoleSupervisor, d.Password, ""); err != nil {
		return err
	}
	// Some sessions of the day, by hour and outcome (the store's clock is fixed,
	// so they are all at 14:05; the chart still shows its shape).
	for i, o := range []store.Outcome{store.OutcomeDone, store.OutcomeDone, store.OutcomeDone, store.OutcomeReferred, store.OutcomeTimeout, store.OutcomeCardRemoved} {
		id, err := st.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: "kakamigahara"})
		if err == nil {
			if i == 4 {
				_, _ = st.Append(ctx, id, store.KindPINLocked, store.Detail{"cert": "auth"})
			}
			_ = st.EndSession(ctx, id, store.SessionEnd{Outcome: o})
		}
	}
	tk, err := st.IssueTicket(ctx, store.TicketRequest{Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: store.RouteApproval})
	if err != nil {
		return err
	}
	d.Ticket = flow.Ticket{Number: tk.Number, ID: strconv.FormatInt(tk.ID, 10)}
	d.Profile, err = policy.LoadProfile("kakamigahara")
	return err
}
