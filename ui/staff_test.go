package ui

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/storetest"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

const staffPW = "correct horse battery"

var cheapArgon = store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}

// fakeWork is the card side of counter cases; it keeps the PINs only so the
// test can check they reached the card.
type fakeWork struct {
	resets, issues []staff.Work
	pins           []string
	fail           error // returned by ResetPIN (a card pulled mid-entry)
}

func (f *fakeWork) ResetPIN(_ context.Context, w staff.Work, pin []byte) error {
	if f.fail != nil {
		return f.fail
	}
	f.resets = append(f.resets, w)
	f.pins = append(f.pins, string(pin))
	return nil
}

func (f *fakeWork) Issue(_ context.Context, w staff.Work, pin []byte) error {
	f.issues = append(f.issues, w)
	f.pins = append(f.pins, string(pin))
	return nil
}

type staffRig struct {
	t     *testing.T
	k     *Kiosk
	w     fyne.Window
	s     *fakeSession
	st    *store.Store
	desk  *StaffDesk
	clock *samples.Clock
	work  *fakeWork
	path  string
	quit  int
	saved []staff.Settings
}

// newStaffRig builds a kiosk with staff mode on a temporary store, with a
// clerk (clerk1) and a supervisor (super1), at 10:00 on a weekday.
func newStaffRig(t *testing.T, profileName string, snap flow.Snapshot) *staffRig {
	t.Helper()
	r := &staffRig{t: t, clock: samples.NewClock(time.Date(2025, 6, 10, 10, 0, 0, 0, store.JST)), work: &fakeWork{}}
	r.path = filepath.Join(t.TempDir(), "kiosk.db")
	st, err := store.Open(r.path, store.Options{Now: r.clock.Now, Argon2: &cheapArgon})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	ctx := context.Background()
	for id, role := range map[string]store.Role{"clerk1": store.RoleClerk, "super1": store.RoleSupervisor} {
		if err := st.AddStaff(ctx, id, role, []byte(staffPW), ""); err != nil {
			t.Fatal(err)
		}
	}
	r.start(profileName, snap)
	return r
}

func (r *staffRig) start(profileName string, snap flow.Snapshot) {
	t := r.t
	p, err := policy.LoadProfile(profileName)
	if err != nil {
		t.Fatal(err)
	}
	a, w, tr := testApp(t)
	r.s = &fakeSession{snap: snap}
	r.desk = NewStaffDesk(StaffConfig{Office: staff.NewOffice(r.st, nil), Profile: p, Work: r.work, Now: r.clock.Now, ExportDir: t.TempDir(),
		Quit: func() { r.quit++ }, OnSettings: func(s staff.Settings) { r.saved = append(r.saved, s) }})
	r.k = New(a, w, tr, r.s, Options{Staff: r.desk.Hook})
	r.w = w
	// The invariant of every staff test: a screen the resident holds never
	// runs with a staff session open, and no staff screen but the sign-in
	// shows without one.
	r.k.OnRender(func(id string) {
		_, on := r.desk.Desk().Clerk()
		switch {
		case ResidentHeld(id) && on:
			t.Errorf("screen %s is the resident's, but the staff session is open", id)
		case !ResidentHeld(id) && id != idStaffSignIn && !on:
			t.Errorf("staff screen %s shown without a staff session", id)
		}
	})
	t.Cleanup(func() {
		if m := tr.Missing(); len(m) > 0 {
			t.Errorf("messages missing: %v", m)
		}
	})
}

// tap taps the button registered under id on the current page.
func (r *staffRig) tap(id string) {
	r.t.Helper()
	b := r.k.Button(id)
	if b == nil {
		r.t.Fatalf("screen %s has no button %q", r.k.ScreenID(), id)
	}
	if b.Disabled() {
		r.t.Fatalf("button %q is disabled", id)
	}
	test.Tap(b)
}

func (r *staffRig) screen(want string) {
	r.t.Helper()
	if got := r.k.ScreenID(); got != want {
		r.t.Fatalf("screen %s, want %s", got, want)
	}
}

// signIn types the credentials (typing counts no taps) and taps sign-in.
func (r *staffRig) signIn(id, pw string) {
	r.t.Helper()
	r.screen(idStaffSignIn)
	si := r.k.Screen().(*staffSignIn)
	si.IDEntry().SetText(id)
	si.PasswordEntry().SetText(pw)
	r.tap("staff.signin")
}

// texts returns every text drawn in the window.
func (r *staffRig) texts() string {
	var b strings.Builder
	for _, o := range test.LaidOutObjects(r.w.Canvas().Content()) {
		if t, ok := o.(*canvas.Text); ok && o.Visible() {
			b.WriteString(t.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// see fails the test unless the screen shows s, perhaps wrapped over lines.
func (r *staffRig) see(s string) {
	r.t.Helper()
	all := r.texts()
	if !strings.Contains(all, s) && !strings.Contains(strings.ReplaceAll(all, "\n", ""), s) && !strings.Contains(strings.ReplaceAll(all, "\n", " "), s) {
		r.t.Fatalf("screen %s does not show %q:\n%s", r.k.ScreenID(), s, r.texts())
	}
}

func (r *staffRig) tr(id string, kv ...any) string { return r.k.tr.T(id, kv...) }

func TestStaffSignInLockoutAndTimeout(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	// F12 (the staff key) asks for the sign-in; without a hook nothing else opens.
	r.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF12})
	r.screen(idStaffSignIn)
	r.signIn("clerk1", "wrong password!")
	r.screen(idStaffSignIn)
	r.see(r.tr("staff.signin.error.BAD_CREDENTIALS"))
	if r.k.Screen().(*staffSignIn).PasswordEntry().Text != "" {
		t.Error("the password stays in the field after a failed sign-in")
	}
	for i := 2; i <= store.MaxSignInFailures; i++ {
		r.signIn("clerk1", "wrong password!")
	}
	until := r.clock.Now().Add(store.LockoutDuration).Format("15:04")
	r.see(r.tr("staff.signin.error.LOCKED_UNTIL", "Time", until))
	r.signIn("clerk1", staffPW) // still locked
	r.see(r.tr("staff.signin.error.LOCKED_UNTIL", "Time", until))

	// Another account signs in; the staff menu shows, with the banner.
	r.signIn("super1", staffPW)
	r.screen(idStaffMenu)
	r.see("super1")
	if r.k.Button("staff.tile.settings") == nil || r.k.Button("staff.tile.exit") == nil {
		t.Error("a supervisor's menu lacks settings or exit")
	}
	// Idle past the staff timeout: back to the resident's screen, signed out.
	r.clock.Add(staff.DefaultStaffTimeout + time.Second)
	if !r.desk.CheckTimeout() {
		t.Fatal("staff session did not time out")
	}
	r.screen(flow.StateStatus.String())
	r.k.staff(StaffMenu)
	r.screen(idStaffSignIn)
}

func TestStaffExitNeedsSupervisor(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.k.staff(StaffExit) // window close / Escape
	r.signIn("clerk1", staffPW)
	r.screen(idStaffExit)
	r.see(r.tr("staff.exit.not_allowed"))
	if r.k.Button("staff.exit") != nil {
		t.Fatal("a clerk is offered the exit")
	}
	r.tap("staff.signout")
	r.k.staff(StaffExit)
	r.signIn("super1", staffPW)
	r.screen(idStaffExit)
	r.tap("staff.exit")
	if r.quit != 1 {
		t.Fatalf("Quit called %d times", r.quit)
	}
}

// waitSnap is a resident waiting for approval of a renewal of both
// certificates, with the ticket drawn in the store.
func waitSnap(t *testing.T, st *store.Store) (flow.Snapshot, store.Ticket) {
	t.Helper()
	tk, err := st.IssueTicket(context.Background(), store.TicketRequest{Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: store.RouteApproval})
	if err != nil {
		t.Fatal(err)
	}
	s := statusSnap()
	s.Seq, s.State, s.Service, s.Step = 9, flow.StateWaitApproval, flow.ServicePrepare, flow.Step{K: 4, N: 5}
	s.Auth.Serial = "1A2B3C"
	s.Selected = flow.CertSet{Sign: true, Auth: true}
	s.Choices = []flow.CertEligibility{
		{Cert: flow.CertSign, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, NewExpiry: day(2031, 12, 24)},
		{Cert: flow.CertAuth, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, NewExpiry: day(2031, 12, 24)},
	}
	s.Route, s.Documents = flow.RouteApproval, []string{"MYNUMBER_CARD", "EXPIRY_NOTICE"}
	s.Ticket = &flow.Ticket{Number: tk.Number, ID: strconv.FormatInt(tk.ID, 10)}
	return s, tk
}

// The clerk's part of a prepared renewal: at most 5 taps (DESIGN §7).
func TestStaffApprovalTapBudget(t *testing.T) {
	r := newStaffRig(t, "moriya", flow.Snapshot{})
	snap, tk := waitSnap(t, r.st)
	r.s.snap = snap
	r.k.Send(flow.Tick{})
	r.screen(flow.StateWaitApproval.String())
	r.k.ResetTaps()

	r.tap("staff")              // 1: the clerk's button on the waiting screen
	r.signIn("clerk1", staffPW) // 2
	r.screen(idStaffApprove)
	r.see(r.tr("staff.approve.fee", "Fee", r.k.tr.Yen(0)))
	r.see(r.tr("staff.purpose.renew"))
	r.see(r.tr("doc.EXPIRY_NOTICE"))
	// Approving without an identity check is refused.
	r.tap("staff.approve")
	r.see(r.tr("staff.approve.error.identity"))
	if len(r.s.events) != 1 { // the Tick only
		t.Fatalf("events %v", r.s.events)
	}
	r.tap("staff.signout")
	r.screen(flow.StateWaitApproval.String())
	r.k.ResetTaps()
	r.tap("staff")
	r.signIn("clerk1", staffPW)
	r.tap("staff.id." + string(policy.IDMyNumberCard)) // 3
	r.k.Screen().(*staffApprove).ExpiryEntry().SetText("2034-03-31")
	r.tap("staff.approve") // 4
	if n := r.k.Taps(); n > 5 {
		t.Errorf("clerk's part took %d taps, budget 5", n)
	} else {
		t.Logf("clerk's part of a prepared renewal: %d taps", n)
	}
	ev, ok := r.s.events[len(r.s.events)-1].(flow.StaffApproved)
	if !ok {
		t.Fatalf("last event %#v, want StaffApproved", r.s.events[len(r.s.events)-1])
	}
	if ev.TicketID != snap.Ticket.ID || ev.CardExpiry.Format("2006-01-02") != "2034-03-31" {
		t.Errorf("event %+v", ev)
	}
	if _, err := r.desk.Approvals().Verify(context.Background(), ev.ApprovalID, tk.ID, "auth:1a2b3c"); err != nil {
		t.Errorf("the approval does not verify for its ticket and card: %v", err)
	}
	if _, err := r.desk.Approvals().Verify(context.Background(), ev.ApprovalID, tk.ID, "auth:ffff"); err == nil {
		t.Error("the approval verifies for another card")
	}
	if _, ok := r.desk.Desk().Clerk(); ok {
		t.Error("the clerk stays signed in after handing the kiosk back")
	}
	if r.k.ScreenID() == idStaffApprove {
		t.Error("the staff screen stays up for the resident")
	}
}

func TestStaffDecline(t *testing.T) {
	r, tk := approvalBy(t, "clerk1")
	r.tap("staff.decline")
	r.screen(idStaffApprove)
	r.see(r.tr("staff.approve.decline_lead"))
	r.tap("staff.reason.DOCUMENTS_MISSING")
	ev, ok := r.s.events[len(r.s.events)-1].(flow.StaffDeclined)
	if !ok || ev.TicketID != r.s.snap.Ticket.ID || ev.Reason != "DOCUMENTS_MISSING" {
		t.Fatalf("last event %#v", r.s.events[len(r.s.events)-1])
	}
	got, _ := r.st.Ticket(context.Background(), tk.ID)
	if got.Status != store.TicketDeclined {
		t.Errorf("ticket %s", got.Status)
	}
}

// openCase signs in from the menu and opens the counter case screen.
func (r *staffRig) openCase(user string) {
	r.t.Helper()
	r.k.staff(StaffMenu)
	r.signIn(user, staffPW)
	r.screen(idStaffMenu)
	r.tap("staff.tile.case")
	r.screen(idStaffCase)
}

// typePIN types a PIN on the staff PIN screen's keypad and taps OK.
func (r *staffRig) typePIN(pin string) {
	r.t.Helper()
	r.screen(idStaffPIN)
	p := r.k.Screen().(*staffPIN)
	for _, c := range pin {
		test.Tap(p.Keypad().Key(c))
	}
	if strings.Contains(r.texts(), pin) {
		r.t.Fatalf("the PIN %s is drawn on screen", strings.Repeat("*", len(pin)))
	}
	r.tap("staff.pin.ok")
}

func TestStaffLegalRepChecklist(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "77AA"
	r := newStaffRig(t, "kakamigahara", s)
	r.openCase("clerk1")
	r.tap("staff.kind.legal_rep")
	r.tap("staff.cert.sign") // both certificates asked
	r.tap("staff.flag.under15")
	r.tap("staff.flag.domicile")
	r.tap("staff.case.open")
	cs := r.desk.Case()
	if cs == nil {
		t.Fatalf("no case: %s", r.texts())
	}
	// Policy refuses the signature certificate for an under-15, and the
	// family register is waived for a domicile in Kakamigahara.
	r.see(r.tr("staff.case.refused", "Cert", r.tr("cert.SIGN.name")))
	if r.k.Button("staff.doc.PROOF_OF_AUTHORITY") != nil {
		t.Error("proof of authority asked despite the Kakamigahara waiver")
	}
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.error.incomplete"))
	r.tap("staff.doc.HOLDER_IN_PERSON")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.doc.APPLICATION_FORM")
	if r.k.Button("staff.doc.LEGAL_REP_PHOTO_ID.health_insurance") != nil {
		t.Error("non-photo IDs offered for a legal representative (photo only)")
	}
	r.tap("staff.doc.LEGAL_REP_PHOTO_ID.drivers_licence")
	r.tap("staff.case.approve")
	if cs.Step != staff.StepApproved {
		t.Fatalf("step %s: %s", cs.Step, r.texts())
	}
	r.tap("staff.case.hand_over")
	r.typePIN("2580")
	r.typePIN("2580")
	r.screen(idStaffPIN)
	r.see(r.tr("staff.pin.done_lead"))
	if len(r.work.issues) != 1 || r.work.issues[0].Cert != policy.CertAuth || r.work.pins[0] != "2580" {
		t.Fatalf("card work %+v", r.work.issues)
	}
	r.tap("staff.pin.finish")
	r.screen(flow.StateStatus.String())
	tk, _ := r.st.Ticket(context.Background(), cs.TicketID)
	if tk.Status != store.TicketDone {
		t.Errorf("ticket %s after the case, want done", tk.Status)
	}
}

func TestStaffPINReset(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "0C0FFEE"
	s.Tries.Auth, s.Locked = 0, []flow.PIN{flow.PINAuth}
	r := newStaffRig(t, "moriya", s)
	r.openCase("clerk1")
	r.tap("staff.kind.pin_reset")
	r.tap("staff.case.open")
	r.tap("staff.doc.HOLDER_IDENTITY.health_insurance")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.error.incomplete")) // one non-photo ID is not enough
	r.tap("staff.doc.HOLDER_IDENTITY.pension_book")
	r.tap("staff.case.approve")
	r.tap("staff.case.hand_over")
	r.see(r.tr("staff.pin.lead.NEW", "PIN", r.tr("pin.AUTH.name")))
	r.typePIN("13")
	r.tap("staff.pin.ok") // too short: refused, nothing sent
	r.typePIN("1357")
	r.see(r.tr("staff.pin.lead.REPEAT"))
	r.typePIN("1358")
	r.see(r.tr("staff.pin.error.MISMATCH"))
	r.typePIN("1357")
	r.typePIN("1357")
	r.see(r.tr("staff.pin.done_lead"))
	if len(r.work.resets) != 1 || r.work.pins[0] != "1357" || r.work.resets[0].Purpose != policy.PurposePINReset {
		t.Fatalf("resets %+v", r.work.resets)
	}
	r.tap("staff.pin.finish")
	// The PIN reached the card and nothing else: not the database.
	r.st.Close()
	if n := storetest.ScanFiles(t, filepath.Dir(r.path), "1357", "1358"); n == 0 {
		t.Error("privacy scan read no files")
	}
}

func TestStaffVoluntaryProxyTwoVisits(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "ABCDEF01"
	r := newStaffRig(t, "kakamigahara", s)
	r.openCase("clerk1")
	r.tap("staff.kind.proxy")
	r.tap("staff.case.open")
	r.see(r.tr("staff.case.visit", "K", 1, "N", 2))
	if r.k.Button("staff.doc.INQUIRY_REPLY") != nil {
		t.Error("the returned inquiry letter is asked on the first visit")
	}
	r.tap("staff.doc.APPLICATION_FORM")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.doc.PROXY_PHOTO_ID.passport")
	r.tap("staff.case.first_visit")
	r.see(r.tr("staff.case.letter_lead"))
	r.k.Screen().(*staffCase).LetterRefEntry().SetText("L-0007")
	r.tap("staff.case.letter_sent")
	r.see(r.tr("staff.case.letter_sent_lead"))
	r.tap("staff.case.close")

	// Nine days later, after a restart of the kiosk.
	r.st.Close()
	r.clock.Add(9 * 24 * time.Hour)
	st, err := store.Open(r.path, store.Options{Now: r.clock.Now, Argon2: &cheapArgon})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r.st = st
	r.start("kakamigahara", s)
	r.openCase("clerk1")
	r.tap("staff.case.resume")
	r.see(r.tr("staff.case.visit", "K", 2, "N", 2))
	r.tap("staff.doc.PROXY_PHOTO_ID.drivers_licence")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.error.incomplete"))
	r.tap("staff.doc.INQUIRY_REPLY")
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.approved_lead"))
	cs := r.desk.Case()
	pc, err := st.ProxyCase(context.Background(), cs.ProxyID)
	if err != nil || pc.State != store.ProxyCompleted || pc.LetterRef != "L-0007" {
		t.Fatalf("proxy case %+v, %v", pc, err)
	}
}

func TestStaffReissueLostFee(t *testing.T) {
	r := reissueLostCase(t)
	r.tap("staff.doc.HOLDER_IDENTITY.mynumber_card")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.doc.ISSUE_FEE_200")
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.error.fee"))
	r.tap("staff.case.fee")
	r.see(r.tr("staff.case.fee_recorded", "Fee", r.k.tr.Yen(200)))
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.approved_lead"))
}

func TestStaffDashboardAndExport(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	ctx := context.Background()
	for i, o := range []store.Outcome{store.OutcomeDone, store.OutcomeDone, store.OutcomeTimeout} {
		id, err := r.st.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: "moriya"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			r.st.Append(ctx, id, store.KindPINLocked, store.Detail{"cert": "auth"})
		}
		r.st.EndSession(ctx, id, store.SessionEnd{Outcome: o})
	}
	r.st.IssueTicket(ctx, store.TicketRequest{Certificates: []string{"auth"}, Purpose: "renew", Route: store.RouteApproval})

	r.k.staff(StaffMenu)
	r.signIn("clerk1", staffPW)
	r.tap("staff.tile.dashboard")
	r.screen(idStaffDashboard)
	r.see(r.tr("staff.dash.by_hour"))
	r.see(r.tr("staff.outcome.done"))
	r.see(r.tr("staff.export.supervisor_only"))
	if r.k.Button("staff.export") != nil {
		t.Error("a clerk is offered the export")
	}
	// The 10 o'clock bar is the tallest: 3 sessions, drawn with rectangles.
	var bars int
	for _, o := range test.LaidOutObjects(r.w.Canvas().Content()) {
		if rc, ok := o.(*canvas.Rectangle); ok && rc.FillColor == colPrimary && rc.MinSize().Width == 28 && rc.MinSize().Height >= chartHeight-1 {
			bars++
		}
	}
	if bars < 1 {
		t.Error("no full-height bar in the charts")
	}
	r.see("3") // sessions today

	r.tap("staff.signout")
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	r.tap("staff.tile.dashboard")
	d := r.k.Screen().(*staffDashboard)
	from, to, dir := d.Entries()
	out := t.TempDir()
	from.SetText("2025-06-10")
	to.SetText("2025-06-10")
	dir.SetText(out)
	r.tap("staff.export")
	path := filepath.Join(out, "audit-2025-06-10_2025-06-10.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no export file: %v\n%s", err, r.texts())
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], store.ExportColumns) || len(recs) < 8 {
		t.Fatalf("CSV header %v, %d rows", recs[0], len(recs))
	}
	kinds := map[string]int{}
	for _, rec := range recs[1:] {
		kinds[rec[3]]++
	}
	if kinds[store.KindSessionStarted] != 3 || kinds[store.KindPINLocked] != 1 || kinds[store.KindTicketIssued] != 1 {
		t.Errorf("exported kinds %v", kinds)
	}
	r.see(r.tr("staff.export.done", "N", len(recs)-1, "Path", path))
	dir.SetText(filepath.Join(out, "missing"))
	r.tap("staff.export")
	r.see(r.tr("staff.export.error"))
}

func TestStaffSettings(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.k.staff(StaffMenu)
	r.signIn("clerk1", staffPW)
	if r.k.Button("staff.tile.settings") != nil {
		t.Error("a clerk is offered the settings")
	}
	r.tap("staff.signout")
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	r.tap("staff.tile.settings")
	r.screen(idStaffSettings)
	r.tap("staff.settings.idle.120")
	r.tap("staff.settings.staff.600")
	r.tap("staff.settings.scramble.on")
	r.tap("staff.settings.lang.en")
	r.tap("staff.settings.lang.ja") // Japanese cannot be removed
	r.k.Screen().(*staffSettings).PrinterEntry().SetText("TM-T88VI")
	r.tap("staff.settings.save")
	r.see(r.tr("staff.settings.saved", "N", 5))

	ctx := context.Background()
	got, err := staff.LoadSettings(ctx, r.st, staff.Defaults(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got.IdleTimeout != 120*time.Second || !got.Scramble || got.Printer != "TM-T88VI" || got.StaffTimeout != 10*time.Minute ||
		!slices.Equal(got.Languages, []string{"ja", "ja-x-easy", "pt-BR", "zh-Hans", "ko", "vi"}) { // moriya.toml less English
		t.Errorf("stored settings %+v", got)
	}
	var n int
	r.st.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE kind = ? AND json_extract(detail_json, '$.by') = 'super1'`, store.KindSettingChanged).Scan(&n)
	if n != 5 {
		t.Errorf("%d audited changes, want 5", n)
	}
	// Applied at run time.
	if !r.k.opts.Scramble || r.desk.Desk().Timeout() != 10*time.Minute || len(r.saved) != 1 || r.saved[0].IdleTimeout != 120*time.Second {
		t.Errorf("not applied: scramble %v, staff timeout %v, callbacks %d", r.k.opts.Scramble, r.desk.Desk().Timeout(), len(r.saved))
	}
}

// The approval screen says who issued the card; a card that is not J-LIS
// is refused (the rig's kiosk is a production one: no training cards).
func TestStaffApprovalGenuine(t *testing.T) {
	r := newStaffRig(t, "moriya", flow.Snapshot{})
	snap, _ := waitSnap(t, r.st)
	snap.Genuine = "not_jlis"
	r.s.snap = snap
	r.k.Send(flow.Tick{})
	r.tap("staff")
	r.signIn("clerk1", staffPW)
	r.screen(idStaffApprove)
	r.see(r.tr("staff.approve.genuine", "Result", r.tr("staff.genuine.not_jlis")))
	r.tap("staff.id." + string(policy.IDMyNumberCard))
	// The card-face expiry is required (issue 10): typed, so that the
	// refusal is the card's issuer's and not the empty field's.
	r.k.Screen().(*staffApprove).ExpiryEntry().SetText("2034-03-31")
	r.tap("staff.approve")
	r.see(r.tr("staff.approve.error.not_genuine"))
	for _, ev := range r.s.events {
		if _, ok := ev.(flow.StaffApproved); ok {
			t.Fatal("a card that is not J-LIS was approved")
		}
	}

	r2 := newStaffRig(t, "moriya", flow.Snapshot{})
	snap, _ = waitSnap(t, r2.st)
	snap.Genuine, snap.GenuineGen = "jlis", 2023
	r2.s.snap = snap
	r2.k.Send(flow.Tick{})
	r2.tap("staff")
	r2.signIn("clerk1", staffPW)
	r2.see("J-LIS(2023)")
}

// reissueLostCase is a clerk with a counter case open for the signature
// certificate of a card reissued after a loss.
func reissueLostCase(t *testing.T) *staffRig {
	t.Helper()
	s := statusSnap()
	s.Auth.Serial = "5150"
	r := newStaffRig(t, "moriya", s)
	r.openCase("clerk1")
	r.tap("staff.kind.reissue_lost")
	r.tap("staff.cert.sign")
	r.tap("staff.case.open")
	return r
}

// TestStaffSamplesShowTheirScreens: the staged staff samples (the
// screenshot program's) show their own screens, twice over as the program
// does for each language — not the sign-in after the first sign-in wiped
// the sample password.
func TestStaffSamplesShowTheirScreens(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, _ := newTestKiosk(t, s)
	day, err := samples.OpenStaffDay(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer day.Close()
	desk := NewStaffDesk(StaffConfig{Office: staff.NewOffice(day.Store, nil), Profile: day.Profile, Work: samples.NoWork{},
		Now: day.Now, ExportDir: t.TempDir(), Quit: func() {}})
	shots, leave := StaffSamples(k, desk, StaffSampleDay{At: day.At, Clerk: day.Clerk, Password: day.Password, Ticket: day.Ticket},
		func(snap flow.Snapshot) { s.snap = snap; k.Refresh() })
	defer leave()
	if len(shots) < 8 {
		t.Fatalf("%d staff samples", len(shots))
	}
	for round := 0; round < 2; round++ {
		for _, st := range shots {
			st.Show()
			if st.ID != idStaffSignIn && k.ScreenID() == idStaffSignIn {
				t.Errorf("round %d: sample %s shows the sign-in", round, st.ID)
			}
		}
	}
}
