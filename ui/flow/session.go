package flow

import (
	"context"
	"time"
)

// Session life: start, end, wiping, outcome; and the idle timer.

// --- session life ---

func (m *Machine) startSession(now time.Time) {
	m.resetSession()
	m.cardIn = true
	id, err := m.cfg.Recorder.StartSession(context.Background(), now)
	m.recErr(err)
	if err == nil {
		m.session = id
	}
	m.outcome = OutcomeNone
	m.st = StateReading
	m.identify()
}

func (m *Machine) identify() {
	m.busy = true
	card, ctx, gen := m.cfg.Card, m.ctx, m.gen
	m.cfg.Exec.Run(func() Event {
		info, err := card.Identify(ctx)
		return cardDone{gen: gen, op: opIdentify, info: info, err: err}
	})
}

// endSession wipes the session and goes to TAKE_CARD (the card is still in);
// CardRemoved then sets INSERT_CARD itself.
func (m *Machine) endSession(now time.Time, reason string) {
	if m.session != "" {
		m.ending = &SessionEnd{At: now, Reason: reason, Outcome: m.outcome}
	}
	m.resetSession()
	m.st = StateTakeCard
}

// resetSession drops everything of the resident: PINs wiped, personal data
// forgotten, pending card results orphaned.
func (m *Machine) resetSession() {
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.clearService()
	m.busy = false
	m.session = ""
	m.outcome = ""
	m.info = CardInfo{Retries: Retries{-1, -1, -1}}
	m.signKnown = false
	m.sign = nil
	m.birth = time.Time{}
	m.cardExpiry = time.Time{}
	m.idle.reset()
}

// clearService forgets the service in progress (back to the status screen).
func (m *Machine) clearService() {
	m.svc = ServiceNone
	m.pin.wipe()
	m.prep = prepState{}
	m.receipt = nil
	m.errCode = ""
	m.reasons = nil
}

func (m *Machine) home() {
	m.clearService()
	m.st = StateStatus
}

var outcomeRank = []string{
	OutcomeNone, OutcomeStatus, OutcomeUnknownCard, OutcomeJuki, OutcomeReadFailed,
	OutcomeSignExpiry, OutcomePINWrong, OutcomePINChecked, OutcomeClosed,
	OutcomeNotEligible, OutcomePINLocked, OutcomePINChanged, OutcomeWaiting,
	OutcomeDeclined, OutcomeFailed, OutcomeCounter, OutcomeIssued,
}

func rankOf(o string) int {
	for i, x := range outcomeRank {
		if x == o {
			return i
		}
	}
	return -1
}

// setOutcome keeps the most significant outcome of the session.
func (m *Machine) setOutcome(o string) {
	if rankOf(o) >= rankOf(m.outcome) {
		m.outcome = o
	}
}

// --- timer ---

func (m *Machine) onTick(now time.Time) bool {
	switch {
	case m.st == StateInsertCard || m.st == StateTakeCard || m.busy:
		return false
	case m.st == StateIdleCountdown:
		left := m.idle.end.Sub(now)
		if left <= 0 {
			m.endSession(now, EndTimeout)
			m.errCode = ErrCodeTimeout // the end screen says the session timed out
			return true
		}
		secs := int((left + time.Second - 1) / time.Second)
		if secs == m.idle.secs {
			return false
		}
		m.idle.secs = secs
		return true
	}
	limit := m.cfg.IdleAfter
	if m.st == StateWaitApproval || m.waitHere() { // waiting for a clerk
		limit = m.cfg.ApprovalWait
	}
	if now.Sub(m.idle.last) < limit-WarningFor(limit, m.cfg.Countdown) {
		return false
	}
	// The session ends exactly limit after the last activity; the warning
	// is the end of that time, not added to it.
	// A late tick (the machine stalled) still warns for MinCountdown: no
	// session ends unwarned.
	m.idle.end = m.idle.last.Add(limit)
	if m.idle.end.Sub(now) < MinCountdown {
		m.idle.end = now.Add(MinCountdown)
	}
	left := m.idle.end.Sub(now)
	m.idle.from = m.st
	m.st = StateIdleCountdown
	m.idle.secs = int((left + time.Second - 1) / time.Second)
	return true
}

// WarningFor is how long before the end of an idle timeout of limit the
// countdown shows: the configured countdown, but at most half the limit,
// and never less than MinCountdown (nor more than the limit).
func WarningFor(limit, countdown time.Duration) time.Duration {
	w := max(min(countdown, limit/2), MinCountdown)
	return min(w, limit)
}
