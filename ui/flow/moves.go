package flow

import (
	"time"
)

// --- taps ---

func (m *Machine) onService(e SelectService, now time.Time) bool {
	if m.st != StateStatus {
		return false
	}
	switch e.Service {
	case ServiceSignExpiry:
		if m.signKnown || m.info.Retries.Sign < 0 {
			return false // known already, or the card has no sign PIN
		}
		m.beginVerify(ServiceSignExpiry, PINSign, purposeVerify)
	case ServicePINCheck, ServicePINChange:
		if (e.PIN != PINAuth && e.PIN != PINSign) || m.info.Retries.Of(e.PIN) < 0 {
			return false // no such PIN on this card
		}
		purpose := purposeVerify
		if e.Service == ServicePINChange {
			purpose = purposeOld
		}
		m.beginVerify(e.Service, e.PIN, purpose)
	case ServicePrepare:
		m.svc = ServicePrepare
		m.prep.hours = m.cfg.Rules.Hours(now)
		if !m.prep.hours.Open {
			m.st = StateClosed
			if m.prep.hours.Reason != "" {
				m.reasons = []string{m.prep.hours.Reason}
			}
			m.setOutcome(OutcomeClosed)
			return true
		}
		if !m.birth.IsZero() {
			m.chooseCerts(now)
			return true
		}
		m.beginVerify(ServicePrepare, PINBasicInfo, purposeBasic)
	case ServiceCounter:
		locked := m.lockedPINs()
		if len(locked) == 0 {
			return false
		}
		m.svc = ServiceCounter
		m.reasons = []string{reasonLocked}
		m.toCounter(now, RouteCounter)
	default:
		return false
	}
	return true
}

// beginVerify opens the field for an existing PIN, behind the last-try guard.
func (m *Machine) beginVerify(svc Service, which PIN, purpose string) {
	m.svc = svc
	m.pin.which = which
	m.pin.purpose = purpose
	m.pin.confirmed = false
	m.pin.problems = nil
	switch m.info.Retries.Of(which) {
	case 0:
		m.st = StatePINLocked
		m.reasons = []string{reasonLocked}
		m.setOutcome(OutcomePINLocked)
	case 1:
		m.st = StateLastTryConfirm
	default:
		m.st = StateEnterPIN
	}
}

func (m *Machine) onCerts(e SelectCerts, now time.Time) bool {
	if m.st != StateChooseCerts || e.Certs.Empty() {
		return false
	}
	m.prep.selected = e.Certs
	m.chooseRefresh(now)
	// The sign PIN confirms the current signature certificate's expiry; it
	// is asked only when that can matter, and never with its last try.
	if sc := m.choice(CertSign); e.Certs.Sign && !m.signKnown && m.info.Retries.Sign >= 2 && sc != nil && sc.Allowed {
		m.beginVerify(ServicePrepare, PINSign, purposeSignOpt)
		return true
	}
	m.summarize()
	return true
}

// move is what Back or Next does in one state. ok (nil: always) says
// whether it applies there; the snapshot offers the button by the same test
// (can), so what is offered is what is accepted.
type move struct {
	ok func(m *Machine) bool
	do func(m *Machine, now time.Time)
}

// backMoves and nextMoves are the one table of Back and Next: a state
// missing here ignores the tap.
var (
	backMoves = map[State]move{
		StateLastTryConfirm: {do: backFromPIN},
		StateEnterPIN:       {do: backFromPIN},
		StateRepeatPIN: {do: func(m *Machine, _ time.Time) {
			m.pin.newPIN = wipe(m.pin.newPIN)
			m.pin.problems = nil
			m.pin.purpose = purposeNew
			m.st = StateNewPIN
		}},
		// After approval there is no way back from a new PIN, only Cancel.
		StateNewPIN:      {ok: func(m *Machine) bool { return m.svc == ServicePINChange }, do: goHome},
		StateEligibility: {do: func(m *Machine, _ time.Time) { m.st = StateChooseCerts }},
		StateChooseCerts: {do: goHome},
		StatePINChecked:  {do: goHome},
		StatePINChanged:  {do: goHome},
		StatePINLocked:   {do: goHome},
		StateClosed:      {do: goHome},
		StateDeclined:    {do: goHome},
		StateReceipt:     {do: goHome},
		StateFailed:      {do: goHome},
	}
	nextMoves = map[State]move{
		StateLastTryConfirm: {do: func(m *Machine, _ time.Time) {
			m.pin.confirmed = true
			m.st = StateEnterPIN
		}},
		// Next skips the optional sign PIN.
		StateEnterPIN: {ok: func(m *Machine) bool { return m.pin.purpose == purposeSignOpt }, do: func(m *Machine, _ time.Time) {
			m.pin.closeField()
			m.summarize()
		}},
		StateReadFailed: {do: func(m *Machine, _ time.Time) {
			m.errCode = ""
			m.st = StateReading
			m.identify()
		}},
		StateUnknownCard: {do: endCancelled},
		StateJukiCard:    {do: endCancelled},
		// "Take your card to the counter": the main button ends the
		// session and gives the card back; the ticket is in the store.
		// When the clerk comes here there is nothing to go on to.
		StateGoToCounter: {ok: func(m *Machine) bool { return !m.waitHere() }, do: endCancelled},
		StatePINChecked:  {do: goHome},
		StatePINChanged:  {do: goHome},
		StateClosed:      {do: goHome},
		StateDeclined:    {do: goHome},
		StateReceipt:     {do: goHome},
		StatePINLocked:   {do: func(m *Machine, now time.Time) { m.toCounter(now, RouteCounter) }},
		StateFailed: {do: func(m *Machine, now time.Time) {
			m.reasons = append(m.reasons, m.errCode)
			m.toCounter(now, RouteCounter)
		}},
		StateEligibility:   {ok: (*Machine).anyAllowed, do: (*Machine).afterSummary},
		StateIdleCountdown: {do: func(m *Machine, _ time.Time) { m.st = m.idle.from }},
	}
)

func goHome(m *Machine, _ time.Time)         { m.home() }
func endCancelled(m *Machine, now time.Time) { m.endSession(now, EndCancelled) }

// backFromPIN leaves an existing-PIN field: the optional sign PIN goes back
// to the choice, any other to the status screen.
func backFromPIN(m *Machine, _ time.Time) {
	if m.pin.purpose == purposeSignOpt {
		m.pin.closeField()
		m.st = StateChooseCerts
		return
	}
	m.home()
}

// applies reports whether mv is a move in the current state.
func (m *Machine) applies(moves map[State]move) (move, bool) {
	mv, ok := moves[m.st]
	if !ok || (mv.ok != nil && !mv.ok(m)) {
		return move{}, false
	}
	return mv, true
}

// take runs the Back or Next move of the current state, if any.
func (m *Machine) take(moves map[State]move, now time.Time) bool {
	mv, ok := m.applies(moves)
	if ok {
		mv.do(m, now)
	}
	return ok
}

// can reports whether Back and Next do something (for enabling buttons).
func (m *Machine) can() (back, next bool) {
	if m.busy {
		return false, false
	}
	_, back = m.applies(backMoves)
	_, next = m.applies(nextMoves)
	return back, next
}

func (m *Machine) onCancel(now time.Time) bool {
	switch m.st {
	case StateInsertCard, StateTakeCard, StateReading, StateIssuing:
		return false
	case StateStatus, StateUnknownCard, StateJukiCard, StateReadFailed:
		m.endSession(now, EndCancelled)
	default:
		m.home()
	}
	return true
}
