package demo

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// rig is a headless kiosk over the demo reader, the real flow machine and
// Moriya's rules, with card tasks queued and run by the test (deterministic).
type rig struct {
	t      *testing.T
	k      *ui.Kiosk
	w      fyne.Window
	reader *Reader
	panel  *Panel
	q      *flow.QueueExecutor
}

type machine struct{ *flow.Machine }

// A weekday morning inside Moriya's reception hours.
var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))

func newRig(t *testing.T) *rig {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1920, 1080))
	prof, err := policy.LoadProfile("moriya")
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(func() time.Time { return now }, vcard.Options{})
	q := &flow.QueueExecutor{}
	st, err := store.Open(filepath.Join(t.TempDir(), "kiosk.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := flow.New(flow.Config{Card: r, Rules: flow.PolicyRules{Profile: prof}, Clock: samples.NewClock(now), Exec: q, KioskID: "TEST",
		Recorder: flow.NewStoreRecorder(st, "moriya", "TEST")})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	k := ui.New(a, w, tr, machine{m}, ui.Options{Demo: true})
	return &rig{t: t, k: k, w: w, reader: r, panel: NewPanel(a, k, r), q: q}
}

// drain runs the queued card tasks and hands their results to the kiosk.
func (r *rig) drain() {
	for {
		ev, ok := r.q.Step()
		if !ok {
			return
		}
		r.k.Send(ev)
	}
}

func (r *rig) insert(persona string) {
	r.t.Helper()
	if err := r.panel.Insert(persona); err != nil {
		r.t.Fatal(err)
	}
	r.drain()
}

func (r *rig) tap(id string) {
	r.t.Helper()
	b := r.k.Button(id)
	if b == nil {
		r.t.Fatalf("screen %s has no button %q", r.k.ScreenID(), id)
	}
	test.Tap(b)
	r.drain()
}

// typePIN types on the on-screen keypad of the PIN screen.
func (r *rig) typePIN(pin string) {
	r.t.Helper()
	p, ok := r.k.Screen().(interface{ Keypad() *ui.Keypad })
	if !ok {
		r.t.Fatalf("screen %s is not a PIN screen", r.k.ScreenID())
	}
	for _, c := range pin {
		test.Tap(p.Keypad().Key(c))
	}
}

func (r *rig) markup() string { return test.RenderToMarkup(r.w.Canvas()) }

// shows fails the test, saying why, when the screen does not show text.
func (r *rig) shows(text, why string) {
	r.t.Helper()
	if !strings.Contains(r.markup(), text) {
		r.t.Error(why)
	}
}

func (r *rig) want(screen string) {
	r.t.Helper()
	if r.k.ScreenID() != screen {
		r.t.Fatalf("screen %s, want %s (error %q)", r.k.ScreenID(), screen, r.k.Snapshot().Error)
	}
}

// TestTapBudgetStatus: after the card goes in, both expiry dates and all PIN
// tries are on screen within 2 taps (DESIGN §7).
func TestTapBudgetStatus(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaAdult)
	r.want("STATUS")
	r.k.ResetTaps()
	r.tap("service.SIGN_EXPIRY")
	r.typePIN("ABC123")
	r.tap("next")
	r.want("STATUS")
	s := r.k.Snapshot()
	if !s.Sign.Known || !s.Auth.Known || s.Sign.NotAfter.IsZero() || s.Auth.NotAfter.IsZero() {
		t.Fatalf("dates not known: %+v %+v", s.Sign, s.Auth)
	}
	m := r.markup()
	tr := r.k.Tr()
	for _, want := range []string{tr.Date(s.Sign.NotAfter), tr.Date(s.Auth.NotAfter), "あと 5 回", "あと 3 回"} {
		if !strings.Contains(m, want) {
			t.Errorf("status lacks %q", want)
		}
	}
	if r.k.Taps() > 2 {
		t.Errorf("%d taps, budget 2", r.k.Taps())
	}
}

// TestTapBudgetPINChange: a PIN change takes at most 4 taps besides the PIN
// characters, and no PIN appears on screen.
func TestTapBudgetPINChange(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaAdult)
	r.k.ResetTaps()
	r.tap("service.PIN_CHANGE.AUTH")
	r.typePIN("1234")
	if strings.Contains(r.markup(), "1234") {
		t.Error("PIN on screen")
	}
	r.tap("next")
	r.want("NEW_PIN")
	r.typePIN("4321")
	r.tap("next")
	r.want("REPEAT_PIN")
	r.typePIN("4321")
	r.tap("next")
	r.want("PIN_CHANGED")
	if n := r.k.Taps(); n > 4 {
		t.Errorf("%d taps, budget 4", n)
	}
	r.shows("利用者証明用の暗証番号を変更しました", "receipt does not say what was done")
}

// TestLastTryIsConfirmed: with one try left the kiosk warns and asks first.
func TestLastTryIsConfirmed(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaSignOneTryLeft)
	r.tap("service.PIN_CHECK.SIGN")
	r.want("LAST_TRY_CONFIRM")
	r.shows("あと1回だけ", "no last-try warning")
	r.tap("next")
	r.want("ENTER_PIN")
	r.shows("あと1回間違えるとロック", "PIN screen does not repeat the warning")
}

// TestCardRemovedReturnsToStart: pulling the card at the PIN screen ends the
// session and nothing of it stays on screen.
func TestCardRemovedReturnsToStart(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaAdult)
	r.tap("service.PIN_CHECK.AUTH")
	r.typePIN("12")
	r.panel.onRemove()
	r.drain()
	r.want("INSERT_CARD")
	if strings.Contains(r.markup(), "利用者証明用電子証明書") {
		t.Error("previous resident's data left on screen")
	}
}

// TestErrorScreens: a 住基カード and a locked PIN each get their screen with
// what to do next.
func TestErrorScreens(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaJuki)
	r.want("JUKI_CARD")
	r.shows("マイナンバーカード", "juki screen does not mention the My Number card")
	r.insert(vcard.PersonaAuthLocked)
	r.want("STATUS")
	r.shows("ロックされています", "locked PIN not shown on status")
}

// TestPrepareRenewalReachesApproval walks a renewal to the clerk's approval
// with the panel acting as the clerk.
func TestPrepareRenewalReachesApproval(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaRenewable)
	r.tap("service.PREPARE")
	r.want("ENTER_PIN")
	r.typePIN("1234") // basic-information PIN
	r.tap("next")
	r.want("CHOOSE_CERTS")
	r.tap("certs.AUTH")
	r.want("ELIGIBILITY")
	r.tap("next")
	r.want("WAIT_APPROVAL")
	tk := r.k.Snapshot().Ticket
	if tk == nil || tk.Number == 0 || !strings.Contains(r.markup(), "受付番号") {
		t.Fatalf("no ticket shown: %+v\n%s", tk, r.markup())
	}
	r.k.ResetTaps()
	r.panel.onApprove()
	r.drain()
	r.want("NEW_PIN")
}
