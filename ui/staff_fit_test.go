package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// overflow returns what a visible scroll container of the window's content
// holds beyond its viewport ("" when everything fits).
func overflow(w fyne.Window) string {
	Settle(w)
	w.Canvas().Capture()
	var out string
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		sc, ok := o.(*container.Scroll)
		if !ok || !sc.Visible() || out != "" {
			return
		}
		need, have := sc.Content.MinSize(), sc.Size()
		if need.Height > have.Height+0.5 || need.Width > have.Width+0.5 {
			out = fmt.Sprintf("content %.0fx%.0f in a %.0fx%.0f viewport", need.Width, need.Height, have.Width, have.Height)
		}
	})
	return out
}

// TestStaffApproveNeedsNoScrolling (issue 10): the clerk's approval screen
// fits both panels in Japanese, English and Portuguese — the identity
// documents, the card-face expiry and the error on top all in view without
// scrolling — with an error showing, too.
func TestStaffApproveNeedsNoScrolling(t *testing.T) {
	r := newStaffRig(t, "moriya", flow.Snapshot{})
	snap, _ := waitSnap(t, r.st)
	r.s.snap = snap
	r.k.Send(flow.Tick{})
	r.k.staff(StaffApprove)
	r.signIn("clerk1", staffPW)
	r.screen(idStaffApprove)
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
