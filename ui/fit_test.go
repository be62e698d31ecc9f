package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// TestResidentScreensNeedNoScrolling: on both terminals, in Japanese and
// English, every resident screen's body fits its viewport — no scroll
// container has content larger than itself, so nothing (a keypad row, the
// rule of a PIN) is below the fold or past the right edge — and every key
// of the PIN keypads lies inside the window.
func TestResidentScreensNeedNoScrolling(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	for _, size := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
		w.Resize(size)
		for _, l := range k.Tr().Languages() {
			lang := l.Tag
			k.Tr().SetLang(lang)
			for _, snap := range append(samples.Snapshots(), statusSnap(), worstPINSnap(flow.StateEnterPIN, false), worstPINSnap(flow.StateRepeatPIN, false),
				worstPINSnap(flow.StateEnterPIN, true), worstPINSnap(flow.StateRepeatPIN, true)) {
				s.snap = snap
				k.render(snap)
				Settle(w)
				w.Canvas().Capture()
				walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
					sc, ok := o.(*container.Scroll)
					if !ok || !sc.Visible() {
						return
					}
					need, have := sc.Content.MinSize(), sc.Size()
					if need.Height > have.Height+0.5 || need.Width > have.Width+0.5 {
						t.Errorf("%.0fx%.0f %s %s (PIN %s, error %q): content %.0fx%.0f in a %.0fx%.0f viewport: the resident must scroll",
							size.Width, size.Height, lang, snap.State, snap.PIN.Which, snap.Error, need.Width, need.Height, have.Width, have.Height)
					}
				})
				var pad *Keypad
				switch sc := k.Screen().(type) {
				case *pinEntry:
					pad = sc.Keypad()
				}
				if pad == nil {
					continue
				}
				for _, b := range append(pad.allKeys(), pad.Backspace(), pad.Clear()) {
					inWindow(t, size, lang, snap.State.String(), b)
				}
			}
		}
	}
}

func inWindow(t *testing.T, size fyne.Size, lang, state string, b *widget.Button) {
	t.Helper()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	end := pos.Add(b.Size())
	if pos.X < 0 || pos.Y < 0 || end.X > size.Width+0.5 || end.Y > size.Height+0.5 || b.Size().Height < MinTarget {
		t.Errorf("%.0fx%.0f %s %s: key %q at (%.0f,%.0f)–(%.0f,%.0f) is outside the window or too small",
			size.Width, size.Height, lang, state, b.Text, pos.X, pos.Y, end.X, end.Y)
	}
}

// worstPINSnap is the tallest PIN screen: the 16-character signature PIN
// (or a 4-digit PIN) after a wrong try, with the last-try warning.
func worstPINSnap(st flow.State, digits bool) flow.Snapshot {
	s := statusSnap()
	s.Seq, s.State, s.Service, s.Step = 90+uint64(st), st, flow.ServicePINCheck, flow.Step{K: 1, N: 2}
	s.PIN = flow.PINField{Which: flow.PINSign, Purpose: "VERIFY", Rules: []string{"SIGN"}, MinLen: 6, MaxLen: 16, Left: 1}
	s.Error, s.LastTryWarning, s.CanGoBack = "PIN_INCORRECT", true, true
	if digits {
		s.Seq += 10
		s.PIN = flow.PINField{Which: flow.PINAuth, Purpose: "VERIFY", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true, Left: 1}
	}
	if st == flow.StateRepeatPIN {
		s.PIN.Purpose, s.Error, s.LastTryWarning = "REPEAT", "PIN_MISMATCH", false
	}
	return s
}
