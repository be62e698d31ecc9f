package flow

import (
	"bytes"
	"time"
)

// --- PINs ---

func (m *Machine) onPIN(pin []byte, now time.Time) bool {
	switch m.st {
	case StateEnterPIN:
		if p := m.cfg.Rules.PINProblems(m.pin.which, pin); len(p) > 0 {
			// A malformed PIN cannot be right: no try is spent on it.
			m.pin.problems, m.errCode = p, ErrCodePINFormat
			return true
		}
		m.pin.problems, m.errCode = nil, ""
		m.verifyTask(pin)
	case StateNewPIN:
		if p := m.cfg.Rules.PINProblems(m.pin.which, pin); len(p) > 0 {
			m.pin.problems, m.errCode = p, ErrCodePINRule
			return true
		}
		m.pin.problems, m.errCode = nil, ""
		m.pin.newPIN = wipe(m.pin.newPIN)
		m.pin.newPIN = bytes.Clone(pin)
		m.pin.purpose = purposeRepeat
		m.st = StateRepeatPIN
	case StateRepeatPIN:
		if !bytes.Equal(pin, m.pin.newPIN) {
			m.pin.newPIN = wipe(m.pin.newPIN)
			m.errCode = ErrCodePINMismatch
			m.pin.purpose = purposeNew
			m.st = StateNewPIN
			return true
		}
		m.errCode = ""
		if m.svc == ServicePINChange {
			m.changeTask()
			return true
		}
		if m.pin.newPINs == nil {
			m.pin.newPINs = map[PIN][]byte{}
		}
		m.pin.newPINs[m.pin.which] = m.pin.newPIN
		m.pin.newPIN = nil
		m.nextNewPIN(now)
	default:
		return false
	}
	return true
}

// verifyTask runs the card operation behind an existing-PIN field.
func (m *Machine) verifyTask(pin []byte) {
	p := bytes.Clone(pin)
	if m.pin.purpose == purposeOld {
		m.pin.oldPIN = wipe(m.pin.oldPIN)
		m.pin.oldPIN = bytes.Clone(pin)
	}
	card, ctx, gen, which, confirm := m.cfg.Card, m.ctx, m.gen, m.pin.which, m.pin.confirmed
	var task func() Event
	switch {
	case m.pin.purpose == purposeBasic:
		task = func() Event {
			defer wipe(p)
			birth, err := card.ReadBirthDate(ctx, p, confirm)
			return cardDone{gen: gen, op: opBirthDate, birth: birth, err: err}
		}
	case which == PINSign && (m.svc == ServiceSignExpiry || m.pin.purpose == purposeSignOpt):
		task = func() Event {
			defer wipe(p)
			sign, err := card.ReadSignCert(ctx, p, confirm)
			return cardDone{gen: gen, op: opSignExpiry, sign: sign, err: err}
		}
	default:
		task = func() Event {
			defer wipe(p)
			return cardDone{gen: gen, op: opVerify, err: card.VerifyPIN(ctx, which, p, confirm)}
		}
	}
	m.busy = true
	m.cfg.Exec.Run(task)
}

func (m *Machine) changeTask() {
	oldP, newP := bytes.Clone(m.pin.oldPIN), m.pin.newPIN
	m.pin.newPIN = nil
	m.pin.oldPIN = wipe(m.pin.oldPIN)
	card, ctx, gen, which := m.cfg.Card, m.ctx, m.gen, m.pin.which
	m.busy = true
	m.cfg.Exec.Run(func() Event {
		defer wipe(oldP)
		defer wipe(newP)
		// The old PIN was just verified, so this uses no last try.
		return cardDone{gen: gen, op: opChange, err: card.ChangePIN(ctx, which, oldP, newP, true)}
	})
}

// nextNewPIN asks the new PIN of the next certificate, or starts issuance.
func (m *Machine) nextNewPIN(now time.Time) {
	if len(m.pin.queue) > 0 {
		c := m.pin.queue[0]
		m.pin.queue = m.pin.queue[1:]
		m.pin.closeField()
		m.pin.which = c.PIN()
		m.pin.purpose = purposeNew
		m.st = StateNewPIN
		return
	}
	m.pin.closeField()
	m.st = StateIssuing
	m.issueTask()
}
