package ui

import (
	"context"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// StaffSample is one staff screen for the screenshot program: Show puts the
// kiosk on it with sample data.
type StaffSample struct {
	ID   string
	Show func()
}

// StaffSampleDay is what the staff samples show on a desk: its fixed
// time, a supervisor who signs in, and a ticket waiting for approval
// (ui/samples.OpenStaffDay makes one).
type StaffSampleDay struct {
	At       time.Time
	Clerk    string
	Password []byte
	Ticket   flow.Ticket
}

// StaffSamples attaches the demo staff desk d (on a sample store, see
// ui/samples) to k and returns the staff screens in order. set shows a
// resident snapshot behind the staff screens (the screenshot program's
// still session). Call the returned function to leave staff mode.
func StaffSamples(k *Kiosk, d *StaffDesk, sd StaffSampleDay, set func(flow.Snapshot)) ([]StaffSample, func()) {
	d.Attach(k)
	ctx := context.Background()
	day := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }
	status := flow.Snapshot{Seq: 100, State: flow.StateStatus, CardType: flow.CardMyNumber,
		Auth:  flow.CertView{Known: true, Present: true, Serial: "1A2B3C", NotAfter: day(2027, 1, 15), DaysLeft: 56, Renewable: true},
		Tries: flow.Retries{Auth: 0, Sign: 5, BasicInfo: 3}, Locked: []flow.PIN{flow.PINAuth}}
	wait := status
	wait.Seq, wait.State, wait.Service, wait.Step = 101, flow.StateWaitApproval, flow.ServicePrepare, flow.Step{K: 4, N: 5}
	wait.Tries, wait.Locked = flow.Retries{Auth: 3, Sign: 5, BasicInfo: 3}, nil
	wait.Genuine, wait.GenuineGen = "jlis", 2023 // the approval screen shows who issued the card
	wait.Selected, wait.Route, wait.Documents = flow.CertSet{Sign: true, Auth: true}, flow.RouteApproval, []string{"MYNUMBER_CARD", "APPLICATION_FORM"}
	wait.Choices = []flow.CertEligibility{
		{Cert: flow.CertSign, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, NewExpiry: day(2032, 5, 3)},
		{Cert: flow.CertAuth, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, NewExpiry: day(2032, 5, 3)},
	}
	wait.Ticket = &sd.Ticket

	signIn := func() {
		if _, ok := d.desk.Clerk(); !ok {
			// A copy: the desk wipes the password it is given.
			if _, err := d.desk.SignIn(ctx, sd.Clerk, append([]byte(nil), sd.Password...)); err != nil {
				panic("staff samples: sign-in of the sample supervisor failed: " + err.Error())
			}
		}
		d.desk.Touch()
	}
	show := func(snap flow.Snapshot, id string) {
		set(snap)
		k.Show(id)
	}
	screen := func() Screen { return k.Screen() }
	openCase := func(in staff.CaseInput) *staff.Case {
		in.Today = policy.DateOf(sd.At)
		c, _ := d.counter.Open(in, "auth:1a2b3c", 0, 0)
		d.cur = c
		return c
	}
	out := []StaffSample{
		{idStaffSignIn, func() {
			d.desk.SignOut()
			show(status, idStaffSignIn)
			if s, ok := screen().(*staffSignIn); ok {
				s.id.SetText("clerk7")
				s.errMsg = k.tr.T("staff.signin.error.LOCKED_UNTIL", "Time", "14:20")
				k.rebuild()
			}
		}},
		{idStaffMenu, func() { signIn(); show(wait, idStaffMenu) }},
		{idStaffApprove, func() {
			signIn()
			show(wait, idStaffApprove)
			if a, ok := screen().(*staffApprove); ok {
				a.ids = []policy.IDDocument{policy.IDMyNumberCard}
				a.expiry.SetText("2034-05-03")
				k.rebuild()
			}
		}},
		{idStaffApprove + ".decline", func() {
			signIn()
			show(wait, idStaffApprove)
			if a, ok := screen().(*staffApprove); ok {
				a.declining = true
				k.rebuild()
			}
		}},
		{idStaffCase, func() { signIn(); d.cur = nil; show(status, idStaffCase) }},
		{idStaffCase + ".legal_rep", func() {
			signIn()
			c := openCase(staff.CaseInput{Kind: staff.CaseLegalRep, Purpose: policy.PurposeNew, Certs: []policy.Cert{policy.CertSign, policy.CertAuth}, Under15: true, DomicileInCity: true})
			if c != nil {
				c.List.Tick(policy.DocHolderInPerson, true)
				c.List.ToggleID(policy.DocLegalRepPhotoID, policy.IDDriversLicence)
			}
			show(status, idStaffCase)
		}},
		{idStaffCase + ".proxy_letter", func() {
			signIn()
			if c := openCase(staff.CaseInput{Kind: staff.CaseProxy, Purpose: policy.PurposeNew, Certs: []policy.Cert{policy.CertAuth}}); c != nil {
				c.Step = staff.StepLetterPending
			}
			show(status, idStaffCase)
		}},
		{idStaffCase + ".pin_reset", func() {
			signIn()
			c := openCase(staff.CaseInput{Kind: staff.CasePINReset, Certs: []policy.Cert{policy.CertAuth}})
			if c != nil {
				c.List.ToggleID(staff.DocHolderIdentity, policy.IDHealthInsurance)
				c.List.ToggleID(staff.DocHolderIdentity, policy.IDPensionBook)
			}
			show(status, idStaffCase)
		}},
		{idStaffPIN, func() {
			signIn()
			d.pins = staff.NewPINEntry(d.cfg.Work, []staff.Work{{Cert: policy.CertAuth, Purpose: policy.PurposePINReset}})
			show(status, idStaffPIN)
			if p, ok := screen().(*staffPIN); ok && p.field != nil {
				p.field.Append('1')
				p.field.Append('2')
			}
		}},
		{idStaffDashboard, func() { signIn(); show(status, idStaffDashboard) }},
		{idStaffSettings, func() { signIn(); show(status, idStaffSettings) }},
		{idStaffExit, func() { signIn(); show(status, idStaffExit) }},
	}
	return out, d.leave
}
