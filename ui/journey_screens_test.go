package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// A weak new PIN draws advice but stays allowed (issue 10: 1111 was taken
// without a word).
func TestNewPINAdviceNeverRefuses(t *testing.T) {
	snap := flow.Snapshot{Seq: 5, State: flow.StateNewPIN, Service: flow.ServicePINChange, Step: flow.Step{K: 2, N: 3},
		PIN: flow.PINField{Which: flow.PINAuth, Purpose: "NEW", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true}, CanGoBack: true}
	k, w := newTestKiosk(t, &fakeSession{snap: snap})
	p := k.Screen().(*pinEntry)
	// The paragraph breaks lines itself: look for the advice's start.
	advice := "△ " + string([]rune(k.tr.T("pinadvice.REPEATED"))[:6])
	for _, c := range "1111" {
		test.Tap(p.Keypad().Key(c))
	}
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), advice) {
		t.Error("no advice for 1111")
	}
	if k.Button("next").Disabled() {
		t.Error("1111 refused: advice must not block")
	}
	test.Tap(p.Keypad().Clear())
	for _, c := range "1357" {
		test.Tap(p.Keypad().Key(c))
	}
	if m := test.RenderToMarkup(w.Canvas()); strings.Contains(m, advice) || strings.Contains(m, "△") {
		t.Error("advice for 1357")
	}
}

// The last-try screen makes the safe choice the primary action; going on is
// a plain secondary one.
func TestLastTrySafeChoiceIsPrimary(t *testing.T) {
	s := statusSnap()
	s.Seq, s.State = 7, flow.StateLastTryConfirm
	s.PIN = flow.PINField{Which: flow.PINSign, Left: 1}
	k, _ := newTestKiosk(t, &fakeSession{snap: s})
	stop, goOn := k.Button("back"), k.Button("next")
	if stop == nil || goOn == nil {
		t.Fatal("last-try screen lacks stop or go on")
	}
	if stop.Importance != widget.HighImportance {
		t.Errorf("stop importance %v, want primary", stop.Importance)
	}
	if goOn.Importance == widget.HighImportance || goOn.Importance == widget.DangerImportance {
		t.Errorf("going on is prominent (%v)", goOn.Importance)
	}
}

// After a lockout the screen names the PIN.
func TestPINLockedNamesThePIN(t *testing.T) {
	s := statusSnap()
	s.Seq, s.State = 8, flow.StatePINLocked
	s.PIN = flow.PINField{Which: flow.PINAuth}
	k, w := newTestKiosk(t, &fakeSession{snap: s})
	want := k.tr.T("pin.AUTH.name")
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), want) {
		t.Errorf("locked screen does not say %q", want)
	}
}

// The next resident finds the kiosk in Japanese after a Portuguese session.
func TestLanguageResetsForTheNextResident(t *testing.T) {
	s := statusSnap()
	s.Seq = 3
	f := &fakeSession{snap: s}
	k, _ := newTestKiosk(t, f)
	k.tr.SetLang("pt-BR")
	f.snap.Seq = 4 // still the same resident
	k.Send(flow.Tick{})
	if k.tr.Lang() != "pt-BR" {
		t.Fatalf("language changed within a session: %s", k.tr.Lang())
	}
	f.snap = flow.Snapshot{Seq: 5, State: flow.StateInsertCard}
	k.Send(flow.Tick{})
	if k.tr.Lang() != "ja" {
		t.Errorf("next resident finds the kiosk in %s", k.tr.Lang())
	}
	// Choosing a language on the welcome screen before inserting a card
	// is kept.
	k.tr.SetLang("en")
	f.snap.Seq = 6
	k.Send(flow.Tick{})
	if k.tr.Lang() != "en" {
		t.Errorf("the welcome screen's choice was dropped: %s", k.tr.Lang())
	}
}

// The end screens say what happened: a timeout, a card pulled mid-session.
func TestEndScreensSayWhy(t *testing.T) {
	for _, c := range []struct {
		snap flow.Snapshot
		key  string
	}{
		{flow.Snapshot{Seq: 2, State: flow.StateTakeCard, Error: flow.ErrCodeTimeout}, "screen.take_card.lead_timeout"},
		{flow.Snapshot{Seq: 2, State: flow.StateInsertCard, Error: flow.ErrCodeCardRemoved}, "screen.insert_card.removed"},
	} {
		k, w := newTestKiosk(t, &fakeSession{snap: c.snap})
		want := string([]rune(k.tr.T(c.key))[:8])
		if !strings.Contains(test.RenderToMarkup(w.Canvas()), want) {
			t.Errorf("%v does not say %q", c.snap.State, want)
		}
	}
}

// The ticket screen's main button matches its instruction: "take the card
// to the counter" takes the card; a PIN reset done at this kiosk says to
// wait here and has no main button, only the way back to the menu.
func TestTicketScreenMainButton(t *testing.T) {
	s := statusSnap()
	s.Seq, s.State, s.Service, s.Step = 9, flow.StateGoToCounter, flow.ServicePrepare, flow.Step{K: 4, N: 6}
	s.Ticket, s.CanContinue, s.Offers = &flow.Ticket{ID: "T1", Number: 17}, true, nil
	k, w := newTestKiosk(t, &fakeSession{snap: s})
	b := k.Button("next")
	if b == nil || b.Text != k.tr.T("action.take_card_to_counter") {
		t.Fatalf("main button %v, want %q", b, k.tr.T("action.take_card_to_counter"))
	}
	if m := test.RenderToMarkup(w.Canvas()); !strings.Contains(m, string([]rune(k.tr.T("screen.go_to_counter.lead"))[:8])) {
		t.Error("the ticket does not say to go to the counter")
	}

	s.Seq, s.Service, s.WaitHere, s.CanContinue = 10, flow.ServiceCounter, true, false
	s.Reasons = []string{"PIN_LOCKED"}
	k, w = newTestKiosk(t, &fakeSession{snap: s})
	if k.Button("next") != nil || k.Button("cancel") == nil {
		t.Fatal("wait-here ticket: a main button, or no way back")
	}
	m := test.RenderToMarkup(w.Canvas())
	if !strings.Contains(m, string([]rune(k.tr.T("screen.go_to_counter_here.lead"))[:8])) ||
		strings.Contains(m, string([]rune(k.tr.T("screen.go_to_counter.title")))) {
		t.Error("a reset at this kiosk does not say to wait here")
	}
}

// The badge of a certificate whose PIN is locked says locked, never valid.
func TestCertBadgeLocked(t *testing.T) {
	k, _ := newTestKiosk(t, &fakeSession{snap: statusSnap()})
	v := flow.CertView{Known: true, Present: true, DaysLeft: 900}
	if txt, col := certBadge(k.tr, flow.CertAuth, v, 0); txt != k.tr.T("cert.badge.locked") || col != theme.ColorNameError {
		t.Errorf("locked: %q %s", txt, col)
	}
	if txt, _ := certBadge(k.tr, flow.CertAuth, v, 3); txt != k.tr.T("cert.badge.valid") {
		t.Errorf("valid: %q", txt)
	}
	if txt, _ := certBadge(k.tr, flow.CertSign, flow.CertView{}, 0); txt != k.tr.T("cert.badge.locked") {
		t.Errorf("unread, locked: %q", txt)
	}
}
