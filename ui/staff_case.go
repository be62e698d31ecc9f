package ui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// staffCase drives a counter case: the clerk picks the kind of case and
// what the holder asks for, ticks the documents policy lists, records the
// fee, and approves — or, for a voluntary proxy's new issuance, records the
// first visit and the inquiry letter, and completes the case on the second
// visit. The card work then goes to the resident's keypad (staff.pin).
type staffCase struct {
	staffScreen
	kind      staff.CaseKind
	purpose   policy.Purpose
	certs     map[policy.Cert]bool
	under15   bool
	ward      bool
	domicile  bool
	lapse     policy.Revocation // CaseLapsed: the cause the clerk records
	letterRef *widget.Entry
	declining bool
	errMsg    string
	err       error // what errMsg says, to clear it once resolved
	// proxy is the open voluntary-proxy case of the card proxyRef, read
	// once per showing of the open page, not on every render.
	proxyRef    string
	proxyOpened time.Time
	proxyOpen   bool
	proxyErr    error
	// certsSet: the clerk chose the certificates; until then they follow
	// the card's locked PINs.
	certsSet bool
}

func init() {
	Register(idStaffCase, func(k *Kiosk) Screen {
		return &staffCase{staffScreen: newStaffScreen(k), kind: staff.CasePINReset, purpose: policy.PurposeNew,
			certs: map[policy.Cert]bool{policy.CertAuth: true}, lapse: policy.RevokeAddressChange, letterRef: widget.NewEntry()}
	})
}

// LetterRefEntry is the inquiry letter's office reference field (tests).
func (c *staffCase) LetterRefEntry() *widget.Entry { return c.letterRef }

// Page shows the step of the case.
func (c *staffCase) Page(s flow.Snapshot) Page {
	if c.d == nil {
		return noDesk(c.k)
	}
	if c.err != nil { // in the language shown now
		c.errMsg = c.t(staffErrorMessage(c.err))
	}
	cs := c.d.cur
	if cs != nil {
		c.proxyRef = "\x00" // a case may change it: read again when the open page returns
	}
	switch {
	case cs == nil:
		return c.openPage(s)
	case c.declining:
		return c.declinePage(cs)
	}
	switch cs.Step {
	case staff.StepLetterPending:
		return c.letterPage(cs)
	case staff.StepLetterSent:
		return c.notePage(cs, "staff.case.letter_sent_lead", "staff.case.letter_sent_explain")
	case staff.StepApproved:
		return c.approvedPage(cs)
	case staff.StepDeclined:
		return c.notePage(cs, "staff.case.declined_lead", "")
	}
	return c.checklistPage(cs)
}

func (c *staffCase) refresh() {
	if _, ok := c.d.clerk(); ok {
		c.k.rebuild()
	}
}

func (c *staffCase) fail(err error) {
	c.err, c.errMsg = err, c.t(staffErrorMessage(err))
	c.k.rebuild()
}

// openPage chooses the case.
func (c *staffCase) openPage(s flow.Snapshot) Page {
	rows := []fyne.CanvasObject{c.banner()}
	if c.errMsg != "" {
		rows = append(rows, WarningPanel(c.errMsg)) // where the clerk looks: on top
	}
	rows = append(rows, Heading(c.t("staff.case.open_lead")))
	ref := staff.CardRef(s)
	if ref != c.proxyRef {
		c.proxyRef, c.proxyOpen, c.proxyErr = ref, false, nil
		if ref != "" {
			c.proxyOpened, c.proxyOpen, c.proxyErr = c.d.cfg.Office.OpenProxyCase(c.d.ctx(), ref)
		}
	}
	switch {
	case ref == "":
		rows = append(rows, WarningPanel(c.t("staff.case.no_card")))
	case c.proxyErr != nil:
		rows = append(rows, WarningPanel(c.t("staff.error.store")))
	case c.proxyOpen:
		rows = append(rows, Panel(colHeader, container.NewVBox(
			Strong(c.t("staff.case.resume_lead", "Date", c.k.tr.Date(c.proxyOpened))),
			AtLeast(c.k.Tappable("staff.case.resume", c.t("staff.case.resume"), theme.MailSendIcon(), c.onResume), 400, MinTarget))))
	}
	var kinds []fyne.CanvasObject
	for _, k := range staff.CaseKinds {
		k := k
		kinds = append(kinds, c.wrapToggle("staff.kind."+string(k), c.t("staff.kind."+string(k)), c.kind == k, func() { c.kind = k; c.refresh() }))
	}
	rows = append(rows, Strong(c.t("staff.case.kind")), container.NewGridWithColumns(3, kinds...))
	if !c.certsSet && len(s.Locked) > 0 {
		// A locked card: the case defaults to the certificates whose PIN is
		// locked (a sign-locked card to the signature certificate).
		c.certs = map[policy.Cert]bool{}
		for _, p := range s.Locked {
			switch p {
			case flow.PINSign:
				c.certs[policy.CertSign] = true
			case flow.PINAuth:
				c.certs[policy.CertAuth] = true
			}
		}
	}
	var certs []fyne.CanvasObject
	for _, ct := range []policy.Cert{policy.CertSign, policy.CertAuth} {
		ct := ct
		certs = append(certs, c.wrapToggle("staff.cert."+string(ct), c.t("cert."+strings.ToUpper(string(ct))+".name"), c.certs[ct],
			func() { c.certs[ct] = !c.certs[ct]; c.certsSet = true; c.refresh() }))
	}
	certsLabel := "staff.case.certs"
	if c.kind == staff.CasePINReset {
		certsLabel = "staff.case.certs_pin_reset"
	}
	rows = append(rows, Strong(c.t(certsLabel)), container.NewGridWithColumns(2, certs...))
	if c.kind == staff.CaseLegalRep || c.kind == staff.CaseProxy || c.kind == staff.CaseSelf {
		var ps []fyne.CanvasObject
		for _, p := range []policy.Purpose{policy.PurposeNew, policy.PurposeRenew, policy.PurposePINReset} {
			p := p
			if p == policy.PurposePINReset && c.kind == staff.CaseSelf {
				continue
			}
			ps = append(ps, c.wrapToggle("staff.purpose."+string(p), c.t("staff.purpose."+string(p)), c.purpose == p, func() { c.purpose = p; c.refresh() }))
		}
		rows = append(rows, Strong(c.t("staff.case.purpose")), container.NewGridWithColumns(3, ps...))
	}
	if c.kind == staff.CaseLapsed { // moved, name changed...: the certificate lapsed, issue anew
		var causes []fyne.CanvasObject
		for _, r := range staff.LapseCauses {
			r := r
			causes = append(causes, c.wrapToggle("staff.lapse."+string(r), c.t("lapse."+string(r)), c.lapse == r, func() { c.lapse = r; c.refresh() }))
		}
		rows = append(rows, Strong(c.t("staff.case.lapse_cause")), container.NewGridWithColumns(3, causes...))
	}
	if c.kind == staff.CaseLegalRep {
		flags := []fyne.CanvasObject{
			c.wrapToggle("staff.flag.under15", c.t("staff.flag.under15"), c.under15, func() { c.under15 = !c.under15; c.refresh() }),
			c.wrapToggle("staff.flag.ward", c.t("staff.flag.ward"), c.ward, func() { c.ward = !c.ward; c.refresh() }),
			c.wrapToggle("staff.flag.domicile", c.t("staff.flag.domicile"), c.domicile, func() { c.domicile = !c.domicile; c.refresh() }),
		}
		rows = append(rows, Strong(c.t("staff.case.holder")), container.NewGridWithColumns(3, flags...))
	}
	return Page{Title: c.t("staff.title.case"), Body: container.NewVBox(rows...), Wide: true,
		Primary:   &Action{ID: "staff.case.open", Label: c.t("staff.action.open_case"), Icon: theme.NavigateNextIcon(), Do: c.onOpen},
		Secondary: []Action{c.backToMenu()}}
}

func (c *staffCase) today() policy.Date { return policy.DateOf(c.d.now()) }

// residentTicket is the store ID of the resident's ticket, if the session
// drew one (sent to the counter) and it is still open.
func (c *staffCase) residentTicket() (int64, error) {
	s := c.k.Snapshot()
	if s.Ticket == nil {
		return 0, nil
	}
	w, err := c.d.cfg.Office.Waiting(c.d.ctx(), s)
	if err != nil || !w.Open {
		return 0, err
	}
	return w.ID, nil
}

func (c *staffCase) onOpen() {
	if _, ok := c.d.clerk(); !ok {
		return
	}
	in := staff.CaseInput{Kind: c.kind, Purpose: c.purpose, Under15: c.under15 && c.kind == staff.CaseLegalRep,
		AdultWard: c.ward && c.kind == staff.CaseLegalRep, DomicileInCity: c.domicile && c.kind == staff.CaseLegalRep, Today: c.today()}
	if c.kind == staff.CaseLapsed {
		in.Lapse = c.lapse
	}
	for _, ct := range []policy.Cert{policy.CertSign, policy.CertAuth} {
		if c.certs[ct] {
			in.Certs = append(in.Certs, ct)
		}
	}
	s := c.k.Snapshot()
	if in.Purpose == policy.PurposeRenew && s.Auth.Present {
		in.CertExpiry = policy.DateOf(s.Auth.NotAfter)
	}
	tk, err := c.residentTicket()
	if err != nil {
		c.fail(err)
		return
	}
	cs, err := c.d.counter.Open(in, staff.CardRef(s), tk, 0)
	if err != nil {
		c.fail(err)
		return
	}
	c.errMsg, c.err = "", nil
	c.d.cur = cs
	c.k.rebuild()
}

func (c *staffCase) onResume() {
	if _, ok := c.d.clerk(); !ok {
		return
	}
	tk, err := c.residentTicket()
	if err != nil {
		c.fail(err)
		return
	}
	cs, err := c.d.counter.Resume(c.d.ctx(), staff.CardRef(c.k.Snapshot()), c.today(), tk, 0)
	if err != nil || cs == nil {
		c.fail(err)
		return
	}
	c.errMsg, c.err = "", nil
	c.d.cur = cs
	c.k.rebuild()
}

// checklistPage ticks the documents of the current visit.
func (c *staffCase) checklistPage(cs *staff.Case) Page {
	pl := cs.Plan
	c.resolved(cs)
	rows := []fyne.CanvasObject{c.banner()}
	if c.errMsg != "" {
		rows = append(rows, WarningPanel(c.errMsg)) // where the clerk looks: on top
	}
	rows = append(rows, Heading(c.t("staff.kind."+string(pl.Input.Kind))))
	if cs.TwoVisits() {
		visit := 1
		if cs.Step == staff.StepSecondVisit {
			visit = 2
		}
		rows = append(rows, Emphasis(c.t("staff.case.visit", "K", visit, "N", pl.Visits), theme.ColorNamePrimary))
	}
	var allowed []string
	for _, ct := range pl.Allowed {
		allowed = append(allowed, c.t("cert."+strings.ToUpper(string(ct))+".name"))
	}
	switch {
	case len(allowed) > 0 && pl.Input.Kind == staff.CasePINReset:
		// Not "can be issued": nothing is issued, the PIN is reset.
		rows = append(rows, container.NewGridWithColumns(2, Strong(c.t("staff.case.certs_pin_reset")), Body(strings.Join(allowed, "・"))))
	case len(allowed) > 0:
		rows = append(rows, Body(c.t("staff.case.allowed", "Certs", strings.Join(allowed, "・"))))
	}
	for ct, rs := range pl.Refused {
		var why []string
		for _, r := range rs {
			if policy.Reason(r).Refusing() {
				why = append(why, c.t("reason."+r))
			}
		}
		rows = append(rows, WarningPanel(c.t("staff.case.refused", "Cert", c.t("cert."+strings.ToUpper(string(ct))+".name"))+" "+strings.Join(why, " ")))
	}
	rows = append(rows, Strong(c.t("staff.case.checklist")))
	scope := cs.Scope()
	var ticks, ids []fyne.CanvasObject
	for _, it := range cs.List.Items {
		if scope != nil && !scope(it.Doc) {
			continue
		}
		if it.Identity {
			ids = append(ids, c.itemRow(cs, it))
		} else {
			ticks = append(ticks, c.itemRow(cs, it))
		}
	}
	if len(ticks) > 0 {
		rows = append(rows, container.NewGridWithColumns(2, ticks...))
	}
	rows = append(rows, ids...)
	if pl.MandatePINReset {
		rows = append(rows, c.wrapToggle("staff.case.mandate", c.t("staff.case.mandate"), cs.Mandate, func() { cs.Mandate = !cs.Mandate; c.refresh() }))
	}
	if p := c.d.counter.Profile; pl.FeeYen > 0 && p != nil && p.CardReissueFeeYen > 0 && slices.Contains(pl.Reasons, string(policy.CardReissueFee)) {
		rows = append(rows, Body(c.t("staff.case.card_fee", "Fee", c.k.tr.Yen(p.CardReissueFeeYen)))) // the card's own fee, told, not taken here
	}
	if pl.FeeYen > 0 {
		if cs.FeeRecorded {
			rows = append(rows, Emphasis(c.t("staff.case.fee_recorded", "Fee", c.k.tr.Yen(pl.FeeYen)), theme.ColorNameSuccess))
		} else {
			rows = append(rows, AtLeast(c.k.Tappable("staff.case.fee", c.t("staff.case.fee", "Fee", c.k.tr.Yen(pl.FeeYen)), theme.ConfirmIcon(), func() {
				if cl, ok := c.d.clerk(); ok {
					if err := c.d.counter.RecordFee(c.d.ctx(), cs, cl.ID); err != nil {
						c.fail(err)
						return
					}
					c.k.rebuild()
				}
			}), 400, MinTarget))
		}
	}
	primary := &Action{ID: "staff.case.approve", Label: c.t("staff.action.approve"), Icon: theme.ConfirmIcon(), Do: func() { c.onApprove(cs) }}
	if cs.TwoVisits() && cs.Step == staff.StepChecklist {
		primary = &Action{ID: "staff.case.first_visit", Label: c.t("staff.action.first_visit"), Icon: theme.DocumentSaveIcon(), Do: func() { c.onFirstVisit(cs) }}
	}
	return Page{Title: c.t("staff.title.case"), Body: container.NewVBox(rows...), Wide: true, Primary: primary,
		Secondary: []Action{c.backToMenu(), {ID: "staff.decline", Label: c.t("staff.action.decline"), Icon: theme.CancelIcon(),
			Do: func() { c.declining = true; c.k.rebuild() }}}}
}

// itemRow is one checklist line: a tick, or the identity kinds seen.
func (c *staffCase) itemRow(cs *staff.Case, it staff.Item) fyne.CanvasObject {
	var label string
	if it.Doc == staff.DocHolderIdentity {
		label = c.t("staff.doc.HOLDER_IDENTITY")
	} else {
		label = c.t("doc." + string(it.Doc))
	}
	var notes []fyne.CanvasObject
	if n := c.d.cfg.Profile.DocumentNote(it.Doc, c.k.tr.Lang()); n != "" {
		notes = append(notes, Body(n))
	}
	if !it.Identity {
		tick := c.wrapToggle("staff.doc."+string(it.Doc), label, it.Checked, func() {
			cs.List.Tick(it.Doc, !it.Checked)
			c.refresh()
		})
		return container.NewVBox(append([]fyne.CanvasObject{tick}, notes...)...)
	}
	kinds := policy.PhotoIDs
	if it.Rule == policy.PhotoOrTwo {
		kinds = append(append([]policy.IDDocument{}, policy.PhotoIDs...), policy.NoPhotoIDs...)
	}
	var btns []fyne.CanvasObject
	for _, id := range kinds {
		id := id
		btns = append(btns, c.wrapToggle("staff.doc."+string(it.Doc)+"."+string(id), c.t("staff.id."+string(id)), cs.List.Shown(it.Doc, id),
			func() { cs.List.ToggleID(it.Doc, id); c.refresh() }))
	}
	head := Strong(label)
	if it.Done() {
		head = Emphasis("✓ "+label, theme.ColorNameSuccess)
	}
	return Panel(colHeader, container.NewVBox(append([]fyne.CanvasObject{head, container.NewGridWithColumns(3, btns...)}, notes...)...))
}

func (c *staffCase) onFirstVisit(cs *staff.Case) {
	cl, ok := c.d.clerk()
	if !ok {
		return
	}
	if err := c.d.counter.RecordFirstVisit(c.d.ctx(), cs, cl.ID); err != nil {
		c.fail(err)
		return
	}
	c.errMsg, c.err = "", nil
	c.k.rebuild()
}

// resolved clears an error the clerk has since put right: a checklist now
// complete, a fee now recorded.
func (c *staffCase) resolved(cs *staff.Case) {
	switch {
	case errors.Is(c.err, staff.ErrIncomplete) && len(cs.Missing()) == 0,
		errors.Is(c.err, staff.ErrFeeUnpaid) && cs.FeeRecorded:
		c.errMsg, c.err = "", nil
	}
}

// letterPage records that the inquiry letter was mailed.
func (c *staffCase) letterPage(cs *staff.Case) Page {
	c.letterRef.SetPlaceHolder("L-0001")
	rows := []fyne.CanvasObject{c.banner()}
	if c.errMsg != "" {
		rows = append(rows, WarningPanel(c.errMsg))
	}
	rows = append(rows, Heading(c.t("staff.case.letter_lead")), Body(c.t("staff.case.letter_explain")),
		Strong(c.t("staff.case.letter_ref")), AtLeast(c.letterRef, 360, MinTarget))
	return Page{Title: c.t("staff.title.case"), Body: container.NewVBox(rows...),
		Primary: &Action{ID: "staff.case.letter_sent", Label: c.t("staff.action.letter_sent"), Icon: theme.MailSendIcon(), Do: func() {
			cl, ok := c.d.clerk()
			if !ok {
				return
			}
			if err := c.d.counter.MarkLetterSent(c.d.ctx(), cs, cl.ID, strings.TrimSpace(c.letterRef.Text)); err != nil {
				c.fail(err)
				return
			}
			c.errMsg, c.err = "", nil
			c.k.rebuild()
		}},
		Secondary: []Action{c.backToMenu()}}
}

func (c *staffCase) onApprove(cs *staff.Case) {
	cl, ok := c.d.clerk()
	if !ok {
		return
	}
	if _, err := c.d.counter.Approve(c.d.ctx(), cs, cl.ID); err != nil {
		c.fail(err)
		return
	}
	c.errMsg, c.err = "", nil
	c.k.rebuild()
}

// approvedPage hands the terminal to the holder (or their representative)
// for the new PINs.
func (c *staffCase) approvedPage(cs *staff.Case) Page {
	rows := []fyne.CanvasObject{c.banner()}
	if c.errMsg != "" {
		rows = append(rows, WarningPanel(c.errMsg))
	}
	rows = append(rows, Heading(c.t("staff.case.approved_lead")), Body(c.t("staff.case.approved_explain")))
	p := Page{Title: c.t("staff.title.case"), Secondary: []Action{c.backToMenu()}}
	if c.d.cfg.Work == nil {
		rows = append(rows, WarningPanel(c.t("staff.case.no_card_work")))
	} else {
		p.Primary = &Action{ID: "staff.case.hand_over", Label: c.t("staff.action.hand_over"), Icon: theme.NavigateNextIcon(), Do: func() {
			if _, ok := c.d.clerk(); !ok {
				return
			}
			ws, err := staff.WorkFor(cs)
			if err != nil {
				c.fail(err)
				return
			}
			c.d.pins = staff.NewPINEntry(c.d.cfg.Work, ws)
			c.k.Show(idStaffPIN)
		}}
	}
	p.Body = container.NewVBox(rows...)
	return p
}

func (c *staffCase) notePage(cs *staff.Case, lead, explain string) Page {
	rows := []fyne.CanvasObject{c.banner(), Heading(c.t(lead))}
	if explain != "" {
		rows = append(rows, Body(c.t(explain)))
	}
	return Page{Title: c.t("staff.title.case"), Body: container.NewVBox(rows...),
		Primary: &Action{ID: "staff.case.close", Label: c.t("staff.action.close_case"), Icon: theme.ConfirmIcon(), Do: func() {
			c.d.cur = nil
			c.k.Show(idStaffMenu)
		}}}
}

func (c *staffCase) declinePage(cs *staff.Case) Page {
	rows := []fyne.CanvasObject{c.banner()}
	if c.errMsg != "" {
		rows = append(rows, WarningPanel(c.errMsg))
	}
	rows = append(rows, Heading(c.t("staff.approve.decline_lead")))
	var btns []fyne.CanvasObject
	for _, r := range DeclineReasons {
		r := r
		btns = append(btns, AtLeast(c.k.Tappable("staff.reason."+r, c.t("reason."+r), nil, func() {
			cl, ok := c.d.clerk()
			if !ok {
				return
			}
			c.declining = false
			if err := c.d.counter.Decline(c.d.ctx(), cs, cl.ID, r); err != nil {
				c.fail(err)
				return
			}
			c.k.rebuild()
		}), 400, MinTarget))
	}
	rows = append(rows, container.NewGridWithColumns(2, btns...))
	return Page{Title: c.t("staff.title.decline"), Body: container.NewVBox(rows...),
		Secondary: []Action{{ID: "staff.back", Label: c.t("action.back"), Icon: theme.NavigateBackIcon(),
			Do: func() { c.declining = false; c.k.rebuild() }}}}
}
