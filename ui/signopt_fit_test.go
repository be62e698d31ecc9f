package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// signOptSnaps are the optional signature-PIN step of a renewal (issue 10:
// its keypad's last row — U–Z, clear, delete — was cut off and scrolled):
// fresh, after a wrong try with the last-try warning, and with 5 tries.
func signOptSnaps() []flow.Snapshot {
	base := statusSnap()
	base.Seq, base.State, base.Service, base.Step = 200, flow.StateEnterPIN, flow.ServicePrepare, flow.Step{K: 2, N: 6}
	base.PIN = flow.PINField{Which: flow.PINSign, Purpose: "SIGN_OPTIONAL", Rules: []string{"SIGN"}, MinLen: 6, MaxLen: 16, Left: 5, Optional: true}
	base.CanGoBack, base.CanContinue = true, true
	wrong := base
	wrong.Seq++
	wrong.PIN.Left, wrong.Error, wrong.LastTryWarning = 1, "PIN_INCORRECT", true
	return []flow.Snapshot{base, wrong}
}

// TestOptionalSignPINKeypadInView: at 1920×1080 and 1280×800, in every
// language and every display mode (standard, large text, high contrast,
// both), every key of the optional signature-PIN step's letters-and-digits
// keypad and every action button lies inside the window, and nothing on the
// page scrolls.
func TestOptionalSignPINKeypadInView(t *testing.T) {
	s := &fakeSession{snap: signOptSnaps()[0]}
	k, w := newTestKiosk(t, s)
	t.Cleanup(standardPalette.use)
	for _, size := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
		w.Resize(size)
		for _, mode := range []struct{ large, high bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, l := range k.Tr().Languages() {
				k.Tr().SetLang(l.Tag)
				for _, snap := range signOptSnaps() {
					s.snap = snap
					k.render(snap)
					k.SetDisplay(mode.large, mode.high)
					Settle(w)
					w.Canvas().Capture()
					where := l.Tag + " " + snap.Error + " large=" + boolStr(mode.large) + " high=" + boolStr(mode.high)
					walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
						if sc, ok := o.(*container.Scroll); ok && sc.Visible() {
							need, have := sc.Content.MinSize(), sc.Size()
							if need.Height > have.Height+0.5 || need.Width > have.Width+0.5 {
								t.Errorf("%.0fx%.0f %s: content %.0fx%.0f in a %.0fx%.0f viewport", size.Width, size.Height, where, need.Width, need.Height, have.Width, have.Height)
							}
						}
					})
					pe, ok := k.Screen().(*pinEntry)
					if !ok {
						t.Fatalf("%s: screen %s", where, k.ScreenID())
					}
					views := scrollViews(w.Canvas().Content())
					keys := append(pe.Keypad().allKeys(), pe.Keypad().Backspace(), pe.Keypad().Clear())
					if len(keys) != 38 {
						t.Fatalf("%s: %d keys", where, len(keys))
					}
					for _, b := range keys {
						inWindow(t, size, where, "SIGN_OPTIONAL", b)
						// Inside the window is not enough: a key under the
						// action bar is out of the scroll viewport.
						v, ok := views[b]
						pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
						if !ok || pos.Y < v.pos.Y-0.5 || pos.Y+b.Size().Height > v.pos.Y+v.size.Y+0.5 {
							t.Errorf("%.0fx%.0f %s: key %q at y %.0f–%.0f is out of view (viewport %.0f–%.0f)", size.Width, size.Height, where,
								b.Text, pos.Y, pos.Y+b.Size().Height, v.pos.Y, v.pos.Y+v.size.Y)
						}
					}
					for _, id := range []string{"next", "skip", "back", "cancel"} {
						b := k.Button(id)
						if b == nil {
							t.Fatalf("%s: no %q button", where, id)
						}
						inWindow(t, size, where, "SIGN_OPTIONAL", b)
					}
				}
			}
		}
	}
}
