package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/storetest"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/demo"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// A weekday morning inside Moriya's reception hours.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, policy.JST)

var (
	poolOnce sync.Once
	poolKeys []*rsa.PrivateKey
	poolNext atomic.Int64
)

// poolKeyGen hands out keys of card/vcard's fictional test pool as "new"
// card keys, so that the tests pay no RSA key generation.
func poolKeyGen(t testing.TB) func() (*rsa.PrivateKey, error) {
	poolOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "..", "card", "vcard", "testkeys.pem"))
		if err != nil {
			return
		}
		for {
			var blk *pem.Block
			if blk, b = pem.Decode(b); blk == nil {
				break
			}
			if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
				poolKeys = append(poolKeys, k.(*rsa.PrivateKey))
			}
		}
	})
	if len(poolKeys) < 24 {
		t.Fatalf("vcard test key pool: %d keys", len(poolKeys))
	}
	return func() (*rsa.PrivateKey, error) { return poolKeys[20+int(poolNext.Add(1)%4)], nil }
}

// headless is the real program's assembly in demo mode on a headless Fyne
// app, with card tasks queued and run by the test.
type headless struct {
	t     *testing.T
	p     *parts
	w     fyne.Window
	panel *demo.Panel
	q     *flow.QueueExecutor
	dir   string
}

func newHeadless(t *testing.T) *headless {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1920, 1080))
	q := &flow.QueueExecutor{}
	dir := t.TempDir()
	cheap := store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}
	p, err := assemble(a, w, config{demo: true, profile: "moriya", lang: "ja", data: dir},
		seams{exec: q, now: func() time.Time { return testNow }, keyGen: poolKeyGen(t), argon2: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	h := &headless{t: t, p: p, w: w, q: q, dir: dir, panel: demo.NewPanel(a, p.k, p.reader)}
	h.panel.SetStaff(p.desk, DemoStaffID, DemoStaffPassword)
	return h
}

func (h *headless) drain() {
	for {
		ev, ok := h.q.Step()
		if !ok {
			return
		}
		h.p.k.Send(ev)
	}
}

func (h *headless) want(id string) {
	h.t.Helper()
	if got := h.p.k.ScreenID(); got != id {
		h.t.Fatalf("screen %s, want %s (error %q, reasons %v)", got, id, h.p.k.Snapshot().Error, h.p.k.Snapshot().Reasons)
	}
}

func (h *headless) tap(id string) {
	h.t.Helper()
	b := h.p.k.Button(id)
	if b == nil {
		h.t.Fatalf("screen %s has no button %q", h.p.k.ScreenID(), id)
	}
	if b.Disabled() {
		h.t.Fatalf("screen %s: button %q is disabled", h.p.k.ScreenID(), id)
	}
	test.Tap(b)
	h.drain()
}

func (h *headless) insert(persona string) {
	h.t.Helper()
	if err := h.panel.Insert(persona); err != nil {
		h.t.Fatal(err)
	}
	h.drain()
}

// typePIN types on the keypad of the screen shown (resident or staff PIN).
func (h *headless) typePIN(pin string) {
	h.t.Helper()
	p, ok := h.p.k.Screen().(interface{ Keypad() *ui.Keypad })
	if !ok {
		h.t.Fatalf("screen %s has no keypad", h.p.k.ScreenID())
	}
	for _, c := range pin {
		test.Tap(p.Keypad().Key(c))
	}
}

func (h *headless) pinOK(pin string) {
	h.t.Helper()
	h.typePIN(pin)
	h.tap("next")
}

// signIn opens staff mode with the demo account.
func (h *headless) signIn() {
	h.t.Helper()
	h.want("staff.signin")
	si, ok := h.p.k.Screen().(interface {
		IDEntry() *widget.Entry
		PasswordEntry() *widget.Entry
	})
	if !ok {
		h.t.Fatalf("sign-in screen has no entries")
	}
	si.IDEntry().SetText(DemoStaffID)
	si.PasswordEntry().SetText(DemoStaffPassword)
	h.tap("staff.signin")
}

// prepare walks the resident whose card is in through a renewal or new issuance of both certificates
// to the waiting screen.
func (h *headless) prepare(per *vcard.Persona) {
	h.t.Helper()
	h.want("STATUS")
	h.tap("service.PREPARE")
	h.want("ENTER_PIN")
	h.pinOK(per.BasicPIN)
	h.want("CHOOSE_CERTS")
	h.tap("certs.BOTH")
	if h.p.k.ScreenID() == "ENTER_PIN" { // the optional sign PIN for the sign expiry
		h.pinOK(per.SignPIN)
	}
	h.want("ELIGIBILITY")
	h.tap("next")
	h.want("WAIT_APPROVAL")
}

// newPINs types the resident's new PINs after approval and checks the
// receipt.
func (h *headless) newPINs(sign, auth string) {
	h.t.Helper()
	for _, pin := range []string{sign, sign, auth, auth} {
		h.want(map[bool]string{true: "NEW_PIN", false: "REPEAT_PIN"}[h.p.k.ScreenID() == "NEW_PIN"])
		h.pinOK(pin)
	}
	h.want("RECEIPT")
}

// cardOf reads the virtual card in the reader back through the card layer.
func (h *headless) status() *card.Status {
	h.t.Helper()
	st, err := card.New(h.p.reader).Status()
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func persona(t *testing.T, name string) *vcard.Persona {
	p, err := vcard.NewPersona(name, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDemoIssuanceThroughStaffMode: in demo mode a resident prepares a
// renewal (renewable) or a new issuance (no-certs), the demo clerk signs in
// on the kiosk's own staff screen and approves, the resident types the new
// PINs, and the training CA's certificates are really on the card: the
// status screen after the card goes back in shows the new expiry, and the
// new PINs verify.
func TestDemoIssuanceThroughStaffMode(t *testing.T) {
	for _, name := range []string{vcard.PersonaRenewable, vcard.PersonaNoCerts} {
		t.Run(name, func(t *testing.T) {
			h := newHeadless(t)
			per := persona(t, name)
			h.insert(per.Name)
			before := h.status().AuthCert
			h.prepare(per)
			h.tap("staff") // the clerk's button on the waiting screen
			h.signIn()
			h.want("staff.approve")
			h.tap("staff.id." + string(policy.IDMyNumberCard))
			// The card-face expiry is required (issue 10); far enough not to
			// shorten the new certificates.
			if e, ok := h.p.k.Screen().(interface{ ExpiryEntry() *widget.Entry }); ok {
				e.ExpiryEntry().SetText("2045-12-31")
			}
			h.tap("staff.approve")
			h.want("NEW_PIN")
			h.newPINs("NEWSIGN7", "2468")
			if dir := os.Getenv("KIOSK_RECEIPT_SHOT"); dir != "" { // keep a picture of the receipt
				f, err := os.Create(filepath.Join(dir, "receipt-"+name+".png"))
				if err != nil {
					t.Fatal(err)
				}
				png.Encode(f, h.w.Canvas().Capture())
				f.Close()
			}
			m := test.RenderToMarkup(h.w.Canvas())
			for _, pin := range []string{"NEWSIGN7", "2468"} {
				if strings.Contains(m, pin) {
					t.Errorf("receipt shows a PIN")
				}
			}
			after := h.status()
			if after.AuthCert == nil || (before != nil && after.AuthCert.Serial.Cmp(before.Serial) == 0) {
				t.Fatalf("no new authentication certificate on the card: before %v after %v", before, after.AuthCert)
			}
			full, err := card.New(h.p.reader).ReadCertificate(card.CertAuth)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(full.Issuer.String(), "TRAINING ONLY") {
				t.Errorf("issuer %s, want the training CA", full.Issuer)
			}
			// The status screen of the next session shows the new expiry.
			h.panel.Insert(name)
			h.drain()
			h.want("STATUS")
			s := h.p.k.Snapshot()
			if !s.Auth.Present || s.Auth.NotAfter.Format("2006-01-02") != after.AuthCert.NotAfter.In(policy.JST).Format("2006-01-02") {
				t.Fatalf("status shows %+v, card holds %v", s.Auth, after.AuthCert.NotAfter)
			}
			if y := s.Auth.NotAfter.Year(); y < testNow.Year()+4 {
				t.Errorf("new expiry %v: not a five-year certificate", s.Auth.NotAfter)
			}
			if !strings.Contains(test.RenderToMarkup(h.w.Canvas()), h.p.k.Tr().Date(s.Auth.NotAfter)) {
				t.Error("status screen does not show the new expiry date")
			}
			// The new PINs are the card's.
			c := card.New(h.p.reader)
			if err := c.Verify(card.PINAuth, []byte("2468")); err != nil {
				t.Errorf("new auth PIN: %v", err)
			}
			if err := c.Verify(card.PINSign, []byte("NEWSIGN7")); err != nil {
				t.Errorf("new sign PIN: %v", err)
			}
			// Nothing personal and no PIN in the database or the data directory.
			h.p.st.Close()
			if n := storetest.ScanFiles(t, h.dir, "NEWSIGN7", "2468", per.BasicPIN); n == 0 {
				t.Error("privacy scan read no files")
			}
		})
	}
}

// TestDemoPanelApprovalIsGuarded: the operator panel's clerk approves
// through the same approval book; a forged approval for the waiting ticket
// is refused by the guarded issuer and nothing is written.
func TestDemoPanelApprovalIsGuarded(t *testing.T) {
	h := newHeadless(t)
	per := persona(t, vcard.PersonaRenewable)
	h.insert(per.Name)
	before := h.status().AuthCert
	h.prepare(per)
	tk := h.p.k.Snapshot().Ticket
	h.p.k.Send(flow.StaffApproved{TicketID: tk.ID, ApprovalID: "t" + tk.ID + ".a1.nforged.00"})
	h.drain()
	h.want("NEW_PIN")
	h.newPINsExpectFailure("NEWSIGN7", "2468")
	if after := h.status().AuthCert; after.Serial.Cmp(before.Serial) != 0 {
		t.Fatal("a forged approval wrote a certificate")
	}

	// A proper approval from the panel works.
	h.panel.Insert(per.Name)
	h.drain()
	h.prepareAgain(per)
	if err := h.panel.Approve(); err != nil {
		t.Fatal(err)
	}
	h.drain()
	h.newPINs("NEWSIGN7", "2468")
	if after := h.status().AuthCert; after.Serial.Cmp(before.Serial) == 0 {
		t.Fatal("the panel's approval wrote no certificate")
	}
}

func (h *headless) newPINsExpectFailure(sign, auth string) {
	h.t.Helper()
	for _, pin := range []string{sign, sign, auth, auth} {
		h.pinOK(pin)
	}
	h.want("FAILED")
}

// chooseBoth goes from the status screen to the summary of renewing both
// certificates (the PINs of persona per typed where asked).
func (h *headless) chooseBoth(per *vcard.Persona) {
	h.t.Helper()
	h.want("STATUS")
	h.tap("service.PREPARE")
	h.pinOK(per.BasicPIN)
	h.tap("certs.BOTH")
	if h.p.k.ScreenID() == "ENTER_PIN" {
		h.pinOK(per.SignPIN)
	}
}

func (h *headless) prepareAgain(per *vcard.Persona) {
	h.t.Helper()
	h.chooseBoth(per)
	h.tap("next")
	h.want("WAIT_APPROVAL")
}

// TestDemoStaffPINReset: on the auth-locked persona the demo clerk opens a
// PIN-reset case on the staff screens, the resident types the new PIN twice,
// and the card's authentication PIN works again with its 3 tries.
func TestDemoStaffPINReset(t *testing.T) {
	h := newHeadless(t)
	h.insert(vcard.PersonaAuthLocked)
	h.want("STATUS")
	if n, _ := card.New(h.p.reader).Retries(card.PINAuth); n != 0 {
		t.Fatalf("auth PIN has %d tries before the reset", n)
	}
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF12})
	h.signIn()
	h.want("staff.menu")
	h.tap("staff.tile.case")
	h.tap("staff.kind.pin_reset")
	h.tap("staff.case.open")
	h.tap("staff.doc.HOLDER_IDENTITY.mynumber_card")
	h.tap("staff.doc.MYNUMBER_CARD")
	h.tap("staff.case.approve")
	h.tap("staff.case.hand_over")
	h.want("staff.pin")
	h.typePIN("1357")
	h.tap("staff.pin.ok")
	h.typePIN("1357")
	h.tap("staff.pin.ok")
	if h.p.k.Button("staff.pin.finish") == nil {
		h.t.Fatalf("PIN reset did not finish: %s", test.RenderToMarkup(h.w.Canvas()))
	}
	c := card.New(h.p.reader)
	if n, err := c.Retries(card.PINAuth); err != nil || n != 3 {
		t.Fatalf("auth PIN tries after the reset: %d, %v", n, err)
	}
	if err := c.Verify(card.PINAuth, []byte("1357")); err != nil {
		t.Fatalf("the new auth PIN: %v", err)
	}
	h.tap("staff.pin.finish")
	h.p.st.Close()
	storetest.ScanFiles(t, h.dir, "1357")
}

// TestRetentionPurgeAtStart: assemble purges by the profile's retention.
func TestRetentionPurgeAtStart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	old := testNow.AddDate(-3, 0, 0)
	st, err := store.Open(db, store.Options{Now: func() time.Time { return old }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(context.Background(), 0, "test_event", store.Detail{"x": 1}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	p, err := assemble(a, w, config{demo: true, profile: "moriya", data: dir},
		seams{exec: &flow.QueueExecutor{}, now: func() time.Time { return testNow }, keyGen: poolKeyGen(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	var n int
	if err := p.st.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE kind = 'test_event'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d events older than %d days kept", n, p.prof.RetentionDays)
	}
}

// TestProfileSettingTakesEffect: a supervisor picks another municipality on
// the staff settings screen; the next resident's eligibility shows that
// profile's documents, new sessions are recorded under it, and the next
// start keeps it over -profile.
func TestProfileSettingTakesEffect(t *testing.T) {
	h := newHeadless(t)
	h.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF12})
	h.signIn()
	h.tap("staff.tile.settings")
	h.tap("staff.settings.profile.kakamigahara")
	h.tap("staff.settings.save")
	h.tap("staff.signout")

	per := persona(t, vcard.PersonaRenewable)
	h.insert(per.Name)
	h.chooseBoth(per)
	h.want("ELIGIBILITY")
	for _, c := range h.p.k.Snapshot().Choices { // 001: renew needs the application form; 000's expiry notice is not asked
		if !slices.Contains(c.Documents, string(policy.DocApplicationForm)) || slices.Contains(c.Documents, string(policy.DocExpiryNotice)) {
			t.Errorf("%v documents %v: want kakamigahara's", c.Cert, c.Documents)
		}
	}
	var prof string
	if err := h.p.st.DB().QueryRow(`SELECT profile FROM sessions ORDER BY id DESC LIMIT 1`).Scan(&prof); err != nil || prof != "kakamigahara" {
		t.Errorf("last session under profile %q (%v)", prof, err)
	}

	h.p.stop()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	p, err := assemble(a, w, config{demo: true, profile: "moriya", data: h.dir},
		seams{exec: &flow.QueueExecutor{}, now: func() time.Time { return testNow }, keyGen: poolKeyGen(t)})
	if err != nil {
		t.Fatal(err)
	}
	if p.prof.ID != "kakamigahara" {
		t.Errorf("restarted with profile %s, want the stored kakamigahara", p.prof.ID)
	}
	p.stop()
	// A profile file on the command line stays in force.
	b, err := os.ReadFile(filepath.Join("..", "..", "assets", "profiles", "moriya.toml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "mytown.toml")
	os.WriteFile(file, b, 0o600)
	p, err = assemble(test.NewTempApp(t), test.NewTempWindow(t, nil), config{demo: true, profile: file, data: h.dir},
		seams{exec: &flow.QueueExecutor{}, now: func() time.Time { return testNow }, keyGen: poolKeyGen(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	if p.prof.ID != "mytown" {
		t.Errorf("started with -profile %s: profile %s", file, p.prof.ID)
	}
}

func TestWindowSize(t *testing.T) {
	for _, c := range []struct {
		c    config
		want fyne.Size
		err  bool
	}{
		{config{}, fyne.NewSize(1920, 1080), false},
		{config{windowed: true}, fyne.NewSize(1280, 800), false},
		{config{windowed: true, size: "1920x1080"}, fyne.NewSize(1920, 1080), false},
		{config{size: "1280x800"}, fyne.NewSize(1280, 800), false},
		{config{size: "1280"}, fyne.Size{}, true},
		{config{size: "10x10"}, fyne.Size{}, true},
		{config{size: "axb"}, fyne.Size{}, true},
	} {
		got, err := windowSize(c.c)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("windowSize(%+v) = %v, %v", c.c, got, err)
		}
	}
}
