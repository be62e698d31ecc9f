package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// The mouse wheel scrolls the settings page (issue 10): on the 1280×800
// panel the page is taller than its viewport, and a wheel event over the
// middle of the page, over a row of choices, moves it down.
func TestStaffSettingsScrollWithTheWheel(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.w.Resize(fyne.NewSize(1280, 800))
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	r.tap("staff.tile.settings")
	r.screen(idStaffSettings)
	Settle(r.w)
	var sc *container.Scroll
	walk(r.w.Canvas().Content(), func(o fyne.CanvasObject) {
		if s, ok := o.(*container.Scroll); ok && sc == nil && s.Visible() {
			sc = s
		}
	})
	if sc == nil {
		t.Fatal("the settings page has no scroll container")
	}
	if sc.Content.MinSize().Height <= sc.Size().Height {
		t.Skipf("the settings page fits (%.0f in %.0f): nothing to scroll", sc.Content.MinSize().Height, sc.Size().Height)
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(sc).Add(fyne.NewPos(sc.Size().Width/2, sc.Size().Height/2))
	test.Scroll(r.w.Canvas(), pos, 0, -120)
	if sc.Offset.Y <= 0 {
		t.Errorf("a wheel event at (%.0f,%.0f) left the settings page at offset %.0f", pos.X, pos.Y, sc.Offset.Y)
	}
}
