package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// DeclineReasons are the reason codes a clerk can give when declining; the
// resident's screen shows reason.CODE.
var DeclineReasons = []string{"IDENTITY_NOT_CONFIRMED", "DOCUMENTS_MISSING", "CARD_FACE_MISMATCH", "REFERRED_TO_COUNTER"}

// staffApprove is the clerk's check of a prepared renewal or new issuance:
// the ticket (certificates, route, fee, documents), the identity documents
// seen, the card's expiry from the card face when needed, then approve or
// decline with a reason. The resident's session continues with the flow's
// StaffApproved or StaffDeclined event, and the clerk is signed out as the
// terminal goes back to the resident.
//
// It fits one screen at 1280×800 without scrolling: the card's facts and
// the card-face expiry side by side, the identity documents under them the
// full width; an error goes on top, where the clerk looks, and goes when
// put right.
type staffApprove struct {
	staffScreen
	ids       []policy.IDDocument
	expiry    *widget.Entry
	declining bool
	errMsg    string
	err       error // what errMsg says, to clear it once resolved
	// waiting is the resident's ticket, read once per ticket (ticketID),
	// not on every render.
	waiting    staff.Waiting
	waitingErr error
	ticketID   string
}

// Errors of the card-face expiry field.
var (
	errExpiryRequired = errors.New("card-face expiry required")
	errExpiryBad      = errors.New("card-face expiry not a date")
)

func init() {
	Register(idStaffApprove, func(k *Kiosk) Screen {
		a := &staffApprove{staffScreen: newStaffScreen(k), expiry: widget.NewEntry()}
		a.expiry.OnChanged = func(string) { a.expiryChanged() }
		return a
	})
}

// ExpiryEntry is the card-face expiry field (YYYY-MM-DD), for tests.
func (a *staffApprove) ExpiryEntry() *widget.Entry { return a.expiry }

// needsCardExpiry reports whether the new expiry of a chosen certificate
// could run past the card's own expiry, which the kiosk cannot read: then the
// clerk types the date printed on the card face.
func needsCardExpiry(s flow.Snapshot) bool {
	for _, c := range s.Choices {
		if s.Selected.Has(c.Cert) && c.Allowed && !c.NewExpiry.IsZero() {
			return true
		}
	}
	return false
}

// load reads the resident's ticket once per ticket.
func (a *staffApprove) load(s flow.Snapshot) {
	if s.Ticket.ID == a.ticketID {
		return
	}
	a.ticketID = s.Ticket.ID
	a.waiting, a.waitingErr = a.d.cfg.Office.Waiting(a.d.ctx(), s)
	a.ids, a.declining, a.errMsg, a.err = nil, false, "", nil
	a.expiry.SetText("")
}

// Page shows the ticket and the checks.
func (a *staffApprove) Page(s flow.Snapshot) Page {
	if a.d == nil {
		return noDesk(a.k)
	}
	if s.State != flow.StateWaitApproval || s.Ticket == nil {
		return Page{Title: a.t("staff.title.approve"),
			Body:      container.NewVBox(a.banner(), Body(a.t("staff.approve.nothing"))),
			Secondary: []Action{a.backToMenu()}}
	}
	a.load(s)
	a.fail(a.err) // in the language shown now
	top := []fyne.CanvasObject{a.banner()}
	if a.waitingErr != nil && a.err == nil {
		top = append(top, Tight(WarningPanel(a.t("staff.error.store"))))
	}
	if a.errMsg != "" {
		// Where the clerk looks: at the top, never below the fold.
		top = append(top, Tight(WarningPanel(a.errMsg)))
	}
	if a.declining {
		return a.declinePage(s, append(top, a.facts(s)))
	}
	left := []fyne.CanvasObject{a.facts(s)}
	if needsCardExpiry(s) {
		a.expiry.SetPlaceHolder(a.t("staff.approve.card_expiry_placeholder"))
		// One row, label and field; the placeholder gives the form, the
		// note why (not on the small panel, where room is short).
		left = append(left, container.NewBorder(nil, nil, Tight(AtLeast(Strong(a.t("staff.approve.card_expiry")), 230, 0)), nil,
			container.NewVBox(layout.NewSpacer(), AtLeast(a.expiry, 240, MinTarget), layout.NewSpacer())))
		if !a.k.Compact() {
			left = append(left, Body(a.t("staff.approve.card_expiry_note")))
		}
	}
	// Identity documents: one photo ID, or two without a photo.
	// Once satisfied, the rule above the documents gives way to the
	// confirmation (same place, no extra line).
	right := []fyne.CanvasObject{Strong(a.t("staff.approve.identity"))}
	if staff.IdentityOK(a.ids) {
		right[0] = Emphasis(a.t("staff.approve.identity_ok"), theme.ColorNameSuccess)
	}
	var photo, other []fyne.CanvasObject
	for _, id := range policy.PhotoIDs {
		photo = append(photo, a.idToggle(id))
	}
	for _, id := range policy.NoPhotoIDs {
		other = append(other, a.idToggle(id))
	}
	right = append(right, container.NewGridWithColumns(4, photo...), Body(a.t("staff.approve.nophoto")), container.NewGridWithColumns(4, other...))
	return Page{
		Title: a.t("staff.title.approve"),
		Body: container.NewVBox(append(top, container.NewGridWithColumns(2,
			container.NewVBox(left...), Tight(container.NewVBox(right...))))...),
		Wide: true,
		Primary: &Action{ID: "staff.approve", Label: a.t("staff.action.approve"), Icon: theme.ConfirmIcon(),
			Do: func() { a.onApprove(s) }},
		Secondary: []Action{a.backToMenu(), a.signOut(),
			{ID: "staff.decline", Label: a.t("staff.action.decline"), Icon: theme.CancelIcon(), Do: func() { a.declining = true; a.k.rebuild() }}},
	}
}

// idToggle is the tick of one kind of identity document.
func (a *staffApprove) idToggle(id policy.IDDocument) fyne.CanvasObject {
	return a.wrapToggle("staff.id."+string(id), a.t("staff.id."+string(id)), a.shown(id), func() { a.toggleID(id) })
}

// facts are the card's facts, in one panel of few rows (each row costs its
// padding): the ticket and fee, what the resident prepared (certificates,
// purpose, route), the genuine check and the documents policy asks for.
func (a *staffApprove) facts(s flow.Snapshot) fyne.CanvasObject {
	var certs []string
	for _, c := range s.Selected.Certs() {
		certs = append(certs, a.t("cert."+c.String()+".name"))
	}
	purpose := a.waiting.Purpose
	if a.waitingErr != nil {
		for _, c := range s.Choices {
			if s.Selected.Has(c.Cert) {
				purpose = string(c.Purpose)
			}
		}
	}
	lines := []string{
		a.t("staff.approve.certs", "Certs", strings.Join(certs, "・")),
		a.t("staff.approve.purpose", "Purpose", a.t("staff.purpose."+purpose)) + "　" +
			a.t("staff.approve.route", "Route", a.t("staff.route."+string(s.Route))),
	}
	genuine, notJLIS := genuineText(a.k.tr, s)
	if !notJLIS {
		lines = append(lines, genuine)
	}
	if len(s.Documents) > 0 {
		var docs []string
		for _, d := range s.Documents {
			docs = append(docs, a.t("doc."+d))
		}
		lines = append(lines, a.t("staff.approve.documents")+" "+strings.Join(docs, " / "))
	}
	rows := []fyne.CanvasObject{
		Strong(a.t("ticket.label") + " " + strconv.Itoa(s.Ticket.Number) + "　" + a.t("staff.approve.fee", "Fee", a.k.tr.Yen(s.FeeYen))),
		Body(strings.Join(lines, "\n")),
	}
	if notJLIS {
		rows = append(rows, Emphasis(genuine, theme.ColorNameError))
	}
	return Tight(Panel(colHeader, container.NewVBox(rows...)))
}

func (a *staffApprove) shown(id policy.IDDocument) bool {
	for _, x := range a.ids {
		if x == id {
			return true
		}
	}
	return false
}

func (a *staffApprove) toggleID(id policy.IDDocument) {
	if _, ok := a.d.clerk(); !ok {
		return
	}
	if i := slices.Index(a.ids, id); i >= 0 {
		a.ids = slices.Delete(a.ids, i, i+1)
	} else {
		a.ids = append(a.ids, id)
	}
	if errors.Is(a.err, staff.ErrIdentity) && staff.IdentityOK(a.ids) {
		a.fail(nil) // resolved: the error goes
	}
	a.k.rebuild()
}

// expiryChanged clears the "required" error once the clerk types a date.
func (a *staffApprove) expiryChanged() {
	if errors.Is(a.err, errExpiryRequired) && strings.TrimSpace(a.expiry.Text) != "" {
		a.fail(nil)
		a.k.rebuild()
	}
}

// fail sets the error shown on top (nil clears it).
func (a *staffApprove) fail(err error) {
	a.err, a.errMsg = err, ""
	if err != nil {
		a.errMsg = a.t(staffErrorMessage(err))
	}
}

// staffErrorMessage is the message id that tells the clerk what stopped a
// staff action.
func staffErrorMessage(err error) string {
	for _, m := range []struct {
		err error
		id  string
	}{
		{staff.ErrNotGenuine, "staff.approve.error.not_genuine"},
		{staff.ErrIdentity, "staff.approve.error.identity"},
		{staff.ErrNoCard, "staff.approve.error.card"},
		{errExpiryRequired, "staff.approve.error.expiry_required"},
		{errExpiryBad, "staff.approve.error.expiry"},
		{staff.ErrIncomplete, "staff.case.error.incomplete"},
		{staff.ErrFeeUnpaid, "staff.case.error.fee"},
		{staff.ErrCase, "staff.case.error.plan"},
	} {
		if errors.Is(err, m.err) {
			return m.id
		}
	}
	return "staff.error.store"
}

func (a *staffApprove) onApprove(s flow.Snapshot) {
	c, ok := a.d.clerk()
	if !ok {
		return
	}
	err := a.approve(s, c.ID)
	if err == nil {
		return
	}
	a.fail(err)
	a.k.rebuild()
}

// approve checks, records and hands the kiosk back; it returns what stops it.
func (a *staffApprove) approve(s flow.Snapshot, clerk string) error {
	if !a.d.approvals.Genuine(s.Genuine) {
		// A card this kiosk may not approve: say so first, before asking
		// the clerk for anything more.
		return staff.ErrNotGenuine
	}
	if !staff.IdentityOK(a.ids) {
		return staff.ErrIdentity
	}
	var expiry time.Time
	if v := strings.TrimSpace(a.expiry.Text); v == "" && needsCardExpiry(s) {
		// Required: without it "a certificate never outlasts the card"
		// would be skipped silently.
		return errExpiryRequired
	} else if v != "" {
		d, err := policy.ParseDate(v)
		if err != nil {
			return errExpiryBad
		}
		expiry = d.At(0, 0)
	}
	if a.waitingErr != nil {
		return a.waitingErr
	}
	g, err := a.d.approvals.Approve(a.d.ctx(), staff.ApprovalRequest{TicketID: a.waiting.ID, CardRef: staff.CardRef(s), StaffID: clerk,
		Identity: a.ids, Documents: s.Documents, CardExpiry: expiry, Genuine: s.Genuine})
	if err != nil {
		return err
	}
	ev := g.Event(expiry)
	a.d.leave() // the terminal goes back to the resident, who types the new PINs
	a.k.Send(ev)
	return nil
}

// declinePage asks the reason, one tap each.
func (a *staffApprove) declinePage(s flow.Snapshot, rows []fyne.CanvasObject) Page {
	rows = append(rows, Heading(a.t("staff.approve.decline_lead")))
	var btns []fyne.CanvasObject
	for _, r := range DeclineReasons {
		r := r
		b := a.k.Tappable("staff.reason."+r, a.t("reason."+r), nil, func() { a.onDecline(s, r) })
		btns = append(btns, AtLeast(b, 400, MinTarget))
	}
	rows = append(rows, container.NewGridWithColumns(2, btns...))
	return Page{Title: a.t("staff.title.decline"), Body: container.NewVBox(rows...), Wide: true,
		Secondary: []Action{{ID: "staff.back", Label: a.t("action.back"), Icon: theme.NavigateBackIcon(),
			Do: func() { a.declining = false; a.k.rebuild() }}}}
}

func (a *staffApprove) onDecline(s flow.Snapshot, reason string) {
	c, ok := a.d.clerk()
	if !ok {
		return
	}
	err := a.waitingErr
	if err == nil {
		var ev flow.StaffDeclined
		ev, err = a.d.approvals.Decline(a.d.ctx(), a.waiting.ID, staff.CardRef(s), c.ID, reason)
		if err == nil {
			a.d.leave()
			a.k.Send(ev)
			return
		}
	}
	a.fail(err)
	a.k.rebuild()
}

// genuineText says who issued the card's auth certificate: "J-LIS (2023)",
// training, or not J-LIS (then notJLIS, to show in the error colour).
func genuineText(tr *i18n.Catalogue, s flow.Snapshot) (line string, notJLIS bool) {
	var v string
	switch s.Genuine {
	case "jlis":
		v = tr.T("staff.genuine.jlis", "Gen", strconv.Itoa(s.GenuineGen))
	case "training", "not_jlis":
		v = tr.T("staff.genuine." + s.Genuine)
	default:
		v = tr.T("staff.genuine.unchecked")
	}
	return tr.T("staff.approve.genuine", "Result", v), s.Genuine == "not_jlis"
}
