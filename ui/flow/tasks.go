package flow

import (
	"errors"
	"fmt"
	"time"
)

func (m *Machine) issueTask() {
	type job struct {
		req IssueRequest
		pin []byte
	}
	var jobs []job
	for _, c := range m.prep.selected.Certs() {
		ce := m.choice(c)
		if ce == nil || !ce.Allowed {
			continue
		}
		req := IssueRequest{SessionID: m.session, ApprovalID: m.prep.approvalID, CardRef: m.info.Ref, Cert: c, Purpose: ce.Purpose, NotAfter: ce.NewExpiry}
		if m.prep.ticket != nil {
			req.Ticket = m.prep.ticket.Number
		}
		jobs = append(jobs, job{req: req, pin: m.pin.newPINs[c.PIN()]})
		delete(m.pin.newPINs, c.PIN())
	}
	issuer, card, ctx, gen := m.cfg.Issuer, m.cfg.Card, m.ctx, m.gen
	m.busy = true
	m.cfg.Exec.Run(func() Event {
		defer func() {
			for _, j := range jobs {
				wipe(j.pin)
			}
		}()
		if issuer == nil {
			return cardDone{gen: gen, op: opIssue, err: errNoIssuer}
		}
		var done []issuedCert
		for _, j := range jobs {
			res, err := issuer.Issue(ctx, j.req)
			if err == nil {
				err = card.SetPIN(ctx, j.req.Cert.PIN(), j.pin)
			}
			if err != nil {
				return cardDone{gen: gen, op: opIssue, issued: done, err: fmt.Errorf("issuing %s: %w", j.req.Cert, err)}
			}
			done = append(done, issuedCert{cert: j.req.Cert, info: res.Cert})
		}
		return cardDone{gen: gen, op: opIssue, issued: done}
	})
}

var errNoIssuer = errors.New("no issuer")

// --- card results ---

func (m *Machine) onCardDone(e cardDone, now time.Time) {
	if e.op == opIdentify {
		m.onIdentified(e)
		return
	}
	if e.op == opIssue {
		m.onIssued(e, now)
		return
	}
	if e.err != nil {
		m.onPINFailure(e.err)
		return
	}
	m.info.Retries.set(m.pin.which, m.maxTries(m.pin.which))
	m.errCode = ""
	switch e.op {
	case opVerify:
		if m.svc == ServicePINChange {
			m.pin.purpose = purposeNew
			m.pin.confirmed = false
			m.st = StateNewPIN
			return
		}
		m.st = StatePINChecked
		m.setOutcome(OutcomePINChecked)
	case opSignExpiry:
		m.signKnown, m.sign = true, e.sign
		if m.pin.purpose == purposeSignOpt {
			m.pin.closeField()
			m.chooseRefresh(now)
			m.summarize()
			return
		}
		m.setOutcome(OutcomeSignExpiry)
		m.home()
	case opBirthDate:
		m.birth = e.birth
		m.chooseCerts(now)
	case opChange:
		m.setOutcome(OutcomePINChanged)
		which := m.pin.which
		m.pin.closeField()
		m.receipt = m.makeReceipt(now, []string{"PIN_CHANGED_" + which.String()}, nil)
		m.st = StatePINChanged
	}
}

func (m *Machine) onIdentified(e cardDone) {
	held := m.held
	m.held = nil
	if e.err != nil {
		m.errCode = cardErrCode(e.err)
		m.st = StateReadFailed
		m.setOutcome(OutcomeReadFailed)
		return
	}
	m.info = e.info
	switch e.info.Type {
	case CardMyNumber:
		m.st = StateStatus
		m.setOutcome(OutcomeStatus)
		if e.info.NoSign { // EF 0008: no signature certificate on this card
			m.signKnown, m.sign = true, nil
			m.info.Retries.Sign = -1
		}
		if held != nil && held.ref != "" && held.ref == e.info.Ref {
			m.resume(held)
		}
	case CardJuki:
		m.st = StateJukiCard
		m.reasons = []string{"JUKI_CARD"}
		m.setOutcome(OutcomeJuki)
	case CardSmartphone: // the unknown-card notice, worded for a phone
		m.st = StateUnknownCard
		m.setOutcome(OutcomeUnknownCard)
	default:
		m.info.Type = CardUnknown
		m.st = StateUnknownCard
		m.setOutcome(OutcomeUnknownCard)
	}
}

// heldTicket is a waiting ticket kept when its card was pulled: the same
// card (by card reference) resumes it, any other card drops it.
type heldTicket struct {
	ref      string
	st       State
	svc      Service
	pinWhich PIN
	ticket   *Ticket
	selected CertSet
	choices  []CertEligibility
	total    quoteTotal
	reasons  []string
	birth    time.Time
}

// holdTicket keeps the ticket of a resident waiting for a clerk (approval,
// or a PIN reset at this kiosk); nil in any other state.
func (m *Machine) holdTicket() *heldTicket {
	if m.prep.ticket == nil || m.info.Ref == "" || (m.st != StateWaitApproval && !m.waitHere()) {
		return nil
	}
	return &heldTicket{ref: m.info.Ref, st: m.st, svc: m.svc, pinWhich: m.pin.which, ticket: m.prep.ticket,
		selected: m.prep.selected, choices: m.prep.choices, total: m.prep.total, reasons: append([]string(nil), m.reasons...), birth: m.birth}
}

// resume restores a held ticket after its card came back.
func (m *Machine) resume(h *heldTicket) {
	m.st, m.svc, m.pin.which, m.prep.ticket = h.st, h.svc, h.pinWhich, h.ticket
	m.prep.selected, m.prep.choices, m.prep.total = h.selected, h.choices, h.total
	m.reasons, m.birth = h.reasons, h.birth
	if h.st == StateWaitApproval {
		m.setOutcome(OutcomeWaiting)
	} else {
		m.setOutcome(OutcomeCounter)
	}
}

// onPINFailure handles a failed PIN operation (verify, sign read, birth
// date, change).
func (m *Machine) onPINFailure(err error) {
	m.pin.oldPIN = wipe(m.pin.oldPIN)
	m.pin.confirmed = false
	var pe *PINError
	switch {
	case errors.As(err, &pe):
		m.info.Retries.set(m.pin.which, pe.Left)
		m.setOutcome(OutcomePINWrong)
		m.errCode = ErrCodePINIncorrect
		if m.svc == ServicePINChange {
			m.pin.purpose = purposeOld
		}
		switch {
		case pe.Left <= 0:
			m.st = StatePINLocked
			m.reasons = []string{reasonLocked}
			m.setOutcome(OutcomePINLocked)
		case pe.Left == 1:
			m.st = StateLastTryConfirm
		default:
			m.st = StateEnterPIN
		}
	case errors.Is(err, ErrPINLocked):
		m.info.Retries.set(m.pin.which, 0)
		m.st = StatePINLocked
		m.reasons = []string{reasonLocked}
		m.setOutcome(OutcomePINLocked)
	case errors.Is(err, ErrLastTry):
		m.info.Retries.set(m.pin.which, 1)
		if m.svc == ServicePINChange {
			m.pin.purpose = purposeOld
		}
		m.st = StateLastTryConfirm
	default:
		m.errCode = cardErrCode(err)
		m.st = StateFailed
		m.setOutcome(OutcomeFailed)
	}
}

func (m *Machine) onIssued(e cardDone, now time.Time) {
	var done []string
	exp := map[Cert]time.Time{}
	for _, ic := range e.issued {
		done = append(done, "ISSUED_"+ic.cert.String())
		exp[ic.cert] = ic.info.NotAfter
		info := ic.info
		if ic.cert == CertSign {
			m.signKnown, m.sign = true, &info
		} else {
			m.info.Auth = &info
		}
		m.info.Retries.set(ic.cert.PIN(), m.maxTries(ic.cert.PIN()))
	}
	if e.err != nil {
		m.errCode = ErrCodeIssue
		switch {
		case errors.Is(e.err, errNoIssuer):
			m.errCode = ErrCodeNoIssuer
		case errors.Is(e.err, ErrCardRemoved):
			m.errCode = ErrCodeCardRemoved
		}
		if len(done) > 0 {
			m.receipt = m.makeReceipt(now, done, exp)
			m.receipt.Outstanding = []string{m.errCode}
		}
		m.st = StateFailed
		m.setOutcome(OutcomeFailed)
		return
	}
	m.receipt = m.makeReceipt(now, done, exp)
	m.st = StateReceipt
	m.setOutcome(OutcomeIssued)
}

func cardErrCode(err error) string {
	if errors.Is(err, ErrCardRemoved) {
		return ErrCodeCardRemoved
	}
	if errors.Is(err, ErrCardUnreadable) {
		return ErrCodeCardUnreadable
	}
	return ErrCodeCard
}

func (m *Machine) maxTries(p PIN) int {
	return m.cfg.Rules.PINFormat(p).MaxTries
}
