package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// staffLocked asserts that nothing of staff mode is open: no session, and
// every way into the staff screens (the staff key, a direct Show of the
// menu, the settings and the exit) lands on the sign-in.
func (r *staffRig) staffLocked() {
	r.t.Helper()
	if c, ok := r.desk.Desk().Clerk(); ok {
		r.t.Fatalf("staff session of %s still open on %s", c.ID, r.k.ScreenID())
	}
	back := r.k.ScreenID()
	for _, id := range []string{idStaffMenu, idStaffSettings, idStaffExit, idStaffDashboard, idStaffCase} {
		r.k.Show(id)
		r.screen(idStaffSignIn)
		r.tap("staff.cancel")
	}
	r.k.staff(StaffMenu) // F12 / hidden corner
	r.screen(idStaffSignIn)
	r.tap("staff.cancel")
	if r.k.ScreenID() != back && !ResidentHeld(back) {
		r.t.Fatalf("back on %s, was %s", r.k.ScreenID(), back)
	}
}

// pinResetCase opens an approved PIN-reset counter case for a locked
// authentication PIN, signed in as a supervisor, and hands it over.
func pinResetCase(t *testing.T, r *staffRig) {
	t.Helper()
	r.openCase("super1")
	r.tap("staff.kind.pin_reset")
	r.tap("staff.case.open")
	r.tap("staff.doc.HOLDER_IDENTITY.health_insurance")
	r.tap("staff.doc.HOLDER_IDENTITY.pension_book")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.case.approve")
	r.tap("staff.case.hand_over")
	r.screen(idStaffPIN)
}

func lockedSnap() flow.Snapshot {
	s := statusSnap()
	s.Auth.Serial = "0C0FFEE"
	s.Tries.Auth, s.Locked = 0, []flow.PIN{flow.PINAuth}
	return s
}

// Staff mode ends on every hand-over to the resident (issue 10: a resident
// reached the supervisor's menu after a counter PIN reset by tapping
// "cancel" and then "staff menu").
func TestStaffSessionEndsOnEveryHandOver(t *testing.T) {
	t.Run("counter PIN reset, resident cancels", func(t *testing.T) {
		r := newStaffRig(t, "moriya", lockedSnap())
		pinResetCase(t, r)
		if _, ok := r.desk.Desk().Clerk(); ok {
			t.Fatal("the supervisor's session stays open while the resident types the PIN")
		}
		r.tap("staff.pin.cancel")
		// The case screen is the clerk's: it asks for the sign-in first.
		r.screen(idStaffSignIn)
		if r.k.Button("staff.tile.settings") != nil || r.k.Button("staff.menu") != nil {
			t.Fatal("staff menu reachable after the resident cancelled")
		}
		r.tap("staff.cancel")
		r.staffLocked()
		// The clerk signs in again and is back at the case.
		r.k.Show(idStaffCase)
		r.signIn("clerk1", staffPW)
		r.screen(idStaffCase)
		r.tap("staff.case.hand_over")
		r.screen(idStaffPIN)
		r.staffLocked()
	})
	t.Run("counter PIN reset, finished", func(t *testing.T) {
		r := newStaffRig(t, "moriya", lockedSnap())
		pinResetCase(t, r)
		r.typePIN("1357")
		r.typePIN("1357")
		r.see(r.tr("staff.pin.done_lead"))
		r.s.events = nil
		r.tap("staff.pin.finish")
		if ResidentHeld(r.k.ScreenID()) == false {
			t.Fatalf("after the case: %s", r.k.ScreenID())
		}
		// The card was reset: the flow reads it again (3 tries, not locked).
		if len(r.s.events) == 0 || r.s.events[len(r.s.events)-1] != (flow.CardReread{}) {
			t.Fatalf("no re-read after the reset: %v", r.s.events)
		}
		r.staffLocked()
	})
	t.Run("counter PIN reset, card pulled", func(t *testing.T) {
		r := newStaffRig(t, "moriya", lockedSnap())
		pinResetCase(t, r)
		r.work.fail = errors.New("card removed")
		r.typePIN("1357")
		r.typePIN("1357")
		r.see(r.tr("staff.pin.error.CARD"))
		if r.k.Button("staff.menu") != nil {
			t.Fatal("the failed PIN entry offers the staff menu to the resident")
		}
		r.tap("staff.pin.cancel")
		r.screen(idStaffSignIn)
		r.tap("staff.cancel")
		r.staffLocked()
	})
	t.Run("approval", func(t *testing.T) {
		r, _ := approvalBy(t, "super1")
		r.tap("staff.id." + string(policy.IDMyNumberCard))
		r.k.Screen().(*staffApprove).ExpiryEntry().SetText("2034-03-31")
		r.tap("staff.approve")
		r.staffLocked()
	})
	t.Run("decline", func(t *testing.T) {
		r, _ := approvalBy(t, "super1")
		r.tap("staff.decline")
		r.tap("staff.reason.DOCUMENTS_MISSING")
		r.staffLocked()
	})
	t.Run("timeout", func(t *testing.T) {
		r := newStaffRig(t, "moriya", statusSnap())
		r.k.staff(StaffMenu)
		r.signIn("super1", staffPW)
		r.screen(idStaffMenu)
		r.clock.Add(staff.DefaultStaffTimeout + time.Second)
		if !r.desk.CheckTimeout() {
			t.Fatal("no timeout")
		}
		r.staffLocked()
	})
	t.Run("resident screen shown under an open session", func(t *testing.T) {
		// Whatever path shows a resident screen (a card removed or
		// inserted, a new snapshot), the session ends with it.
		r := newStaffRig(t, "moriya", statusSnap())
		r.k.staff(StaffMenu)
		r.signIn("super1", staffPW)
		r.k.ShowFlow()
		r.staffLocked()
	})
	t.Run("sign-out and cancel", func(t *testing.T) {
		r := newStaffRig(t, "moriya", statusSnap())
		r.k.staff(StaffMenu)
		r.signIn("super1", staffPW)
		r.tap("staff.signout")
		r.staffLocked()
		r.k.staff(StaffMenu)
		r.tap("staff.cancel")
		r.staffLocked()
	})
}

// The card-face expiry is required when a new certificate could outlast the
// card, and errors clear once resolved.
func TestStaffApproveRequiresCardExpiry(t *testing.T) {
	r, _ := approvalBy(t, "clerk1")
	r.tap("staff.approve")
	r.see(r.tr("staff.approve.error.identity"))
	r.tap("staff.id." + string(policy.IDMyNumberCard))
	if strings.Contains(r.texts(), r.tr("staff.approve.error.identity")) {
		t.Error("the identity error stays after the ID was ticked")
	}
	r.tap("staff.approve") // no card-face expiry
	r.see(r.tr("staff.approve.error.expiry_required"))
	if _, ok := r.s.events[len(r.s.events)-1].(flow.StaffApproved); ok {
		t.Fatal("approved without the card-face expiry")
	}
	r.k.Screen().(*staffApprove).ExpiryEntry().SetText("2034-03-31")
	r.tap("staff.approve")
	if _, ok := r.s.events[len(r.s.events)-1].(flow.StaffApproved); !ok {
		t.Fatal("not approved with the expiry typed")
	}
}

// A counter case for a sign-locked card defaults to the signature
// certificate, under a PIN-reset label.
func TestStaffCaseDefaultsToTheLockedPIN(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "0C0FFEE"
	s.Tries.Sign, s.Locked = 0, []flow.PIN{flow.PINSign}
	r := newStaffRig(t, "moriya", s)
	r.openCase("clerk1")
	r.tap("staff.kind.pin_reset")
	r.see(r.tr("staff.case.certs_pin_reset"))
	if sc := r.k.Screen().(*staffCase); !sc.certs[policy.CertSign] || sc.certs[policy.CertAuth] {
		t.Errorf("certs %v, want the signature certificate only", sc.certs)
	}
}
