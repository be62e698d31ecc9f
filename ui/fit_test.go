package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// TestResidentScreensNeedNoScrolling: on both terminals, in every offered
// language, every resident screen's body fits its viewport — no scroll
// container has content larger than itself, so nothing (a keypad row, the
// rule of a PIN) is below the fold or past the right edge —, every key of
// the PIN keypads lies inside the window and no header title is cut off.
// The 1280×800 terminal is checked in normal text and in large text with
// high contrast. Each page is measured as the resident sees it: in the
// language asked for (a session's insert-card screen goes back to the
// kiosk's own language, so the test sets that) and built for the panel's
// text size (the kiosk builds the page again when the window changes panel).
func TestResidentScreensNeedNoScrolling(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	t.Cleanup(standardPalette.use)
	snaps := append(samples.Snapshots(), statusSnap(), worstPINSnap(flow.StateEnterPIN, false), worstPINSnap(flow.StateRepeatPIN, false),
		worstPINSnap(flow.StateEnterPIN, true), worstPINSnap(flow.StateRepeatPIN, true))
	for _, c := range []struct {
		size  fyne.Size
		large bool
		text  float32
	}{
		{fyne.NewSize(1920, 1080), false, 28},
		{fyne.NewSize(1280, 800), false, 22},
		{fyne.NewSize(1280, 800), true, largeTextSmall},
	} {
		size := c.size
		w.Resize(size)
		for _, l := range k.Offered() {
			lang := l.Tag
			if !k.SetHomeLanguage(lang) {
				t.Fatalf("no language %s", lang)
			}
			for _, snap := range snaps {
				s.snap = snap
				k.render(snap)
				k.SetDisplay(c.large, c.large) // the insert-card screen ends the last resident's settings
				Settle(w)
				w.Canvas().Capture()
				where := fmt.Sprintf("%.0fx%.0f %s large=%v %s (PIN %s, error %q)", size.Width, size.Height, lang, c.large, snap.State, snap.PIN.Which, snap.Error)
				if k.Tr().Lang() != lang || k.textSize() != c.text || k.Compact() != (size.Width < smallPanel) {
					t.Fatalf("%s: measured in %s at %.0f px (compact %v)", where, k.Tr().Lang(), k.textSize(), k.Compact())
				}
				walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
					switch v := o.(type) {
					case *container.Scroll:
						need, have := v.Content.MinSize(), v.Size()
						if v.Visible() && (need.Height > have.Height+0.5 || need.Width > have.Width+0.5) {
							t.Errorf("%s: content %.0fx%.0f in a %.0fx%.0f viewport: the resident must scroll",
								where, need.Width, need.Height, have.Width, have.Height)
						}
					case *widget.Label:
						if v.Truncation == fyne.TextTruncateEllipsis && v.Visible() {
							need := fyne.MeasureText(v.Text, fyne.CurrentApp().Settings().Theme().Size(v.SizeName), v.TextStyle).Width
							if need > v.Size().Width {
								t.Errorf("%s: title %q cut off (%.0f px in %.0f)", where, v.Text, need, v.Size().Width)
							}
						}
					}
				})
				if pe, ok := k.Screen().(*pinEntry); ok {
					for _, b := range append(pe.Keypad().allKeys(), pe.Keypad().Backspace(), pe.Keypad().Clear()) {
						inWindow(t, size, lang, snap.State.String(), b)
					}
				}
			}
		}
	}
}

// TestPageFollowsThePanel: when the window changes panel, the page is built
// again for it (text size, compact layout) without a new snapshot: the
// welcome screen's row of language buttons gives way to one language
// button on the 1280×800 terminal, and comes back on the full-HD panel.
func TestPageFollowsThePanel(t *testing.T) {
	s := &fakeSession{snap: flow.Snapshot{Seq: 1, State: flow.StateInsertCard}}
	k, w := newTestKiosk(t, s)
	k.render(s.snap)
	for _, c := range []struct {
		size  fyne.Size
		text  float32
		row   bool
		label string
	}{
		{fyne.NewSize(1920, 1080), 28, true, "full HD"},
		{fyne.NewSize(1280, 800), 22, false, "1280×800"},
		{fyne.NewSize(1920, 1080), 28, true, "full HD again"},
	} {
		w.Resize(c.size)
		row, one := k.Button("welcome.lang."+k.Offered()[1].Tag) != nil, k.Button("welcome.language") != nil
		if k.textSize() != c.text || row != c.row || one == c.row {
			t.Errorf("%s: text %.0f px, language row %v, language button %v", c.label, k.textSize(), row, one)
		}
	}
}

// TestLanguageChooserFits: the language chooser holds every offered
// language (seven) inside the window on both panels, in normal and large
// text, each button at least a key tall.
func TestLanguageChooserFits(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	for _, size := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
		w.Resize(size)
		for _, large := range []bool{false, true} {
			k.render(s.snap)
			k.SetDisplay(large, false)
			k.onLanguage()
			Settle(w)
			w.Canvas().Capture()
			n := 0
			for _, l := range k.Offered() {
				if b := k.Button("lang." + l.Tag); b != nil {
					n++
					inWindow(t, size, l.Tag, fmt.Sprintf("language chooser, large=%v", large), b)
				}
			}
			if n != len(k.Offered()) || n < 7 {
				t.Errorf("%.0fx%.0f large=%v: %d of %d languages in the chooser", size.Width, size.Height, large, n, len(k.Offered()))
			}
			k.Button("lang.close").OnTapped()
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
