package flow

import (
	"slices"
	"time"
)

// --- snapshot ---

func (m *Machine) lockedPINs() []PIN {
	var out []PIN
	for _, p := range []PIN{PINSign, PINAuth, PINBasicInfo} {
		if m.info.Retries.Of(p) == 0 {
			out = append(out, p)
		}
	}
	return out
}

func (m *Machine) certView(c *CertInfo, known bool, now time.Time) CertView {
	v := CertView{Known: known}
	if !known || c == nil {
		return v
	}
	today := m.today(now)
	exp := dateOf(c.NotAfter, m.loc(now))
	v.Present = true
	v.Serial = c.Serial
	v.NotAfter = exp
	v.DaysLeft = int(exp.Sub(today).Hours() / 24)
	v.Expired = today.After(exp)
	v.RenewableFrom = m.cfg.Rules.RenewalOpens(exp)
	v.Renewable = v.Expired || !today.Before(v.RenewableFrom)
	return v
}

func (m *Machine) offers() []Offer {
	if m.st != StateStatus {
		return nil
	}
	var out []Offer
	r := m.info.Retries
	if !m.signKnown && r.Sign > 0 {
		out = append(out, Offer{Service: ServiceSignExpiry, PIN: PINSign})
	}
	now := m.cfg.Clock.Now()
	expired := map[PIN]bool{
		// The PIN of an expired certificate protects nothing usable
		// (policy refuses a PIN change with CERT_EXPIRED): a new issuance
		// is the offer, not checking or changing that PIN.
		PINAuth: m.certView(m.info.Auth, true, now).Expired,
		PINSign: m.certView(m.sign, m.signKnown, now).Expired,
	}
	for _, p := range []PIN{PINSign, PINAuth} {
		if r.Of(p) > 0 && !expired[p] {
			out = append(out, Offer{Service: ServicePINCheck, PIN: p}, Offer{Service: ServicePINChange, PIN: p})
		}
	}
	out = append(out, Offer{Service: ServicePrepare})
	if len(m.lockedPINs()) > 0 {
		out = append(out, Offer{Service: ServiceCounter})
	}
	return out
}

func (m *Machine) snap() Snapshot {
	now := m.cfg.Clock.Now()
	s := Snapshot{
		Seq: m.seq, State: m.st, Service: m.svc, Busy: m.busy,
		CardType: m.info.Type, Tries: m.info.Retries, Locked: m.lockedPINs(), Offers: m.offers(),
		Selected: m.prep.selected, Reasons: m.reasons, Hours: m.prep.hours, Ticket: m.prep.ticket, Receipt: m.receipt,
		Error: m.errCode, Countdown: m.idle.secs, IdleFrom: m.idle.from,
	}
	if m.st != StateIdleCountdown {
		s.Countdown, s.IdleFrom = 0, 0
	}
	if m.info.Type == CardMyNumber {
		s.Auth = m.certView(m.info.Auth, true, now)
		s.CardRef = m.info.Ref
		s.Genuine, s.GenuineGen = m.info.Genuine, m.info.GenuineGen
		s.Sign = m.certView(m.sign, m.signKnown, now)
	}
	s.Step = m.step()
	s.Recommended = m.recommended(now)
	s.WaitHere = m.waitHere()
	if m.st == StateInsertCard && m.held != nil {
		s.Ticket = m.held.ticket // "your ticket is kept"
	}
	if m.pin.which != PINNone && (m.st == StateEnterPIN || m.st == StateNewPIN || m.st == StateRepeatPIN || m.st == StateLastTryConfirm || m.st == StatePINLocked) {
		f := m.cfg.Rules.PINFormat(m.pin.which)
		s.PIN = PINField{
			Which: m.pin.which, Purpose: m.pin.purpose, Rules: f.Rules, MinLen: f.MinLen, MaxLen: f.MaxLen,
			Digits: f.DigitsOnly, Left: -1, Optional: m.pin.purpose == purposeSignOpt, Problems: m.pin.problems,
		}
		if m.st == StateEnterPIN || m.st == StateLastTryConfirm || m.st == StatePINLocked {
			s.PIN.Left = m.info.Retries.Of(m.pin.which)
			s.LastTryWarning = s.PIN.Left == 1
		}
	}
	if m.svc == ServicePrepare || m.st == StateChooseCerts {
		s.Choices = m.prep.choices
		s.Route, s.FeeYen, s.Visits, s.Documents = m.combined()
	}
	s.CanGoBack, s.CanContinue = m.can()
	return s.clone()
}

// recommended is the one service the status screen puts first: the counter
// when a PIN is locked (nothing else helps), a new issuance when a
// certificate expired or can be renewed.
func (m *Machine) recommended(now time.Time) Service {
	if m.st != StateStatus {
		return ServiceNone
	}
	if len(m.lockedPINs()) > 0 {
		return ServiceCounter
	}
	auth := m.certView(m.info.Auth, true, now)
	sign := m.certView(m.sign, m.signKnown, now)
	if (auth.Present && auth.Renewable) || (sign.Present && sign.Renewable) {
		return ServicePrepare
	}
	return ServiceNone
}

// waitHere reports whether the counter ticket is for work a clerk does at
// this kiosk (a PIN reset): the resident waits here with the card.
func (m *Machine) waitHere() bool {
	return m.st == StateGoToCounter && m.svc != ServicePrepare && slices.Contains(m.reasons, reasonLocked)
}

// step is the step header of the current screen.
func (m *Machine) step() Step {
	st := m.st
	if st == StateIdleCountdown {
		st = m.idle.from
	}
	switch m.svc {
	case ServiceNone:
		// The start and status screens belong to no journey: a step
		// counter there ("2/2") contradicted the service's own ("1/2").
		// Each service counts its own steps, from 1 to N.
		return Step{}
	case ServiceSignExpiry:
		return Step{1, 1}
	case ServicePINCheck:
		if st == StatePINChecked || st == StatePINLocked || st == StateGoToCounter || st == StateFailed {
			return Step{2, 2}
		}
		return Step{1, 2}
	case ServicePINChange:
		switch st {
		case StateNewPIN:
			return Step{2, 4}
		case StateRepeatPIN:
			return Step{3, 4}
		case StatePINChanged, StateGoToCounter, StateFailed:
			return Step{4, 4}
		}
		return Step{1, 4}
	case ServicePrepare:
		switch st {
		case StateClosed, StateLastTryConfirm, StatePINLocked:
			if m.pin.purpose == purposeSignOpt {
				return Step{2, 6}
			}
			return Step{1, 6}
		case StateEnterPIN:
			if m.pin.purpose == purposeSignOpt {
				return Step{2, 6}
			}
			return Step{1, 6}
		case StateChooseCerts:
			return Step{2, 6}
		case StateEligibility:
			return Step{3, 6}
		case StateWaitApproval, StateDeclined, StateGoToCounter:
			return Step{4, 6}
		case StateNewPIN, StateRepeatPIN:
			return Step{5, 6}
		}
		return Step{6, 6}
	case ServiceCounter:
		return Step{1, 1}
	}
	return Step{}
}

// wipe zeroes b and returns nil.
