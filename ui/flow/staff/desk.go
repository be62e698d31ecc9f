// Package staff is the clerk's side of the kiosk, in pure Go (no Fyne): the
// staff sign-in session with its own timeout, approvals bound to a ticket
// and a card, counter cases with their document checklists (legal
// representatives, voluntary proxies over two visits, under-15s and adult
// wards, reissue after loss, PIN reset after lockout), the dashboard's chart
// data, the audit export and the kiosk settings.
//
// The rules stay in package policy (documents, identity checks, fees,
// visits); the records go to package store. Screens in package ui render what
// this package answers and never see a resident's PIN: a PIN reset takes the
// new PIN from the resident's keypad straight to the card port.
package staff

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
)

// Authenticator checks staff credentials (*store.Store does).
type Authenticator interface {
	SignIn(ctx context.Context, id string, password []byte) (store.Staff, error)
}

// Clerk is the signed-in staff member.
type Clerk struct {
	ID    string
	Role  store.Role
	Since time.Time
}

// DefaultStaffTimeout is how long a staff session lasts without activity.
const DefaultStaffTimeout = 3 * time.Minute

// Sign-in error codes (SignInError.Code), translated by the UI as
// staff.signin.error.CODE.
const (
	SignInBadCredentials = "BAD_CREDENTIALS"
	SignInLocked         = "LOCKED"
	SignInMissing        = "MISSING"
	SignInFailed         = "FAILED"
)

// SignInError is a refused sign-in. Until is set for a lockout.
type SignInError struct {
	Code  string
	Until time.Time
	Err   error
}

func (e *SignInError) Error() string { return "staff sign-in: " + e.Code }

// Unwrap returns the store's error.
func (e *SignInError) Unwrap() error { return e.Err }

// Desk is the staff session of one kiosk terminal: who is signed in and
// until when. It is safe for concurrent use.
type Desk struct {
	auth    Authenticator
	now     func() time.Time
	mu      sync.Mutex
	timeout time.Duration
	clerk   *Clerk
	last    time.Time
}

// NewDesk makes a desk. now defaults to time.Now and timeout to
// DefaultStaffTimeout.
func NewDesk(auth Authenticator, now func() time.Time, timeout time.Duration) *Desk {
	if now == nil {
		now = time.Now
	}
	if timeout <= 0 {
		timeout = DefaultStaffTimeout
	}
	return &Desk{auth: auth, now: now, timeout: timeout}
}

// SignIn checks the credentials and opens the staff session. It wipes
// password whatever the result. Errors are *SignInError.
func (d *Desk) SignIn(ctx context.Context, id string, password []byte) (Clerk, error) {
	defer wipe(password)
	if id == "" || len(password) == 0 {
		return Clerk{}, &SignInError{Code: SignInMissing}
	}
	st, err := d.auth.SignIn(ctx, id, password)
	if err != nil {
		var le *store.LockedError
		switch {
		case errors.As(err, &le):
			return Clerk{}, &SignInError{Code: SignInLocked, Until: le.Until, Err: err}
		case errors.Is(err, store.ErrStaffLocked):
			return Clerk{}, &SignInError{Code: SignInLocked, Err: err}
		case errors.Is(err, store.ErrBadCredentials), errors.Is(err, store.ErrInvalid):
			return Clerk{}, &SignInError{Code: SignInBadCredentials, Err: err}
		}
		return Clerk{}, &SignInError{Code: SignInFailed, Err: err}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	c := Clerk{ID: st.ID, Role: st.Role, Since: now}
	d.clerk, d.last = &c, now
	return c, nil
}

// SignOut ends the staff session.
func (d *Desk) SignOut() {
	d.mu.Lock()
	d.clerk = nil
	d.mu.Unlock()
}

// Clerk returns the signed-in clerk; false when nobody is, or the session
// timed out (which also signs out).
//
// Every call re-reads the account where the authenticator can (a
// StaffReader): a clerk disabled, locked or demoted after signing in is
// signed out at the next staff action, not at the timeout.
func (d *Desk) Clerk() (Clerk, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expireLocked()
	if d.clerk == nil {
		return Clerk{}, false
	}
	if r, ok := d.auth.(StaffReader); ok {
		st, err := r.StaffMember(context.Background(), d.clerk.ID)
		if err != nil || st.Disabled || st.Locked(d.now()) || st.Role != d.clerk.Role {
			d.clerk = nil
			return Clerk{}, false
		}
	}
	return *d.clerk, true
}

// StaffReader is implemented by an Authenticator that can re-read an
// account (the store); the desk then re-checks the clerk on every action.
type StaffReader interface {
	StaffMember(ctx context.Context, id string) (store.Staff, error)
}

// Touch records the clerk's activity, pushing the timeout back.
func (d *Desk) Touch() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expireLocked()
	if d.clerk != nil {
		d.last = d.now()
	}
}

// Expire signs out a clerk idle for longer than the timeout; it reports
// whether it did (the UI then leaves the staff screens).
func (d *Desk) Expire() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.expireLocked()
}

func (d *Desk) expireLocked() bool {
	if d.clerk != nil && d.now().Sub(d.last) >= d.timeout {
		d.clerk = nil
		return true
	}
	return false
}

// Remaining is how long the staff session lasts without activity (0 when
// nobody is signed in).
func (d *Desk) Remaining() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clerk == nil {
		return 0
	}
	return max(0, d.timeout-d.now().Sub(d.last))
}

// SetTimeout changes the staff session timeout (a setting) at run time.
func (d *Desk) SetTimeout(t time.Duration) {
	if t <= 0 {
		return
	}
	d.mu.Lock()
	d.timeout = t
	d.mu.Unlock()
}

// Timeout returns the staff session timeout.
func (d *Desk) Timeout() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.timeout
}

// Can reports whether the signed-in clerk has at least role min.
func (d *Desk) Can(min store.Role) bool {
	c, ok := d.Clerk()
	return ok && c.Role.AtLeast(min)
}

// CanExit reports whether the signed-in clerk may close the kiosk
// (supervisor or admin).
func (d *Desk) CanExit() bool { return d.Supervisor() }

// Supervisor reports whether a supervisor (or admin) is signed in.
func (d *Desk) Supervisor() bool { return d.Can(store.RoleSupervisor) }

// Supervisor reports whether the clerk has a supervisor's role or above.
func (c Clerk) Supervisor() bool { return c.Role.AtLeast(store.RoleSupervisor) }

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
