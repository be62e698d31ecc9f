package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// staffPIN is the resident's part of a counter case: the new PIN of each
// certificate, twice, on the kiosk's keypad (scrambled when set). The clerk
// has handed the terminal over: the PIN is masked, has no show toggle here,
// lives only in the field's buffer and goes straight to the card port.
type staffPIN struct {
	staffScreen
	cert  policy.Cert
	stage staff.PINStage
	field *PINField
	pad   *Keypad
	// auditErr: a finished piece of card work the trail could not record.
	auditErr string
}

func init() {
	Register(idStaffPIN, func(k *Kiosk) Screen { return &staffPIN{staffScreen: newStaffScreen(k)} })
}

// Field and Keypad are the PIN widgets (tests).
func (p *staffPIN) Field() *PINField { return p.field }

// Keypad is the on-screen keypad.
func (p *staffPIN) Keypad() *Keypad { return p.pad }

// Dispose wipes the PIN buffer.
func (p *staffPIN) Dispose() {
	if p.field != nil {
		p.field.Wipe()
	}
}

func (p *staffPIN) build(c policy.Cert) {
	if p.field != nil {
		p.field.Wipe()
	}
	_, hi := policy.PINLimits(staff.Kind(c))
	accept, mode := DigitsOnly, KeypadDigits
	if c == policy.CertSign {
		accept, mode = UpperAlnum, KeypadAlnum
	}
	p.field = NewPINField(hi, accept)
	p.field.OnSubmit = p.onOK
	var rnd = p.k.rnd
	if !p.k.opts.Scramble {
		rnd = nil
	}
	p.pad = NewKeypad(mode, rnd, p.t("keypad.backspace"))
	p.pad.OnRune = func(r rune) { p.field.Append(r) }
	p.pad.OnBackspace = p.field.Backspace
	p.pad.OnClear = p.field.Wipe
	p.pad.SetLabels(p.t("keypad.backspace"), p.t("keypad.clear"))
	p.cert = c
}

// Page shows the PIN field and keypad, or the end of the case.
func (p *staffPIN) Page(flow.Snapshot) Page {
	if p.d == nil || p.d.pins == nil {
		return noDesk(p.k)
	}
	e := p.d.pins
	title := p.t("staff.title.pin")
	switch e.Stage() {
	case staff.PINDone:
		rows := []fyne.CanvasObject{p.banner()}
		if p.auditErr != "" {
			rows = append(rows, WarningPanel(p.auditErr))
		}
		return Page{Title: title, Body: container.NewVBox(append(rows, Heading(p.t("staff.pin.done_lead")), Body(p.t("staff.pin.done_explain")))...),
			Primary: &Action{ID: "staff.pin.finish", Label: p.t("staff.action.finish_case"), Icon: theme.ConfirmIcon(), Do: p.onFinish}}
	case staff.PINFailed:
		return Page{Title: title, Body: container.NewVBox(p.banner(), WarningPanel(p.t("staff.pin.error.CARD"))),
			Primary:   &Action{ID: "staff.pin.retry", Label: p.t("action.retry"), Icon: theme.ViewRefreshIcon(), Do: func() { e.Retry(); p.k.rebuild() }},
			Secondary: []Action{{ID: "staff.pin.cancel", Label: p.t("action.cancel"), Icon: theme.CancelIcon(), Do: p.onCancel}}}
	}
	w := e.Current()
	if p.field == nil || p.cert != w.Cert || p.stage != e.Stage() {
		p.build(w.Cert)
		p.stage = e.Stage()
	}
	pinName := p.t("pin." + stringsUpper(string(w.Cert)) + ".name")
	rows := []fyne.CanvasObject{p.banner(), Heading(p.t("staff.pin.lead."+string(e.Stage()), "PIN", pinName)),
		Body(p.t("staff.pin.handover")), Body(p.t("pinrule." + pinRuleCode(w.Cert)))}
	switch e.Error() {
	case staff.PINErrRule:
		rows = append(rows, WarningPanel(p.t("staff.pin.error.RULE")))
	case staff.PINErrMismatch:
		rows = append(rows, WarningPanel(p.t("staff.pin.error.MISMATCH")))
	}
	rows = append(rows, container.NewCenter(p.field))
	body := container.NewVBox(append(rows, p.pad.Object())...)
	return Page{Title: title, Body: body, Focus: p.field,
		Primary:   &Action{ID: "staff.pin.ok", Label: p.t("staff.action.pin_ok"), Icon: theme.ConfirmIcon(), Do: p.onOK},
		Secondary: []Action{{ID: "staff.pin.cancel", Label: p.t("action.cancel"), Icon: theme.CancelIcon(), Do: p.onCancel}}}
}

// pinRuleCode is the policy text of a PIN rule (pinrule.CODE).
func pinRuleCode(c policy.Cert) string {
	if c == policy.CertSign {
		return "SIGN"
	}
	return "FOUR_DIGITS"
}

func stringsUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (p *staffPIN) onOK() {
	e := p.d.pins
	if e == nil || p.field == nil {
		return
	}
	pin := p.field.Copy()
	p.field.Wipe()
	w := e.Current()
	before := len(e.Done())
	_ = e.Submit(p.d.ctx(), pin) // wipes pin; a card failure shows as PINFailed
	if len(e.Done()) > before {
		p.recordDone(w)
	}
	p.field = nil // a fresh field for the next entry
	p.k.rebuild()
}

// recordDone audits a finished piece of card work (never the PIN); a write
// that fails is said on the screen and passed to OnAuditError.
func (p *staffPIN) recordDone(w staff.Work) {
	if err := p.d.cfg.Office.RecordCardWork(p.d.ctx(), w, p.d.handedBy); err != nil {
		p.auditErr = p.t("staff.error.store")
		p.d.auditError(err)
	}
}

func (p *staffPIN) onCancel() {
	if p.d.pins != nil {
		p.d.pins.Wipe()
	}
	if p.field != nil {
		p.field.Wipe()
	}
	p.d.pins = nil
	// The staff session ended at the hand-over: the case screen asks the
	// clerk to sign in again, never shows the staff menu to the resident.
	p.k.Show(idStaffCase)
}

func (p *staffPIN) onFinish() {
	if cs := p.d.cur; cs != nil && cs.TicketID != 0 {
		p.d.auditError(p.d.approvals.Finish(p.d.ctx(), cs.TicketID, p.d.handedBy))
	}
	worked := p.d.pins != nil && len(p.d.pins.Done()) > 0
	p.d.pins = nil
	p.d.leave()
	if worked && p.k != nil {
		// The card changed under the resident's session (PIN reset, new
		// certificate): read it again, so that the status screen shows
		// what the card now says (3 tries, not "locked").
		p.k.Send(flow.CardReread{})
	}
}
