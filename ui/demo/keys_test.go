package demo

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// recVoice records what the kiosk says (ui.Voice).
type recVoice struct {
	said   []string
	clicks int
	volume int
}

func (v *recVoice) Say(lang, text string) { v.said = append(v.said, text) }
func (v *recVoice) Click()                { v.clicks++ }
func (v *recVoice) SetVolume(p int)       { v.volume = p }
func (v *recVoice) Stop()                 {}

func (v *recVoice) last() string {
	if len(v.said) == 0 {
		return ""
	}
	return v.said[len(v.said)-1]
}

// key sends a named key the way the window does: to whatever has Fyne's
// focus (the kiosk's key sink on resident screens).
func (r *rig) key(name fyne.KeyName) {
	r.t.Helper()
	f := r.w.Canvas().Focused()
	if f == nil {
		r.t.Fatalf("screen %s: nothing has the keyboard focus", r.k.ScreenID())
	}
	f.TypedKey(&fyne.KeyEvent{Name: name})
	r.drain()
}

// typeKeys types characters on the keyboard.
func (r *rig) typeKeys(s string) {
	r.t.Helper()
	for _, c := range s {
		r.w.Canvas().Focused().TypedRune(c)
	}
	r.drain()
}

// focusOn presses the down arrow until the keyboard focus is on button id,
// checking that each move speaks the focused button's label.
func (r *rig) focusOn(v *recVoice, id string) {
	r.t.Helper()
	for range 20 {
		r.key(fyne.KeyDown)
		b := r.k.Button(r.k.Focused())
		if b == nil || !strings.Contains(v.last(), b.Text) {
			r.t.Fatalf("focus on %q: spoken %q", r.k.Focused(), v.last())
		}
		if r.k.Focused() == id {
			return
		}
	}
	r.t.Fatalf("screen %s: the arrows never reach %q", r.k.ScreenID(), id)
}

// spoke fails unless the last spoken text contains every want.
func (r *rig) spoke(v *recVoice, want ...string) {
	r.t.Helper()
	for _, w := range want {
		if !strings.Contains(v.last(), w) {
			r.t.Fatalf("screen %s: spoken %q lacks %q", r.k.ScreenID(), v.last(), w)
		}
	}
}

// A blind resident, with the keypad only: voice guidance on, both
// certificates' expiry dates and tries heard, then both PINs changed —
// every step by key events, with the spoken texts checked at each step.
func TestKeysOnlyStatusAndBothPINChanges(t *testing.T) {
	r := newRig(t)
	v := &recVoice{}
	r.k.SetVoice(v)
	tr := r.k.Tr()

	r.typeKeys("*")
	r.want("INSERT_CARD")
	r.spoke(v, tr.T("screen.insert_card.title"), tr.T("speech.keys.repeat"))
	r.typeKeys("+")
	r.spoke(v, tr.T("speech.volume", "Level", 8))
	if v.volume != 80 {
		t.Fatalf("volume %d after +, want 80", v.volume)
	}

	r.insert(vcard.PersonaAdult) // the only act that is not a key: the card
	r.want("STATUS")
	s := r.k.Snapshot()
	r.spoke(v, tr.Date(s.Auth.NotAfter), "あと 5 回", "あと 3 回", tr.T("speech.keys.escape", "Label", tr.T("action.finish")))
	if i, j := strings.Index(v.last(), tr.T("cert.tries_left")), strings.Index(v.last(), "あと 5 回"); i < 0 || j < i {
		t.Errorf("label after its value in %q", v.last())
	}

	// The signature certificate's expiry needs its PIN.
	r.focusOn(v, "service.SIGN_EXPIRY")
	r.key(fyne.KeyReturn)
	r.want("ENTER_PIN")
	r.spoke(v, tr.T("speech.keys.pin"))
	before, clicks := len(v.said), v.clicks
	r.typeKeys("ABC12X")
	r.key(fyne.KeyBackspace)
	r.typeKeys("3")
	if v.clicks-clicks != 8 || len(v.said) != before {
		t.Fatalf("PIN keys: %d sounds and %d texts spoken, want 8 neutral sounds and no text", v.clicks-clicks, len(v.said)-before)
	}
	r.key(fyne.KeyEnter)
	r.want("STATUS")
	s = r.k.Snapshot()
	if !s.Sign.Known {
		t.Fatal("signature expiry not read")
	}
	r.spoke(v, tr.Date(s.Sign.NotAfter), tr.Date(s.Auth.NotAfter))

	change := func(svc, old, new string) {
		t.Helper()
		r.focusOn(v, svc)
		r.key(fyne.KeyReturn)
		r.want("ENTER_PIN")
		r.spoke(v, tr.T("speech.keys.pin"))
		r.typeKeys(old)
		r.key(fyne.KeyEnter)
		r.want("NEW_PIN")
		r.spoke(v, tr.T("screen.pin.title.NEW"))
		r.typeKeys("9999") // wrong: cleared with Delete
		r.key(fyne.KeyDelete)
		r.typeKeys(new)
		r.key(fyne.KeyEnter)
		r.want("REPEAT_PIN")
		r.typeKeys(new)
		r.key(fyne.KeyEnter)
		r.want("PIN_CHANGED")
		r.spoke(v, tr.T("screen.receipt.PIN_CHANGED.title"))
		r.typeKeys("*") // repeat on request
		r.spoke(v, tr.T("screen.receipt.PIN_CHANGED.title"))
		r.focusOn(v, "next") // back to the menu
		r.key(fyne.KeyEnter)
		r.want("STATUS")
	}
	change("service.PIN_CHANGE.AUTH", "1234", "4321")
	change("service.PIN_CHANGE.SIGN", "ABC123", "XYZ789")
	for _, said := range v.said {
		for _, pin := range []string{"1234", "4321", "ABC123", "XYZ789", "9999"} {
			if strings.Contains(said, pin) {
				t.Fatalf("spoke a PIN: %q", said)
			}
		}
	}

	// Escape on the status screen is its cancel: the session ends.
	r.key(fyne.KeyEscape)
	if r.k.ScreenID() == "STATUS" {
		t.Fatal("Escape did not leave the status screen")
	}
}
