package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func pinSnap() flow.Snapshot {
	return flow.Snapshot{Seq: 5, State: flow.StateEnterPIN, Service: flow.ServicePINCheck, Step: flow.Step{K: 1, N: 2},
		PIN: flow.PINField{Which: flow.PINAuth, Purpose: "VERIFY", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true, Left: 3}, CanGoBack: true}
}

// F12 reaches the staff hook whatever has been tapped or focused: the PIN
// field, a button moved to with the arrows, a keypad key (the bug was that
// a focused widget swallowed it).
func TestStaffKeyWorksWhateverHasFocus(t *testing.T) {
	s := &fakeSession{snap: pinSnap()}
	k, w := newTestKiosk(t, s)
	var calls []StaffReason
	k.opts.Staff = func(_ *Kiosk, why StaffReason) { calls = append(calls, why) }
	p := k.Screen().(*pinEntry)
	press := func(name fyne.KeyName) {
		t.Helper()
		sendKey(w.Canvas(), name)
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"PIN field tapped", func() { test.Tap(p.Field()) }},
		{"keypad key tapped", func() { test.Tap(p.Keypad().Key('1')) }},
		{"arrow to a button", func() { press(fyne.KeyDown) }},
		{"Tab", func() { press(fyne.KeyTab) }},
	}
	for _, st := range steps {
		st.do()
		n := len(calls)
		press(fyne.KeyF12)
		if len(calls) != n+1 || calls[n] != StaffMenu {
			t.Fatalf("after %s: F12 gave %v", st.name, calls[n:])
		}
	}
}

// Digits typed on the keyboard go into the PIN field whatever is focused;
// Backspace deletes one, Delete clears, Enter submits, Escape goes back.
func TestKeypadDrivesThePINScreen(t *testing.T) {
	s := &fakeSession{snap: pinSnap()}
	k, w := newTestKiosk(t, s)
	p := k.Screen().(*pinEntry)
	f := func() fyne.Focusable { return w.Canvas().Focused() }
	for _, r := range "12a3" {
		f().TypedRune(r)
	}
	if p.Field().Len() != 3 {
		t.Fatalf("len %d after 12a3, want 3", p.Field().Len())
	}
	f().TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if p.Field().Len() != 2 {
		t.Fatalf("len %d after Backspace, want 2", p.Field().Len())
	}
	f().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if p.Field().Len() != 0 {
		t.Fatalf("len %d after Delete (clear), want 0", p.Field().Len())
	}
	f().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown}) // a button has the focus now
	for _, r := range "4321" {
		f().TypedRune(r)
	}
	k.setFocus("") // Enter with no choice focused is OK (the primary)
	f().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if len(s.pins) != 1 || len(s.pins[0]) != 4 {
		t.Fatalf("Enter submitted %d PINs", len(s.pins))
	}
	n := len(s.events)
	f().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	back := false
	for _, ev := range s.events[n:] {
		_, ok := ev.(flow.Back)
		back = back || ok
	}
	if !back {
		t.Fatalf("Escape sent %v, want flow.Back", s.events[n:])
	}
}

// sendKey delivers a key the way the window does: to the focused widget, or
// to the canvas when nothing has the focus.
func sendKey(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else {
		c.OnTypedKey()(ev)
	}
}

// The language and display choosers work by keys too: the arrows reach
// their buttons, Enter chooses, Escape closes; F2/F3 switch the display.
func TestChoosersByKeys(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	t.Cleanup(standardPalette.use)
	until := func(id string) {
		t.Helper()
		for range 30 {
			sendKey(w.Canvas(), fyne.KeyDown)
			if k.Focused() == id {
				return
			}
		}
		t.Fatalf("the arrows never reach %q", id)
	}
	until("language")
	sendKey(w.Canvas(), fyne.KeyReturn)
	until("lang.en")
	sendKey(w.Canvas(), fyne.KeyReturn)
	if k.Tr().Lang() != "en" {
		t.Fatalf("language %s after choosing English by keys", k.Tr().Lang())
	}
	until("display")
	sendKey(w.Canvas(), fyne.KeyReturn)
	until("display.contrast")
	sendKey(w.Canvas(), fyne.KeyReturn)
	if !k.HighContrast() || k.LargeText() {
		t.Fatal("high contrast not chosen by keys")
	}
	until("display")
	sendKey(w.Canvas(), fyne.KeyReturn)
	sendKey(w.Canvas(), fyne.KeyEscape) // closes the chooser only
	if k.HighContrast() != true || len(s.events) != 0 {
		t.Fatalf("Escape in the chooser changed something: %v", s.events)
	}
	sendKey(w.Canvas(), fyne.KeyF2)
	sendKey(w.Canvas(), fyne.KeyF3)
	if !k.LargeText() || k.HighContrast() {
		t.Fatal("F2/F3 do not switch large text / high contrast")
	}
}

// In voice mode the idle warning is spoken once when it appears (not at
// every tick of its countdown), with the key that extends the session.
func TestIdleWarningIsSpoken(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	v := &countVoice{}
	k.SetVoice(v)
	w.Canvas().Focused().TypedRune('*')
	n := len(v.said)
	for sec := 30; sec > 25; sec-- {
		snap := statusSnap()
		snap.Seq, snap.State, snap.Countdown = uint64(100+sec), flow.StateIdleCountdown, sec
		s.snap = snap
		k.render(snap)
	}
	if len(v.said) != n+1 {
		t.Fatalf("idle warning spoken %d times, want once", len(v.said)-n)
	}
	tr := k.Tr()
	for _, want := range []string{tr.T("screen.idle.title"), tr.T("speech.keys.enter", "Label", tr.T("action.continue"))} {
		if !strings.Contains(v.said[n], want) {
			t.Errorf("idle warning %q lacks %q", v.said[n], want)
		}
	}
}

type countVoice struct{ said []string }

func (v *countVoice) Say(_, text string) { v.said = append(v.said, text) }
func (v *countVoice) Click()             {}
func (v *countVoice) SetVolume(int)      {}
func (v *countVoice) Stop()              {}

// TestCompactCardsAreSpoken: on the 1280×800 panel the certificate cards
// are compact panels (a theme override); their expiry is still read out.
func TestCompactCardsAreSpoken(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	w.Resize(fyne.NewSize(1280, 800))
	k.rebuild()
	Settle(w)
	v := &countVoice{}
	k.SetVoice(v)
	w.Canvas().Focused().TypedRune('*')
	if len(v.said) == 0 {
		t.Fatal("nothing spoken")
	}
	if want := k.Tr().Date(statusSnap().Auth.NotAfter); !strings.Contains(v.said[len(v.said)-1], want) {
		t.Errorf("spoken %q lacks the expiry %q", v.said[len(v.said)-1], want)
	}
}
