package staff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// ErrBirthDateUnknown: a counter issuance needs the holder's birth date (for
// the expiry and the signature certificate), read from the card's
// basic-information application in the resident's session first.
var ErrBirthDateUnknown = errors.New("staff: the holder's birth date was not read in this session")

// SlotWork is the CardWork of the kiosk: the card in the reader is reached
// through the flow's CardSlot, PIN resets go to the issuance backend's
// ResetPIN (issuer authentication, then RESET RETRY COUNTER, no
// certificate), issuance through the slot's IssueAdapter.
type SlotWork struct {
	Slot     *flow.CardSlot
	Resetter issue.PINResetter // the issuance backend (*issue.Client)
	// StaffID returns the signed-in clerk (recorded with the card work).
	StaffID func() string
	// CardExpiry returns the card's expiry as the clerk confirmed it (zero:
	// unknown); may be nil.
	CardExpiry func() time.Time
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

var _ CardWork = (*SlotWork)(nil)

func (w *SlotWork) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *SlotWork) approval(wk Work) issue.Approval {
	a := issue.Approval{ID: wk.ApprovalID}
	if w.StaffID != nil {
		a.StaffID = w.StaffID()
	}
	return a
}

func issueCert(c policy.Cert) (issue.Cert, flow.Cert, flow.PIN, error) {
	switch c {
	case policy.CertAuth:
		return issue.Auth, flow.CertAuth, flow.PINAuth, nil
	case policy.CertSign:
		return issue.Sign, flow.CertSign, flow.PINSign, nil
	}
	return "", "", 0, fmt.Errorf("staff: no such certificate %q", c)
}

// ResetPIN implements CardWork: the backend authenticates as issuer, then
// the kiosk sets pin with RESET RETRY COUNTER (the retry counter is full
// again). The card's selection cache is dropped afterwards.
func (w *SlotWork) ResetPIN(ctx context.Context, wk Work, pin []byte) error {
	if w.Resetter == nil {
		return flow.ErrNoIssuer
	}
	ic, _, _, err := issueCert(wk.Cert)
	if err != nil {
		return err
	}
	c, _, ok := w.Slot.Conn()
	if !ok {
		return flow.ErrCardRemoved
	}
	// Relayed through the session's Card, which keeps its selection cache.
	return w.Resetter.ResetPIN(ctx, c, ic, pin, w.approval(wk))
}

// Issue implements CardWork: the expiry from policy (birth date read in the
// session, the current certificate's expiry for a renewal, the card's
// expiry when the clerk gave it), the certificate through the slot's
// issuer, then the new PIN.
func (w *SlotWork) Issue(ctx context.Context, wk Work, pin []byte) error {
	_, fc, fp, err := issueCert(wk.Cert)
	if err != nil {
		return err
	}
	dob, ok := w.Slot.BirthDate()
	if !ok {
		return ErrBirthDateUnknown
	}
	today := policy.DateOf(w.now())
	var current, cardExp policy.Date
	purpose := flow.PurposeNew
	if wk.Purpose == policy.PurposeRenew {
		purpose = flow.PurposeRenew
		if info, err := w.Slot.Identify(ctx); err == nil && info.Auth != nil && info.Auth.NotAfter.After(w.now()) {
			current = policy.DateOf(info.Auth.NotAfter)
		}
	}
	if w.CardExpiry != nil {
		if ce := w.CardExpiry(); !ce.IsZero() {
			cardExp = policy.DateOf(ce)
		}
	}
	exp, _, _ := policy.NewExpiry(policy.DateOf(dob), today, current, cardExp)
	if !cardExp.IsZero() && cardExp.Compare(today) < 0 {
		return fmt.Errorf("staff: %s", policy.CardExpired)
	}
	w.Slot.SetStaffID(w.approval(wk).StaffID)
	if _, err := w.Slot.Issue(ctx, flow.IssueRequest{ApprovalID: wk.ApprovalID, CardRef: wk.CardRef, Cert: fc, Purpose: purpose,
		NotAfter: time.Date(exp.Year(), exp.Month(), exp.Day(), 0, 0, 0, 0, time.UTC)}); err != nil {
		return err
	}
	return w.Slot.SetPIN(ctx, fp, pin)
}
