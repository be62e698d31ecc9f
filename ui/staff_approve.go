package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
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
type staffApprove struct {
	staffScreen
	ids       []policy.IDDocument
	expiry    *widget.Entry
	declining bool
	errMsg    string
}

func init() {
	Register(idStaffApprove, func(k *Kiosk) Screen {
		a := &staffApprove{staffScreen: newStaffScreen(k), expiry: widget.NewEntry()}
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
	rows := []fyne.CanvasObject{a.banner(), TicketPanel(a.t("ticket.label"), s.Ticket.Number)}
	rows = append(rows, a.ticketSummary(s)...)
	rows = append(rows, genuineLine(a.k.tr, s))
	if a.declining {
		return a.declinePage(s, rows)
	}
	// Identity documents: one photo ID, or two without a photo.
	rows = append(rows, Strong(a.t("staff.approve.identity")))
	var photo, other []fyne.CanvasObject
	for _, id := range policy.PhotoIDs {
		id := id
		photo = append(photo, a.toggle("staff.id."+string(id), a.t("staff.id."+string(id)), a.shown(id), func() { a.toggleID(id) }))
	}
	for _, id := range policy.NoPhotoIDs {
		id := id
		other = append(other, a.toggle("staff.id."+string(id), a.t("staff.id."+string(id)), a.shown(id), func() { a.toggleID(id) }))
	}
	rows = append(rows, container.NewGridWithColumns(3, photo...), Body(a.t("staff.approve.nophoto")), container.NewGridWithColumns(3, other...))
	if policy.IdentitySatisfied(policy.PhotoOrTwo, a.ids) {
		rows = append(rows, Emphasis(a.t("staff.approve.identity_ok"), theme.ColorNameSuccess))
	}
	if needsCardExpiry(s) {
		a.expiry.SetPlaceHolder(a.t("staff.approve.card_expiry_placeholder"))
		rows = append(rows, Strong(a.t("staff.approve.card_expiry")), Body(a.t("staff.approve.card_expiry_note")), AtLeast(a.expiry, 360, MinTarget))
	}
	if a.errMsg != "" {
		// Where the clerk looks: under the ticket, above the checks, never
		// below the fold.
		rows = append(rows[:2], append([]fyne.CanvasObject{WarningPanel(a.errMsg)}, rows[2:]...)...)
	}
	p := Page{
		Title: a.t("staff.title.approve"),
		Body:  container.NewVBox(rows...),
		Wide:  true,
		Primary: &Action{ID: "staff.approve", Label: a.t("staff.action.approve"), Icon: theme.ConfirmIcon(),
			Do: func() { a.onApprove(s) }},
		Secondary: []Action{a.backToMenu(), a.signOut(),
			{ID: "staff.decline", Label: a.t("staff.action.decline"), Icon: theme.CancelIcon(), Do: func() { a.declining = true; a.k.rebuild() }}},
	}
	return p
}

// ticketSummary says what the resident prepared: certificates, route, fee
// and the documents policy asks for.
func (a *staffApprove) ticketSummary(s flow.Snapshot) []fyne.CanvasObject {
	var certs []string
	for _, c := range s.Selected.Certs() {
		certs = append(certs, a.t("cert."+c.String()+".name"))
	}
	purpose := ""
	for _, c := range s.Choices {
		if s.Selected.Has(c.Cert) {
			purpose = string(c.Purpose)
		}
	}
	if t, err := a.ticket(s); err == nil {
		purpose = t.Purpose
	}
	out := []fyne.CanvasObject{container.NewGridWithColumns(2,
		Body(a.t("staff.approve.certs", "Certs", strings.Join(certs, "・"))),
		Body(a.t("staff.approve.purpose", "Purpose", a.t("staff.purpose."+purpose))),
		Body(a.t("staff.approve.route", "Route", a.t("staff.route."+string(s.Route)))),
		Body(a.t("staff.approve.fee", "Fee", a.k.tr.Yen(s.FeeYen))),
	)}
	if len(s.Documents) > 0 {
		var docs []string
		for _, d := range s.Documents {
			docs = append(docs, a.t("doc."+d))
		}
		out = append(out, Body(a.t("staff.approve.documents")+" "+strings.Join(docs, " / ")))
	}
	return out
}

func (a *staffApprove) ticket(s flow.Snapshot) (store.Ticket, error) {
	id, err := strconv.ParseInt(s.Ticket.ID, 10, 64)
	if err != nil {
		return store.Ticket{}, err
	}
	return a.d.cfg.Store.Ticket(a.d.ctx(), id)
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
	for i, x := range a.ids {
		if x == id {
			a.ids = append(a.ids[:i], a.ids[i+1:]...)
			a.k.rebuild()
			return
		}
	}
	a.ids = append(a.ids, id)
	if a.errMsg == a.t("staff.approve.error.identity") && policy.IdentitySatisfied(policy.PhotoOrTwo, a.ids) {
		a.errMsg = "" // resolved: the error goes
	}
	a.k.rebuild()
}

func (a *staffApprove) onApprove(s flow.Snapshot) {
	c, ok := a.d.clerk()
	if !ok {
		return
	}
	if !a.d.approvals.Genuine(s.Genuine) {
		// A card this kiosk may not approve: say so first, before asking
		// the clerk for anything more.
		a.errMsg = a.t("staff.approve.error.not_genuine")
		a.k.rebuild()
		return
	}
	if !policy.IdentitySatisfied(policy.PhotoOrTwo, a.ids) {
		a.errMsg = a.t("staff.approve.error.identity")
		a.k.rebuild()
		return
	}
	var expiry time.Time
	if v := strings.TrimSpace(a.expiry.Text); v == "" && needsCardExpiry(s) {
		// Required: without it "a certificate never outlasts the card"
		// would be skipped silently.
		a.errMsg = a.t("staff.approve.error.expiry_required")
		a.k.rebuild()
		return
	} else if v != "" {
		t, err := store.ParseDate(v)
		if err != nil {
			a.errMsg = a.t("staff.approve.error.expiry")
			a.k.rebuild()
			return
		}
		expiry = t
	}
	t, err := a.ticket(s)
	if err != nil {
		a.errMsg = a.t("staff.error.store")
		a.k.rebuild()
		return
	}
	g, err := a.d.approvals.Approve(a.d.ctx(), staff.ApprovalRequest{TicketID: t.ID, CardRef: staff.CardRef(s), StaffID: c.ID,
		Identity: a.ids, Documents: s.Documents, CardExpiry: expiry, Genuine: s.Genuine})
	switch {
	case errors.Is(err, staff.ErrNotGenuine):
		a.errMsg = a.t("staff.approve.error.not_genuine")
	case errors.Is(err, staff.ErrIdentity):
		a.errMsg = a.t("staff.approve.error.identity")
	case errors.Is(err, staff.ErrNoCard):
		a.errMsg = a.t("staff.approve.error.card")
	case err != nil:
		a.errMsg = a.t("staff.error.store")
	}
	if err != nil {
		a.k.rebuild()
		return
	}
	ev := g.Event(expiry)
	a.d.leave() // the terminal goes back to the resident, who types the new PINs
	a.k.Send(ev)
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
	if a.errMsg != "" {
		rows = append(rows, WarningPanel(a.errMsg))
	}
	return Page{Title: a.t("staff.title.decline"), Body: container.NewVBox(rows...),
		Secondary: []Action{{ID: "staff.back", Label: a.t("action.back"), Icon: theme.NavigateBackIcon(),
			Do: func() { a.declining = false; a.k.rebuild() }}}}
}

func (a *staffApprove) onDecline(s flow.Snapshot, reason string) {
	c, ok := a.d.clerk()
	if !ok {
		return
	}
	t, err := a.ticket(s)
	if err == nil {
		var ev flow.StaffDeclined
		ev, err = a.d.approvals.Decline(a.d.ctx(), t.ID, staff.CardRef(s), c.ID, reason)
		if err == nil {
			a.d.leave()
			a.k.Send(ev)
			return
		}
	}
	a.errMsg = a.t("staff.error.store")
	a.k.rebuild()
}

// genuineLine says who issued the card's auth certificate: "J-LIS (2023)",
// training, or not J-LIS (in the error colour).
func genuineLine(tr *i18n.Catalogue, s flow.Snapshot) fyne.CanvasObject {
	var v string
	switch s.Genuine {
	case "jlis":
		v = tr.T("staff.genuine.jlis", "Gen", strconv.Itoa(s.GenuineGen))
	case "training", "not_jlis":
		v = tr.T("staff.genuine." + s.Genuine)
	default:
		v = tr.T("staff.genuine.unchecked")
	}
	line := tr.T("staff.approve.genuine", "Result", v)
	if s.Genuine == "not_jlis" {
		return Emphasis(line, theme.ColorNameError)
	}
	return Body(line)
}
