package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// fakeSession returns a fixed snapshot and records the events it gets.
type fakeSession struct {
	snap     flow.Snapshot
	events   []flow.Event
	problems func([]byte) []string
	pins     [][]byte // copies of submitted PINs' lengths only (never content)
	onEvent  func(ev flow.Event) flow.Snapshot
}

func (f *fakeSession) Handle(ev flow.Event) flow.Snapshot {
	f.events = append(f.events, ev)
	if sp, ok := ev.(flow.SubmitPIN); ok {
		f.pins = append(f.pins, make([]byte, len(sp.PIN)))
		clear(sp.PIN)
	}
	if f.onEvent != nil {
		f.snap = f.onEvent(ev)
	}
	return f.snap
}

func (f *fakeSession) Snapshot() flow.Snapshot { return f.snap }

func (f *fakeSession) ValidatePIN(b []byte) []string {
	if f.problems != nil {
		return f.problems(b)
	}
	return nil
}

// newTestKiosk builds a kiosk on a test window of the panel's size.
func newTestKiosk(t *testing.T, s *fakeSession) (*Kiosk, fyne.Window) {
	t.Helper()
	a, w, tr := testApp(t)
	k := New(a, w, tr, s, Options{})
	return k, w
}

// testApp is a test app, a window of the 1920×1080 panel and the catalogues.
func testApp(t *testing.T) (fyne.App, fyne.Window, *i18n.Catalogue) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1920, 1080))
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return a, w, tr
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// statusSnap is a My Number card with a renewable auth certificate.
func statusSnap() flow.Snapshot {
	return flow.Snapshot{
		Seq: 3, State: flow.StateStatus, Step: flow.Step{K: 2, N: 2}, CardType: flow.CardMyNumber,
		Auth:   flow.CertView{Known: true, Present: true, NotAfter: day(2026, 12, 24), DaysLeft: 33, RenewableFrom: day(2026, 9, 24), Renewable: true},
		Sign:   flow.CertView{},
		Tries:  flow.Retries{Auth: 3, Sign: 5, BasicInfo: 3},
		Offers: []flow.Offer{{Service: flow.ServiceSignExpiry, PIN: flow.PINSign}, {Service: flow.ServicePINCheck, PIN: flow.PINAuth}, {Service: flow.ServicePINChange, PIN: flow.PINAuth}, {Service: flow.ServicePrepare}},
	}
}

func TestEveryFlowStateHasAScreen(t *testing.T) {
	for st := flow.StateInsertCard; st <= flow.StateTakeCard; st++ {
		if !Registered(st.String()) {
			t.Errorf("no screen for flow state %s", st)
		}
	}
}

func TestStatusScreenShowsBothCertificatesAndServices(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	if k.ScreenID() != "STATUS" {
		t.Fatalf("screen %q, want STATUS", k.ScreenID())
	}
	markup := test.RenderToMarkup(w.Canvas())
	for _, want := range []string{"ステップ 2 / 2", "署名用電子証明書", "利用者証明用電子証明書", "2026年12月24日", "あと 33 日", "あと 3 回", "あと 5 回"} {
		if !strings.Contains(markup, want) {
			t.Errorf("status screen lacks %q", want)
		}
	}
	b := k.Button("service.PIN_CHANGE.AUTH")
	if b == nil {
		t.Fatal("no PIN change button")
	}
	test.Tap(b)
	if len(s.events) != 1 || s.events[0] != (flow.SelectService{Service: flow.ServicePINChange, PIN: flow.PINAuth}) {
		t.Fatalf("events %v", s.events)
	}
	if k.Taps() != 1 {
		t.Errorf("taps = %d, want 1", k.Taps())
	}
}

// TestStatusScreenCertificateNotOnCard: a card whose EF 0008 says it has no
// signature certificate (a child's) shows it as not on the card, with no
// tries, no "needs the signature PIN" and no reset.
func TestStatusScreenCertificateNotOnCard(t *testing.T) {
	snap := statusSnap()
	snap.Sign = flow.CertView{Known: true}
	snap.Tries.Sign = -1
	snap.Offers = []flow.Offer{{Service: flow.ServicePINCheck, PIN: flow.PINAuth}, {Service: flow.ServicePINChange, PIN: flow.PINAuth}, {Service: flow.ServicePrepare}}
	_, w := newTestKiosk(t, &fakeSession{snap: snap})
	markup := test.RenderToMarkup(w.Canvas())
	if !strings.Contains(markup, "搭載されていません") {
		t.Error("the absent signature certificate is not shown as absent")
	}
	for _, bad := range []string{"見るには署名用の暗証番号が必要です", "再設定", "わかりません", "ロック"} {
		if strings.Contains(markup, bad) {
			t.Errorf("status screen shows %q for a certificate not on the card", bad)
		}
	}
}

// TestSmartphoneNotice: a phone's certificate gets its own notice in every
// language that has it, not the unknown-card one.
func TestSmartphoneNotice(t *testing.T) {
	s := &fakeSession{snap: flow.Snapshot{State: flow.StateUnknownCard, CardType: flow.CardSmartphone, Step: flow.Step{K: 2, N: 2}, CanContinue: true}}
	_, w := newTestKiosk(t, s)
	markup := test.RenderToMarkup(w.Canvas())
	if !strings.Contains(markup, "スマートフォンの電子証明書です") || strings.Contains(markup, "このカードは使えません") {
		t.Errorf("smartphone notice missing")
	}
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ja", "en", "pt-BR"} {
		for _, k := range []string{"title", "lead", "next_steps"} {
			if !tr.Has(lang, "screen.smartphone."+k) {
				t.Errorf("%s lacks screen.smartphone.%s", lang, k)
			}
		}
	}
}

func TestLanguageButtonSwitchesAtRuntime(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	test.Tap(k.Button("language"))
	en := k.Button("lang.en")
	if en == nil {
		t.Fatal("language chooser has no English")
	}
	test.Tap(en)
	if k.Tr().Lang() != "en" {
		t.Fatalf("lang = %s", k.Tr().Lang())
	}
	markup := strings.ReplaceAll(test.RenderToMarkup(w.Canvas()), "\u00a0", " ") // no-break spaces hold "33 days left" together
	for _, want := range []string{"Step 2 of 2", "Signature certificate", "24 December 2026", "33 days left"} {
		if !strings.Contains(markup, want) {
			t.Errorf("English status screen lacks %q", want)
		}
	}
	if strings.Contains(markup, "署名用電子証明書") {
		t.Error("Japanese left on the English screen")
	}
	if k.Taps() != 0 {
		t.Errorf("choosing a language counted %d taps", k.Taps())
	}
}

// TestPINEntry types a PIN on the keypad and the keyboard, checks the mask,
// and that the submitted slice is handed over and the field wiped.
func TestPINEntry(t *testing.T) {
	snap := flow.Snapshot{Seq: 5, State: flow.StateEnterPIN, Service: flow.ServicePINCheck, Step: flow.Step{K: 1, N: 2},
		PIN: flow.PINField{Which: flow.PINAuth, Purpose: "VERIFY", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true, Left: 3}, CanGoBack: true}
	s := &fakeSession{snap: snap}
	k, w := newTestKiosk(t, s)
	p := k.Screen().(*pinEntry)
	ok := k.Button("next")
	if !ok.Disabled() {
		t.Error("OK enabled on an empty field")
	}
	test.Tap(p.Keypad().Key('1'))
	test.Tap(p.Keypad().Key('9'))
	test.Type(p.Field(), "7x") // physical keyboard; x is refused
	if p.Field().Len() != 3 {
		t.Fatalf("len = %d, want 3", p.Field().Len())
	}
	markup := test.RenderToMarkup(w.Canvas())
	if strings.Contains(markup, ">197<") || strings.Contains(markup, "\"197\"") {
		t.Error("PIN visible while masked")
	}
	if !ok.Disabled() {
		t.Error("OK enabled before 4 digits")
	}
	test.Tap(p.Keypad().Backspace())
	test.Type(p.Field(), "55")
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), "あと 3 回") {
		t.Error("tries left not shown before submitting")
	}
	if ok.Disabled() {
		t.Fatal("OK disabled with 4 digits")
	}
	buf := p.Field().Bytes()[:4]
	p.Field().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(s.pins) != 1 || len(s.pins[0]) != 4 {
		t.Fatalf("submitted %d PINs", len(s.pins))
	}
	if p.Field().Len() != 0 || string(buf) != "\x00\x00\x00\x00" {
		t.Error("field not wiped after submit")
	}
}

func TestPINFieldShowHideAndWipe(t *testing.T) {
	test.NewTempApp(t)
	f := NewPINField(16, UpperAlnum)
	for _, r := range "ab12" {
		f.Append(r)
	}
	if string(f.Bytes()) != "AB12" {
		t.Fatalf("got %q", f.Bytes())
	}
	w := test.NewTempWindow(t, f)
	w.Resize(fyne.NewSize(1000, 120))
	if strings.Contains(test.RenderObjectToMarkup(f), ">A<") {
		t.Error("characters shown while masked")
	}
	f.SetShown(true)
	if !strings.Contains(test.RenderObjectToMarkup(f), ">A<") {
		t.Error("characters hidden while shown")
	}
	b := f.Bytes()[:4]
	f.Wipe()
	if string(b) != "\x00\x00\x00\x00" || f.Len() != 0 {
		t.Error("not wiped")
	}
	for i := 0; i < 20; i++ {
		f.Append('A')
	}
	if f.Len() != 16 {
		t.Errorf("len %d beyond capacity", f.Len())
	}
}

func TestKeypadScramble(t *testing.T) {
	test.NewTempApp(t)
	plain := NewKeypad(KeypadDigits, nil, "x").Order()
	if plain != "1234567890" {
		t.Errorf("plain order %q", plain)
	}
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		seen[NewKeypad(KeypadAlnum, newRand(uint64(i)), "x").Order()] = true
	}
	if len(seen) < 2 {
		t.Error("scrambled keypads all alike")
	}
	for o := range seen {
		if len(o) != 36 {
			t.Errorf("alnum keypad has %d keys", len(o))
		}
	}
}

// TestEveryScreenRendersInJapaneseAndEnglish renders a snapshot for every
// state and fails on any message missing in ja or en.
func TestEveryScreenRendersInJapaneseAndEnglish(t *testing.T) {
	s := &fakeSession{}
	k, w := newTestKiosk(t, s)
	for _, lang := range []string{"ja", "en"} {
		k.Tr().SetLang(lang)
		for _, snap := range samples.Snapshots() {
			s.snap = snap
			k.render(snap)
			_ = w.Canvas().Capture()
		}
		k.Show(idReaderMissing)
		k.ShowFlow()
	}
	if m := k.Tr().Missing(); len(m) > 0 {
		t.Errorf("messages missing: %v", m)
	}
}

// TestTouchTargets checks every button on every screen is at least
// MinTarget tall.
func TestTouchTargets(t *testing.T) {
	s := &fakeSession{}
	k, w := newTestKiosk(t, s)
	for _, snap := range samples.Snapshots() {
		s.snap = snap
		k.render(snap)
		w.Canvas().Capture()
		for id, b := range k.buttons {
			if h := b.Size().Height; h < MinTarget && b.Visible() {
				t.Errorf("%s: button %s is %.0f px tall", snap.State, id, h)
			}
		}
	}
}

func TestScreenshotsForReview(t *testing.T) {
	dir := os.Getenv("KIOSK_UI_SHOTS")
	if dir == "" {
		t.Skip("set KIOSK_UI_SHOTS=DIR to write screens")
	}
	s := &fakeSession{}
	k, w := newTestKiosk(t, s)
	for _, snap := range samples.Snapshots() {
		s.snap = snap
		k.render(snap)
		img := w.Canvas().Capture()
		f, _ := os.Create(filepath.Join(dir, snap.State.String()+".png"))
		png.Encode(f, img)
		f.Close()
	}
}

// TestFitsBothPanels: on both terminals (1920×1080 and 1280×800) every
// button of every resident screen — the action bar and the status screen's
// service tiles — is inside the window, so no resident has to scroll or look
// past the edge to find what to do next, in Japanese and in English.
func TestFitsBothPanels(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	for _, size := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}} {
		w.Resize(size)
		for _, l := range k.Tr().Languages() {
			lang := l.Tag
			if !k.SetHomeLanguage(lang) { // Tr().SetLang would last until the next insert-card screen only
				t.Fatalf("no language %s", lang)
			}
			for _, snap := range append(samples.Snapshots(), statusSnap()) {
				s.snap = snap
				k.render(snap)
				Settle(w)
				w.Canvas().Capture()
				view := scrollViews(w.Canvas().Content())
				for id, b := range k.buttons {
					if !b.Visible() || strings.HasPrefix(id, "lang.") {
						continue
					}
					pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
					end := pos.Add(b.Size())
					// Inside a scroll container, the visible part is the scroll's viewport.
					minY, maxY := float32(0), size.Height
					if sc, ok := view[b]; ok {
						minY, maxY = sc.pos.Y, sc.pos.Y+sc.size.Y
					}
					if pos.X < 0 || pos.Y < minY-0.5 || end.X > size.Width+0.5 || end.Y > maxY+0.5 {
						t.Errorf("%.0fx%.0f %s %s: button %s at (%.0f,%.0f)–(%.0f,%.0f) is outside the window",
							size.Width, size.Height, lang, snap.State, id, pos.X, pos.Y, end.X, end.Y)
					}
				}
			}
		}
	}
}

// scrollViews maps every object inside a scroll container to that
// container's viewport (absolute position and size).
func scrollViews(root fyne.CanvasObject) map[fyne.CanvasObject]struct{ pos, size fyne.Position } {
	out := map[fyne.CanvasObject]struct{ pos, size fyne.Position }{}
	walk(root, func(o fyne.CanvasObject) {
		sc, ok := o.(*container.Scroll)
		if !ok || !sc.Visible() {
			return
		}
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(sc)
		v := struct{ pos, size fyne.Position }{p, fyne.NewPos(sc.Size().Width, sc.Size().Height)}
		walk(sc.Content, func(inner fyne.CanvasObject) { out[inner] = v })
	})
	return out
}

// walk calls f for o and everything drawn inside it, as laid out now.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case *container.Scroll:
		walk(x.Content, f)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, f)
		}
	}
}
