package staff

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jpki-kiosk/kiosk/policy"
)

// Work is one piece of card work of an approved counter case.
type Work struct {
	Cert       policy.Cert
	Purpose    policy.Purpose // pin-reset, or an issuing purpose
	TicketID   int64
	ApprovalID string // the grant's token
	CardRef    string
}

// CardWork is the card side of counter cases, wired by the program to
// package card and card/issue. PIN slices are borrowed for the call: the
// implementation must not keep them (the caller wipes them).
type CardWork interface {
	// ResetPIN sets a new PIN after a lockout: issuer authentication, then
	// RESET RETRY COUNTER on the certificate's PIN (docs/ISSUANCE-APDUS.md).
	ResetPIN(ctx context.Context, w Work, pin []byte) error
	// Issue writes a new certificate for an approved case and sets its PIN.
	Issue(ctx context.Context, w Work, pin []byte) error
}

// PINStage is where the resident's PIN entry is.
type PINStage string

// Stages of PIN entry.
const (
	PINNew    PINStage = "NEW"
	PINRepeat PINStage = "REPEAT"
	PINDone   PINStage = "DONE"
	PINFailed PINStage = "FAILED"
)

// PIN entry error codes (PINEntry.Error), translated as staff.pin.error.CODE.
const (
	PINErrRule     = "RULE"
	PINErrMismatch = "MISMATCH"
	PINErrCard     = "CARD"
)

// PINEntry is the resident's part of an approved counter case: for each
// certificate, the new PIN twice on the keypad, then the card work. The
// clerk's screens get only the stage, the certificate and error codes.
type PINEntry struct {
	Work  CardWork
	Queue []Work

	stage    PINStage
	first    []byte
	problems []string
	errCode  string
	done     []Work
}

// NewPINEntry starts PIN entry for the queued work.
func NewPINEntry(w CardWork, queue []Work) *PINEntry {
	p := &PINEntry{Work: w, Queue: queue, stage: PINNew}
	if len(queue) == 0 {
		p.stage = PINDone
	}
	return p
}

// Stage returns the stage.
func (p *PINEntry) Stage() PINStage { return p.stage }

// Current returns the work whose PIN is asked (zero when done).
func (p *PINEntry) Current() Work {
	if len(p.Queue) == 0 {
		return Work{}
	}
	return p.Queue[0]
}

// Problems returns the PIN rule codes the last submission broke.
func (p *PINEntry) Problems() []string { return append([]string(nil), p.problems...) }

// Error returns the last error code ("" if none).
func (p *PINEntry) Error() string { return p.errCode }

// Done lists the work completed.
func (p *PINEntry) Done() []Work { return append([]Work(nil), p.done...) }

// Kind is the PIN kind of a certificate.
func Kind(c policy.Cert) policy.PINKind {
	if c == policy.CertSign {
		return policy.PINSign
	}
	return policy.PINAuth
}

// Submit takes one keypad submission (and wipes it). On the second, matching
// entry it runs the card work.
func (p *PINEntry) Submit(ctx context.Context, pin []byte) error {
	defer wipe(pin)
	if p.stage != PINNew && p.stage != PINRepeat {
		return ErrStep
	}
	w := p.Current()
	p.problems, p.errCode = nil, ""
	if p.stage == PINNew {
		if rs := policy.ValidatePIN(Kind(w.Cert), pin); len(rs) > 0 {
			for _, r := range rs {
				p.problems = append(p.problems, string(r))
			}
			p.errCode = PINErrRule
			return nil
		}
		p.first = append(make([]byte, 0, len(pin)), pin...)
		p.stage = PINRepeat
		return nil
	}
	same := bytes.Equal(p.first, pin)
	wipe(p.first)
	p.first = nil
	if !same {
		p.errCode, p.stage = PINErrMismatch, PINNew
		return nil
	}
	var err error
	if w.Purpose == policy.PurposePINReset {
		err = p.Work.ResetPIN(ctx, w, pin)
	} else {
		err = p.Work.Issue(ctx, w, pin)
	}
	if err != nil {
		p.errCode, p.stage = PINErrCard, PINFailed
		return fmt.Errorf("card work for %s: %w", w.Cert, err)
	}
	p.done = append(p.done, w)
	p.Queue = p.Queue[1:]
	p.stage = PINNew
	if len(p.Queue) == 0 {
		p.stage = PINDone
	}
	return nil
}

// Retry returns from a card failure to the PIN of the same certificate.
func (p *PINEntry) Retry() {
	if p.stage == PINFailed {
		p.stage, p.errCode = PINNew, ""
	}
}

// Wipe forgets any PIN held between the two entries.
func (p *PINEntry) Wipe() {
	wipe(p.first)
	p.first = nil
}

// WorkFor lists the card work of an approved case, one per allowed
// certificate: a PIN reset for a PIN reset case, else issuance (which sets
// the new PIN too).
func WorkFor(c *Case) ([]Work, error) {
	if c.Grant == nil {
		return nil, errors.New("staff: case not approved")
	}
	var out []Work
	for _, cert := range c.Plan.Allowed {
		w := Work{Cert: cert, Purpose: c.Plan.Input.Purpose, TicketID: c.TicketID, ApprovalID: c.Grant.Token, CardRef: c.CardRef}
		out = append(out, w)
	}
	return out, nil
}
