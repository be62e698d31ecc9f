package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

// Errors of counter cases.
var (
	// ErrIncomplete: the checklist of the current step is not complete.
	ErrIncomplete = errors.New("staff: checklist incomplete")
	// ErrFeeUnpaid: the case has a fee and it is not recorded yet.
	ErrFeeUnpaid = errors.New("staff: fee not recorded")
	// ErrStep: the case is not at the step the action belongs to.
	ErrStep = errors.New("staff: not at this step of the case")
)

// CaseStep is where a counter case is.
type CaseStep string

// Steps of a counter case. Same-day cases go checklist → approved; a
// voluntary proxy's new issuance goes checklist → letter_pending (first
// visit recorded) → letter_sent (the case waits, across restarts) → second
// visit checklist → approved. Declined ends a case without card work.
const (
	StepChecklist     CaseStep = "checklist"
	StepLetterPending CaseStep = "letter_pending"
	StepLetterSent    CaseStep = "letter_sent"
	StepSecondVisit   CaseStep = "second_visit"
	StepApproved      CaseStep = "approved"
	StepDeclined      CaseStep = "declined"
)

// Case is one counter case in progress on this terminal.
type Case struct {
	Plan    Plan
	List    *Checklist
	Step    CaseStep
	CardRef string
	// TicketID is the store's ticket of the case (the resident's ticket, or
	// one drawn for the case); 0 until needed.
	TicketID  int64
	SessionID int64
	// ProxyID is the store's proxy case for a two-visit voluntary proxy.
	ProxyID int64
	// Mandate: the clerk found 「暗証番号の再設定を合わせて委任します」 in the
	// letter of attorney (Moriya's proxy renewal).
	Mandate bool
	// FeeRecorded: the 200-yen fee was taken and recorded.
	FeeRecorded bool
	Grant       *Grant
}

// TwoVisits reports whether the case needs the inquiry letter.
func (c *Case) TwoVisits() bool { return c.Plan.Visits >= 2 }

// Scope is the checklist scope of the current step.
func (c *Case) Scope() func(policy.Document) bool {
	switch {
	case c.TwoVisits() && c.Step == StepSecondVisit:
		return SecondVisit
	case c.TwoVisits():
		return FirstVisit
	}
	return nil
}

// Missing lists what the clerk still has to check at this step.
func (c *Case) Missing() []policy.Document { return c.List.Missing(c.Scope()) }

// PINResetIncluded reports whether the case includes a PIN reset: a PIN
// reset case, or a proxy renewal whose letter of attorney mandates it.
func (c *Case) PINResetIncluded() bool {
	if c.Plan.Input.Kind == CasePINReset {
		return true
	}
	return c.Plan.MandatePINReset && c.Mandate
}

// Counter opens and advances counter cases in the store.
type Counter struct {
	Store     *store.Store
	Approvals *Approvals
	Profile   *policy.Profile
}

// Open plans a new case for the card cardRef (and, if the resident drew one,
// ticketID).
func (k *Counter) Open(in CaseInput, cardRef string, ticketID, sessionID int64) (*Case, error) {
	if cardRef == "" {
		return nil, ErrNoCard
	}
	pl, err := PlanCase(k.Profile, in)
	if err != nil {
		return nil, err
	}
	return &Case{Plan: pl, List: NewChecklist(pl.Documents), Step: StepChecklist, CardRef: cardRef,
		TicketID: ticketID, SessionID: sessionID}, nil
}

func certCodes(cs []policy.Cert) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, string(c))
	}
	return out
}

// RecordFee records the fee of the case (200 yen for a reissue after loss,
// once for both certificates) in the audit trail.
func (k *Counter) RecordFee(ctx context.Context, c *Case, staffID string) error {
	if c.Plan.FeeYen == 0 || c.FeeRecorded {
		return nil
	}
	_, err := k.Store.Append(ctx, c.SessionID, store.KindFeeCharged, store.Detail{
		"fee_yen": c.Plan.FeeYen, "purpose": string(c.Plan.Input.Purpose), "certificates": certCodes(c.Plan.Allowed),
		"staff_id": staffID, "card_ref": c.CardRef})
	if err != nil {
		return err
	}
	c.FeeRecorded = true
	return nil
}

// RecordFirstVisit records a voluntary proxy's first visit (the application
// and the documents checked); the inquiry letter is mailed next.
func (k *Counter) RecordFirstVisit(ctx context.Context, c *Case, staffID string) error {
	if !c.TwoVisits() || c.Step != StepChecklist {
		return ErrStep
	}
	if m := c.Missing(); len(m) > 0 {
		return fmt.Errorf("%w: %v", ErrIncomplete, m)
	}
	if len(c.Plan.Allowed) == 0 {
		return fmt.Errorf("%w: nothing allowed", ErrCase)
	}
	id, err := k.Store.OpenProxyCase(ctx, store.ProxyCase{Purpose: string(c.Plan.Input.Purpose),
		Certificates: certCodes(c.Plan.Allowed), CardRef: c.CardRef, Documents: c.List.Codes(FirstVisit),
		OpenedSessionID: c.SessionID, StaffID: staffID})
	if err != nil {
		return err
	}
	c.ProxyID, c.Step = id, StepLetterPending
	return nil
}

// MarkLetterSent records that the inquiry letter (照会書兼回答書) was mailed
// to the holder; letterRef is the office's reference for it (codes only).
func (k *Counter) MarkLetterSent(ctx context.Context, c *Case, staffID, letterRef string) error {
	if c.Step != StepLetterPending {
		return ErrStep
	}
	if err := k.Store.AdvanceProxyCase(ctx, c.ProxyID, store.ProxyStep{To: store.ProxyLetterSent, StaffID: staffID, LetterRef: letterRef}); err != nil {
		return err
	}
	c.Step = StepLetterSent
	return nil
}

// Resume finds the open voluntary-proxy case of the card cardRef (the second
// visit, perhaps days later and after a restart) and rebuilds it at the
// second visit's checklist. It returns nil, nil when the card has none.
func (k *Counter) Resume(ctx context.Context, cardRef string, today policy.Date, ticketID, sessionID int64) (*Case, error) {
	cs, err := k.Store.OpenProxyCases(ctx, cardRef)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	pc := cs[len(cs)-1]
	in := CaseInput{Kind: CaseProxy, Purpose: policy.Purpose(pc.Purpose), Today: today}
	for _, x := range pc.Certificates {
		in.Certs = append(in.Certs, policy.Cert(x))
	}
	c, err := k.Open(in, cardRef, ticketID, sessionID)
	if err != nil {
		return nil, err
	}
	c.ProxyID = pc.ID
	switch pc.State {
	case store.ProxyFirstVisit:
		c.Step = StepLetterPending
	case store.ProxyLetterSent:
		c.Step = StepSecondVisit
	}
	for _, d := range pc.Documents { // carried over from the first visit
		if doc := policy.Document(strings.ToUpper(d)); !SecondVisit(doc) {
			c.List.Tick(doc, true) // what the second visit checks again stays open
		}
	}
	return c, nil
}

// Approve approves the case: its checklist for this step must be complete
// and its fee recorded. A second visit also completes the proxy case. The
// approval binds to the case's ticket (one is drawn if the resident had
// none) and card.
func (k *Counter) Approve(ctx context.Context, c *Case, staffID string) (Grant, error) {
	if c.Step != StepChecklist && c.Step != StepSecondVisit {
		return Grant{}, ErrStep
	}
	if c.TwoVisits() && c.Step == StepChecklist {
		return Grant{}, fmt.Errorf("%w: record the first visit and mail the inquiry letter", ErrStep)
	}
	if m := c.Missing(); len(m) > 0 {
		return Grant{}, fmt.Errorf("%w: %v", ErrIncomplete, m)
	}
	if len(c.Plan.Allowed) == 0 {
		return Grant{}, fmt.Errorf("%w: nothing allowed", ErrCase)
	}
	if c.Plan.FeeYen > 0 && !c.FeeRecorded {
		return Grant{}, ErrFeeUnpaid
	}
	if c.TicketID == 0 {
		t, err := k.Store.IssueTicket(ctx, store.TicketRequest{SessionID: c.SessionID, Certificates: certCodes(c.Plan.Allowed),
			Purpose: string(c.Plan.Input.Purpose), Route: store.RouteCounter, FeeYen: c.Plan.FeeYen})
		if err != nil {
			return Grant{}, err
		}
		c.TicketID = t.ID
	}
	if c.Step == StepSecondVisit {
		if err := k.Store.AdvanceProxyCase(ctx, c.ProxyID, store.ProxyStep{To: store.ProxyCompleted, StaffID: staffID,
			SessionID: c.SessionID, Documents: c.List.Codes(SecondVisit)}); err != nil {
			return Grant{}, err
		}
	}
	docs := c.List.Codes(nil)
	if c.Mandate && c.Plan.MandatePINReset {
		docs = append(docs, "mandate_pin_reset")
	}
	ids := c.List.Identities()
	g, err := k.Approvals.Approve(ctx, ApprovalRequest{TicketID: c.TicketID, CardRef: c.CardRef, StaffID: staffID,
		Identity: ids, Documents: slices.DeleteFunc(docs, func(s string) bool { return strings.HasPrefix(s, "id_") })})
	if err != nil {
		return Grant{}, err
	}
	c.Grant, c.Step = &g, StepApproved
	if c.Plan.Input.Kind == CaseLapsed { // the cause, for the record: a code, nothing personal
		if _, err := k.Store.Append(ctx, c.SessionID, KindCertLapsed, store.Detail{"cause": string(c.Plan.Input.Lapse),
			"certificates": certCodes(c.Plan.Allowed), "staff_id": staffID, "card_ref": c.CardRef}); err != nil {
			return g, err
		}
	}
	return g, nil
}

// KindCertLapsed is the audit event of a counter case that issues anew a
// certificate that lapsed by itself; its detail holds the cause code.
const KindCertLapsed = "certificate_lapsed"

// Decline ends the case with a reason code (the ticket, if any, is declined).
func (k *Counter) Decline(ctx context.Context, c *Case, staffID, reason string) error {
	if c.TicketID != 0 {
		if _, err := k.Approvals.Decline(ctx, c.TicketID, c.CardRef, staffID, reason); err != nil {
			return err
		}
	}
	if c.ProxyID != 0 && c.Step != StepApproved {
		if err := k.Store.AdvanceProxyCase(ctx, c.ProxyID, store.ProxyStep{To: store.ProxyCancelled, StaffID: staffID}); err != nil {
			return err
		}
	}
	c.Step = StepDeclined
	return nil
}
