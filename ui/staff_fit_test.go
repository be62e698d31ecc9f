package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// overflow returns what a visible scroll container of the window's content
// holds beyond its viewport ("" when everything fits).
func overflow(w fyne.Window) string { return beyond(w, true) }

// beyond is overflow, or (tall false) only what lies past the right edge.
func beyond(w fyne.Window, tall bool) string {
	Settle(w)
	w.Canvas().Capture()
	var out string
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		sc, ok := o.(*container.Scroll)
		if !ok || !sc.Visible() || out != "" {
			return
		}
		need, have := sc.Content.MinSize(), sc.Size()
		if (tall && need.Height > have.Height+0.5) || need.Width > have.Width+0.5 {
			out = fmt.Sprintf("content %.0fx%.0f in a %.0fx%.0f viewport", need.Width, need.Height, have.Width, have.Height)
		}
	})
	return out
}

// approvalRig is a clerk signed in on the approval screen of a resident
// waiting for a renewal of both certificates.
func approvalRig(t *testing.T) *staffRig {
	r, _ := approvalBy(t, "clerk1")
	return r
}

// approvalBy is staff member id signed in on the approval screen of a
// resident waiting with ticket tk for a renewal of both certificates.
func approvalBy(t *testing.T, id string) (r *staffRig, tk store.Ticket) {
	t.Helper()
	r = newStaffRig(t, "moriya", flow.Snapshot{})
	r.s.snap, tk = waitSnap(t, r.st)
	r.k.Send(flow.Tick{})
	r.k.staff(StaffApprove)
	r.signIn(id, staffPW)
	r.screen(idStaffApprove)
	return r, tk
}

// TestStaffApproveNeedsNoScrolling (issue 10): the clerk's approval screen
// fits both panels in Japanese, English and Portuguese — the identity
// documents, the card-face expiry and the error on top all in view without
// scrolling — with an error showing, too.
func TestStaffApproveNeedsNoScrolling(t *testing.T) {
	r := approvalRig(t)
	check := func(state string) {
		t.Helper()
		for _, size := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
			r.w.Resize(size)
			for _, lang := range []string{"ja", "en", "pt-BR"} {
				r.k.Tr().SetLang(lang)
				r.k.rebuild()
				if o := overflow(r.w); o != "" {
					t.Errorf("%.0fx%.0f %s: approval screen %s: %s: the clerk must scroll", size.Width, size.Height, lang, state, o)
				}
			}
		}
		r.k.Tr().SetLang("ja")
		r.w.Resize(fyne.NewSize(1920, 1080))
		r.k.rebuild()
	}
	check("as it opens")
	r.tap("staff.approve") // no identity document: the error shows on top
	r.see(r.tr("staff.approve.error.identity"))
	check("with the identity error")
	// The tallest: identity confirmed (one more line) and the card-face
	// expiry missing (its error on top).
	r.tap("staff.id." + string(policy.IDHealthInsurance))
	r.tap("staff.id." + string(policy.IDPensionBook))
	r.tap("staff.approve")
	r.see(r.tr("staff.approve.error.expiry_required"))
	r.see(r.tr("staff.approve.identity_ok"))
	check("with identity confirmed and the expiry error")
}

// paragraphs returns the visible paragraphs that say msg.
func (r *staffRig) paragraphs(msg string) []*Paragraph {
	var out []*Paragraph
	walk(r.w.Canvas().Content(), func(o fyne.CanvasObject) {
		if p, ok := o.(*Paragraph); ok && p.Visible() && p.Raw() == msg {
			out = append(out, p)
		}
	})
	return out
}

// inSight fails unless msg is drawn inside the visible part of the page as
// it is (no scrolling): its first line within the body's viewport, or
// within the window when the page does not scroll.
func (r *staffRig) inSight(msg string) {
	r.t.Helper()
	Settle(r.w)
	r.w.Canvas().Capture()
	d := fyne.CurrentApp().Driver()
	top, bottom := float32(0), r.w.Canvas().Size().Height
	walk(r.w.Canvas().Content(), func(o fyne.CanvasObject) {
		if sc, ok := o.(*container.Scroll); ok && sc.Visible() && sc.Size().Height > 200 {
			p := d.AbsolutePositionForObject(sc)
			top, bottom = max(top, p.Y), min(bottom, p.Y+sc.Size().Height)
		}
	})
	var seen []string
	for _, p := range r.paragraphs(msg) {
		pos := d.AbsolutePositionForObject(p)
		line := p.MinSize().Height / float32(max(1, strings.Count(p.Text, "\n")+1))
		if pos.Y >= top-0.5 && pos.Y+line <= bottom+0.5 {
			return
		}
		seen = append(seen, fmt.Sprintf("at y %.0f", pos.Y))
	}
	r.t.Fatalf("%s: %q is not in view (viewport y %.0f–%.0f; drawn %v)", r.k.ScreenID(), msg, top, bottom, seen)
}

// putRight checks one message: after wrong it is in view, after right it
// is gone.
func (r *staffRig) putRight(msg string, wrong, right func()) {
	r.t.Helper()
	wrong()
	r.inSight(msg)
	right()
	r.gone(msg)
}

// gone fails if msg is still shown.
func (r *staffRig) gone(msg string) {
	r.t.Helper()
	if len(r.paragraphs(msg)) > 0 {
		r.t.Fatalf("%s: %q is still shown after it was put right", r.k.ScreenID(), msg)
	}
}

// Errors and confirmations of the staff screens appear where the clerk is
// looking — in view without scrolling, on the small panel — and go once
// put right (issue 10): the approval's missing identity document and
// card-face expiry.
func TestStaffApproveErrorsInSight(t *testing.T) {
	r := approvalRig(t)
	r.w.Resize(fyne.NewSize(1280, 800))
	approve := func() { r.tap("staff.approve") }
	r.putRight(r.tr("staff.approve.error.identity"), approve, func() { r.tap("staff.id." + string(policy.IDPassport)) })
	r.inSight(r.tr("staff.approve.identity_ok"))
	r.putRight(r.tr("staff.approve.error.expiry_required"), approve,
		func() { r.k.Screen().(*staffApprove).ExpiryEntry().SetText("2034-03-31") })
	r.tap("staff.approve")
	if _, ok := r.s.events[len(r.s.events)-1].(flow.StaffApproved); !ok {
		t.Fatalf("last event %#v, want StaffApproved", r.s.events[len(r.s.events)-1])
	}
}

// The counter case's incomplete checklist, and the PIN reset's mismatch on
// the resident's keypad, in view and gone once put right.
func TestStaffCaseAndPINErrorsInSight(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "0C0FFEE"
	s.Tries.Auth, s.Locked = 0, []flow.PIN{flow.PINAuth}
	r := newStaffRig(t, "moriya", s)
	r.w.Resize(fyne.NewSize(1280, 800))
	r.openCase("clerk1")
	for _, lang := range []string{"en", "ja"} { // the kinds of case wrap: no page wider than the panel
		r.k.Tr().SetLang(lang)
		r.k.rebuild()
		if o := overflow(r.w); o != "" {
			t.Errorf("1280x800 %s: case screen %s", lang, o)
		}
	}
	r.tap("staff.kind.pin_reset")
	r.tap("staff.case.open")
	r.see(r.tr("staff.case.certs_pin_reset")) // not "certificates that can be issued"
	if strings.Contains(r.texts(), string([]rune(r.tr("staff.case.allowed"))[:4])) {
		t.Error("a PIN reset case lists certificates that can be issued")
	}
	r.tap("staff.doc.HOLDER_IDENTITY.health_insurance")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.putRight(r.tr("staff.case.error.incomplete"), func() { r.tap("staff.case.approve") },
		func() { r.tap("staff.doc.HOLDER_IDENTITY.pension_book") })
	r.tap("staff.case.approve")
	r.tap("staff.case.hand_over")
	r.typePIN("1357")
	r.putRight(r.tr("staff.pin.error.MISMATCH"), func() { r.typePIN("1358") }, func() { r.typePIN("1357") })
	r.typePIN("1357")
	r.see(r.tr("staff.pin.done_lead"))
}

// The sign-in's refusal is in view; the settings' confirmation and error
// sit on top of the long page (seen without scrolling back) and go when the
// supervisor changes a choice or saves again; the page never scrolls
// sideways.
func TestStaffSettingsMessagesInSight(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.w.Resize(fyne.NewSize(1280, 800))
	r.k.staff(StaffMenu)
	r.signIn("super1", "wrong-password")
	r.inSight(r.tr("staff.signin.error." + staff.SignInBadCredentials))
	r.signIn("super1", staffPW)
	r.tap("staff.tile.settings")
	for _, lang := range []string{"en", "ja"} { // long, so it scrolls down; never sideways
		r.k.Tr().SetLang(lang)
		r.k.rebuild()
		if o := beyond(r.w, false); o != "" {
			t.Errorf("1280x800 %s: settings %s: wider than the panel", lang, o)
		}
	}
	r.tap("staff.settings.idle.120")
	save := func() { r.tap("staff.settings.save") }
	r.putRight(r.tr("staff.settings.saved", "N", 1), save, func() { r.tap("staff.settings.idle.180") })
	printer := r.k.Screen().(*staffSettings).PrinterEntry()
	r.tap("staff.settings.receipt_print.on")
	printer.SetText("a,b")
	r.putRight(r.tr("staff.settings.invalid"), save, func() { printer.SetText("TM-T88VI"); save() })
	r.inSight(r.tr("staff.settings.saved", "N", 3))
}

// TestStaffPagesNeverScrollSideways: on the 1280×800 panel, in Japanese,
// English and Portuguese, no staff page is wider than the panel (a long one scrolls down,
// its actions stay in the bar).
func TestStaffPagesNeverScrollSideways(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.w.Resize(fyne.NewSize(1280, 800))
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	for _, tile := range []string{"", "staff.tile.dashboard", "staff.tile.settings", "staff.tile.case", "staff.tile.exit"} {
		if tile != "" {
			r.tap(tile)
		}
		for _, lang := range []string{"en", "ja", "pt-BR"} {
			r.k.Tr().SetLang(lang)
			r.k.rebuild()
			if o := beyond(r.w, false); o != "" {
				t.Errorf("1280x800 %s %s: %s: wider than the panel", lang, r.k.ScreenID(), o)
			}
		}
		r.k.Show(idStaffMenu)
	}
}
