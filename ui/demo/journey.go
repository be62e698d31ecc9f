package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// The demo clerk of a Headless kiosk (a supervisor, as in demo mode).
const (
	headlessStaffID = "demo-clerk"
	headlessStaffPW = "journey-walk"
)

// JourneyTime is the date and hour journeys are walked at: a weekday
// morning inside Moriya's reception hours, so that screens and their
// screenshots do not change with the day they are made.
var JourneyTime = time.Date(2026, 11, 25, 10, 0, 0, 0, policy.JST)

// Headless is the demo kiosk without a display, for the journey tests and
// the screenshot program (cmd/screenshots): the virtual reader, the real
// flow machine with Moriya's rules, the training issuer, a staff desk with
// a demo clerk, and the operator panel's clerk. Card tasks are queued and
// run by Walk (deterministic), on the fixed clock JourneyTime.
type Headless struct {
	Kiosk  *ui.Kiosk
	Win    fyne.Window
	Reader *Reader
	Panel  *Panel
	Desk   *ui.StaffDesk
	q      *flow.QueueExecutor
	st     *store.Store
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// NewHeadless builds the kiosk in w (of Fyne's test app a), with its
// database and training CA in dir.
func NewHeadless(a fyne.App, w fyne.Window, dir string) (*Headless, error) {
	now := func() time.Time { return JourneyTime }
	prof, err := policy.LoadProfile("moriya")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(dir, "kiosk.db"), store.Options{Now: now,
		Argon2: &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}})
	if err != nil {
		return nil, err
	}
	h := &Headless{Win: w, q: &flow.QueueExecutor{}, st: st}
	fail := func(err error) (*Headless, error) { st.Close(); return nil, err }
	if err := st.AddStaff(context.Background(), headlessStaffID, store.RoleSupervisor, []byte(headlessStaffPW), ""); err != nil {
		return fail(err)
	}
	iss, err := issue.NewTraining(dir)
	if err != nil {
		return fail(err)
	}
	opts, err := TrainingOptions(dir)
	if err != nil {
		return fail(err)
	}
	slot := &flow.CardSlot{Issuer: iss, Location: policy.JST}
	iss.SetEvents(slot)
	h.Reader = NewIssuingReader(now, opts, slot)
	approvals := staff.NewApprovals(st)
	approvals.AcceptTraining = true
	var m *flow.Machine
	m, err = flow.New(flow.Config{Card: h.Reader, Rules: flow.PolicyRules{Profile: prof}, Clock: fixedClock(JourneyTime), Exec: h.q,
		KioskID: "DEMO", Location: policy.JST, Recorder: flow.NewStoreRecorder(st, prof.ID, "DEMO"),
		Issuer: staff.GuardedIssuer{Next: slot, Approvals: approvals}})
	if err != nil {
		return fail(err)
	}
	tr, err := i18n.Load()
	if err != nil {
		return fail(err)
	}
	h.Desk = ui.NewStaffDesk(ui.StaffConfig{Office: staff.NewOffice(st, approvals), Profile: prof, Now: now, ExportDir: dir, Quit: func() {}})
	h.Kiosk = ui.New(a, w, tr, machineSession{m}, ui.Options{Demo: true, Staff: h.Desk.Hook})
	h.Desk.Attach(h.Kiosk)
	h.Panel = NewPanel(a, h.Kiosk, h.Reader)
	h.Panel.SetStaff(h.Desk, headlessStaffID, headlessStaffPW)
	return h, nil
}

// machineSession is the flow machine as the kiosk's session.
type machineSession struct{ *flow.Machine }

// Close closes the database.
func (h *Headless) Close() error { return h.st.Close() }

// Drain runs the queued card tasks and hands their results to the kiosk.
func (h *Headless) Drain() {
	for {
		ev, ok := h.q.Step()
		if !ok {
			return
		}
		h.Kiosk.Send(ev)
	}
}

// Journey is one service the kiosk offers one persona, walked from the
// card's insertion to the service's last screen.
type Journey struct {
	Persona string
	// Offer is the service as the status screen offers it.
	Offer flow.Offer
	// SignPIN issues the authentication certificate alone and sets the
	// optional signature PIN; without it an issuance takes both
	// certificates when it can (else one, the optional step skipped).
	SignPIN bool
}

// Name is "persona/SERVICE[.PIN][+sign-pin]".
func (j Journey) Name() string {
	n := j.Persona + "/" + j.Offer.Service.String()
	if j.Offer.PIN != 0 {
		n += "." + j.Offer.PIN.String()
	}
	if j.SignPIN {
		n += "+sign-pin"
	}
	return n
}

// button is the id of the offer's button on the status screen.
func (j Journey) button() string {
	id := "service." + j.Offer.Service.String()
	if j.Offer.PIN != 0 && j.Offer.Service != flow.ServiceSignExpiry {
		id += "." + j.Offer.PIN.String()
	}
	return id
}

// Journeys lists every service the kiosk offers each persona (as its
// status screen offers them), and a card that never reaches the status
// screen (住基カード) as one journey with no service. An issuance or
// renewal is walked twice: with and without the optional signature PIN.
func (h *Headless) Journeys() ([]Journey, error) {
	var out []Journey
	for _, p := range Personas() {
		if err := h.fresh(p.Name); err != nil {
			return nil, err
		}
		s := h.Kiosk.Snapshot()
		if s.State != flow.StateStatus {
			out = append(out, Journey{Persona: p.Name})
			continue
		}
		for _, o := range s.Offers {
			out = append(out, Journey{Persona: p.Name, Offer: o})
			if o.Service == flow.ServicePrepare {
				out = append(out, Journey{Persona: p.Name, Offer: o, SignPIN: true})
			}
		}
	}
	h.Reader.Reset()
	h.Kiosk.Send(flow.CardRemoved{})
	return out, nil
}

// fresh puts a new card of persona into the reader, the kiosk's staff
// session left open by the clerk (the kiosk must close it for the
// resident), and runs the card's reading.
func (h *Headless) fresh(persona string) error {
	h.Reader.Reset()
	h.Kiosk.Send(flow.CardRemoved{})
	h.Drain()
	if _, err := h.Desk.Desk().SignIn(context.Background(), headlessStaffID, []byte(headlessStaffPW)); err != nil {
		return err
	}
	if err := h.Panel.Insert(persona); err != nil {
		return err
	}
	h.Drain()
	return nil
}

// A journey's PINs: the personas' own (vcard) and the new ones it sets.
const (
	newDigitsPIN = "5678"
	newSignPIN   = "XYZ789"
)

// Walk drives j on a fresh card and calls visit on every screen it
// reaches, the first being the screen after the card's reading; visit's
// error ends the walk. The walk ends on the service's last screen (done,
// receipt, ticket, or back on the status screen).
func (h *Headless) Walk(j Journey, visit func(step int) error) error {
	var info *vcard.Info
	for _, p := range Personas() {
		if p.Name == j.Persona {
			info = &p
		}
	}
	if info == nil {
		return fmt.Errorf("no persona %q", j.Persona)
	}
	if err := h.fresh(j.Persona); err != nil {
		return err
	}
	k := h.Kiosk
	tap := func(id string) error {
		b := k.Button(id)
		if b == nil {
			return fmt.Errorf("%s: screen %s has no button %q", j.Name(), k.ScreenID(), id)
		}
		test.Tap(b)
		h.Drain()
		return nil
	}
	typ := func(pin string) error {
		p, ok := k.Screen().(interface{ Keypad() *ui.Keypad })
		if !ok {
			return fmt.Errorf("%s: screen %s is not a PIN screen", j.Name(), k.ScreenID())
		}
		for _, c := range pin {
			b := p.Keypad().Key(c)
			if b == nil {
				return fmt.Errorf("%s: no key %q on %s", j.Name(), c, k.ScreenID())
			}
			test.Tap(b)
		}
		return tap("next")
	}
	started := false
	for step := 0; ; step++ {
		if step > 40 {
			return fmt.Errorf("%s: no end after 40 steps (on %s)", j.Name(), k.ScreenID())
		}
		if err := visit(step); err != nil {
			return err
		}
		s := k.Snapshot()
		var err error
		switch s.State {
		case flow.StateStatus:
			if started || j.Offer.Service == 0 && j.Offer.PIN == 0 {
				return nil
			}
			started = true
			err = tap(j.button())
		case flow.StateLastTryConfirm, flow.StateEligibility, flow.StatePINLocked:
			err = tap("next")
		case flow.StateEnterPIN:
			pin := map[flow.PIN]string{flow.PINAuth: info.AuthPIN, flow.PINSign: info.SignPIN, flow.PINBasicInfo: info.BasicPIN}[s.PIN.Which]
			err = typ(pin)
		case flow.StateNewPIN, flow.StateRepeatPIN:
			switch {
			case s.PIN.Optional && !j.SignPIN && s.State == flow.StateNewPIN:
				err = tap("skip")
			case s.PIN.Digits:
				err = typ(newDigitsPIN)
			default:
				err = typ(newSignPIN)
			}
		case flow.StateChooseCerts:
			ids := []string{"certs.BOTH", "certs.AUTH", "certs.SIGN"}
			if j.SignPIN {
				ids = []string{"certs.AUTH"}
			}
			id := ""
			for _, c := range ids {
				if b := k.Button(c); b != nil && !b.Disabled() {
					id = c
					break
				}
			}
			if id == "" {
				return nil // nothing can be chosen: the service ends here
			}
			err = tap(id)
		case flow.StateWaitApproval:
			if err = h.Panel.Approve(); err == nil {
				h.Drain()
			}
		case flow.StateReading, flow.StateIssuing:
			h.Drain()
			if k.Snapshot().State == s.State {
				return fmt.Errorf("%s: stuck on %s", j.Name(), s.State)
			}
		default: // the service's last screen
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", j.Name(), err)
		}
	}
}
