package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config wires a Machine. Card, Rules, Clock and Exec are required; a nil
// Recorder records nothing and a nil Issuer makes issuance fail (NO_ISSUER).
type Config struct {
	Card     CardPort
	Rules    Rules
	Recorder Recorder
	Issuer   Issuer
	Clock    Clock
	Exec     Executor

	// IdleAfter is the idle timeout (profile setting; default 60 s): the
	// session ends exactly this long after the last activity, the countdown
	// (see WarningFor) being its last part.
	IdleAfter time.Duration
	// Countdown is how long before the end the countdown shows (default
	// 30 s, at least 20 s, at most half of IdleAfter when that is longer).
	Countdown time.Duration
	// ApprovalWait replaces IdleAfter while waiting for a clerk (default 15 min).
	ApprovalWait time.Duration
	// KioskID goes into the receipt's QR data.
	KioskID string
	// Location is the time zone for dates (default: the clock's).
	Location *time.Location
	// OnRecordError hears Recorder failures (the session goes on; a failed
	// ticket shows TICKET_FAILED). Nil: ignored.
	OnRecordError func(error)
}

// Defaults and limits of Config.
const (
	DefaultIdleAfter    = 60 * time.Second
	DefaultCountdown    = 30 * time.Second
	MinCountdown        = 20 * time.Second
	DefaultApprovalWait = 15 * time.Minute
)

// Machine is the resident session state machine. It is safe for concurrent
// use; the UI calls Handle with every event and renders the Snapshot.
type Machine struct {
	mu  sync.Mutex
	cfg Config

	seq    uint64
	gen    uint64 // session generation: results of wiped sessions are dropped
	ctx    context.Context
	cancel context.CancelFunc
	ending *SessionEnd // set by endSession, written after the transition

	st      State
	svc     Service
	busy    bool
	cardIn  bool
	session string
	outcome string

	info       CardInfo
	signKnown  bool
	sign       *CertInfo
	birth      time.Time // personal: dropped with the session
	cardExpiry time.Time // from the clerk

	pinWhich   PIN
	pinPurpose string
	confirmed  bool
	problems   []string
	oldPIN     []byte
	newPIN     []byte
	newPINs    map[PIN][]byte
	issueQueue []Cert

	choices    []CertEligibility
	selected   CertSet
	ticket     *Ticket
	approvalID string
	receipt    *Receipt
	errCode    string
	reasons    []string
	hours      Hours

	held *heldTicket // a waiting ticket whose card was pulled

	lastActivity time.Time
	idleFrom     State
	countdownEnd time.Time
	countdown    int
}

// PIN field purposes (Snapshot.PIN.Purpose).
const (
	purposeVerify   = "VERIFY"
	purposeOld      = "OLD"
	purposeNew      = "NEW"
	purposeRepeat   = "REPEAT"
	purposeBasic    = "BASIC_INFO"
	purposeSignOpt  = "SIGN_OPTIONAL"
	reasonLocked    = "PIN_LOCKED"
	reasonUnconfirm = "SIGN_EXPIRY_UNCONFIRMED"
)

// Error codes (Snapshot.Error).
const (
	ErrCodePINIncorrect = "PIN_INCORRECT"
	ErrCodePINFormat    = "PIN_FORMAT"
	ErrCodePINRule      = "PIN_RULE"
	ErrCodePINMismatch  = "PIN_MISMATCH"
	ErrCodeCardRemoved  = "CARD_REMOVED"
	// ErrCodeCardRemovedWaiting: the card was pulled while the resident
	// waited for a clerk; the ticket is kept for the same card.
	ErrCodeCardRemovedWaiting = "CARD_REMOVED_WAITING"
	ErrCodeTimeout            = "SESSION_TIMEOUT"
	ErrCodeCard               = "CARD_ERROR"
	// ErrCodeCardUnreadable: inserted, but never answered (ErrCardUnreadable).
	ErrCodeCardUnreadable = "CARD_UNREADABLE"
	ErrCodeTicket         = "TICKET_FAILED"
	ErrCodeIssue          = "ISSUE_FAILED"
	ErrCodeNoIssuer       = "NO_ISSUER"
)

// Session end reasons (SessionEnd.Reason).
const (
	EndCardRemoved = "CARD_REMOVED"
	EndTimeout     = "TIMEOUT"
	EndCancelled   = "CANCELLED"
)

// New makes a Machine on the start screen.
func New(cfg Config) (*Machine, error) {
	if cfg.Card == nil || cfg.Rules == nil || cfg.Clock == nil || cfg.Exec == nil {
		return nil, errors.New("flow: Card, Rules, Clock and Exec are required")
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = DefaultIdleAfter
	}
	if cfg.Countdown <= 0 {
		cfg.Countdown = DefaultCountdown
	}
	cfg.Countdown = max(cfg.Countdown, MinCountdown)
	if cfg.ApprovalWait <= 0 {
		cfg.ApprovalWait = DefaultApprovalWait
	}
	if cfg.Recorder == nil {
		cfg.Recorder = nopRecorder{}
	}
	m := &Machine{cfg: cfg}
	m.resetSession()
	m.st = StateInsertCard
	return m, nil
}

// SetIdleAfter changes the idle time before the countdown at run time (a
// staff setting); d <= 0 is ignored.
func (m *Machine) SetIdleAfter(d time.Duration) {
	if d <= 0 {
		return
	}
	m.mu.Lock()
	m.cfg.IdleAfter = d
	m.mu.Unlock()
}

// SetRules swaps the rules (another municipality profile: eligibility,
// hours, documents, PIN formats) from the next decision on; a session under
// way keeps the decisions already made.
func (m *Machine) SetRules(r Rules) {
	if r == nil {
		return
	}
	m.mu.Lock()
	m.cfg.Rules = r
	m.mu.Unlock()
}

// Snapshot returns the current view model.
func (m *Machine) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap()
}

// ValidatePIN is the live check of the PIN field on the current screen: the
// rule codes draft breaks (empty: fine). It keeps nothing and changes nothing;
// the caller keeps ownership of draft.
func (m *Machine) ValidatePIN(draft []byte) []string {
	m.mu.Lock()
	which := m.pinWhich
	m.mu.Unlock()
	if which == PINNone {
		return nil
	}
	return m.cfg.Rules.PINProblems(which, draft)
}

// Handle feeds one event to the machine and returns the new snapshot. An
// event that does not apply to the current state is ignored (the snapshot's
// Seq does not change). A SubmitPIN's slice is zeroed before Handle returns.
func (m *Machine) Handle(ev Event) Snapshot {
	if sp, ok := ev.(SubmitPIN); ok {
		defer wipe(sp.PIN)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apply(ev)
	return m.snap()
}

// apply runs one event and records it; it reports whether it was accepted.
func (m *Machine) apply(ev Event) bool {
	from, sid, now := m.st, m.session, m.cfg.Clock.Now()
	if _, ok := ev.(Activity); ok {
		// Typing restarts the idle timer, nothing else: the snapshot (and
		// its Seq) stays, nothing is recorded. The countdown itself needs a
		// tap on its screen.
		if m.cardIn && m.st != StateIdleCountdown {
			m.lastActivity = now
		}
		return false
	}
	if ev == nil || !m.dispatch(ev, now) {
		return false
	}
	m.seq++
	if sid == "" {
		sid = m.session // a session the event started
	}
	_, tick := ev.(Tick)
	if !tick {
		m.lastActivity = now
	}
	if sid != "" && (from != m.st || !tick) {
		reasons := append([]string(nil), m.reasons...)
		if m.errCode != "" {
			reasons = append(reasons, m.errCode)
		}
		t := Transition{At: now, Kind: ev.Kind(), From: from, To: m.st, Service: m.svc, Reasons: reasons}
		m.recErr(m.cfg.Recorder.Record(context.Background(), sid, t))
	}
	if m.ending != nil {
		end := *m.ending
		m.ending = nil
		m.recErr(m.cfg.Recorder.EndSession(context.Background(), sid, end))
	}
	return true
}

func (m *Machine) recErr(err error) {
	if err != nil && m.cfg.OnRecordError != nil {
		m.cfg.OnRecordError(err)
	}
}

// dispatch is the transition function. It returns false for ignored events.
func (m *Machine) dispatch(ev Event, now time.Time) bool {
	switch e := ev.(type) {
	case CardInserted:
		if m.st != StateInsertCard {
			return false // a card is already in; TAKE_CARD waits for removal
		}
		m.startSession(now)
		return true
	case CardRemoved:
		switch m.st {
		case StateInsertCard:
			return false
		case StateTakeCard:
			m.cardIn = false
			m.st = StateInsertCard
			m.errCode = ""
			return true
		}
		expected := m.st == StateGoToCounter && !m.waitHere() // told to take the card to the counter
		held := m.holdTicket()
		m.endSession(now, EndCardRemoved)
		m.cardIn = false
		m.st = StateInsertCard
		m.held = held
		// The start screen says why the session ended; the next card clears it.
		switch {
		case held != nil:
			m.errCode = ErrCodeCardRemovedWaiting
		case !expected:
			m.errCode = ErrCodeCardRemoved
		}
		return true
	case CardReread:
		// After work on the card outside the flow (a PIN reset at the
		// counter): read it again so the status shows what the card says.
		if m.busy || !m.cardIn || m.session == "" || (m.st != StateGoToCounter && m.st != StateStatus) {
			return false
		}
		m.clearService()
		m.st = StateReading
		m.identify()
		return true
	case cardDone:
		if !m.busy || e.gen != m.gen {
			return false // stale: from a wiped session or not awaited
		}
		m.busy = false
		m.onCardDone(e, now)
		return true
	case Tick:
		return m.onTick(now)
	}
	if m.busy {
		return false // card I/O in progress: taps wait
	}
	if m.st == StateIdleCountdown {
		switch ev.(type) {
		case Next:
			m.st = m.idleFrom
			return true
		case Cancel:
			m.endSession(now, EndCancelled)
			return true
		case StaffApproved, StaffDeclined:
			m.st = m.idleFrom
			if !m.dispatch(ev, now) {
				m.st = StateIdleCountdown
				return false
			}
			return true
		}
		return false
	}
	switch e := ev.(type) {
	case SelectService:
		return m.onService(e, now)
	case SelectCerts:
		return m.onCerts(e, now)
	case Next:
		return m.onNext(now)
	case Back:
		return m.onBack()
	case Cancel:
		return m.onCancel(now)
	case SubmitPIN:
		return m.onPIN(e.PIN, now)
	case StaffApproved:
		return m.onApproved(e, now)
	case StaffDeclined:
		if m.st != StateWaitApproval || !m.ticketMatches(e.TicketID) {
			return false
		}
		m.st = StateDeclined
		m.reasons = []string{e.Reason}
		m.setOutcome(OutcomeDeclined)
		return true
	}
	return false
}

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
	m.idleFrom = StateInsertCard
	m.countdown = 0
}

// clearService forgets the service in progress (back to the status screen).
func (m *Machine) clearService() {
	m.svc = ServiceNone
	m.clearPIN()
	m.oldPIN = wipe(m.oldPIN)
	m.newPIN = wipe(m.newPIN)
	for k, v := range m.newPINs {
		wipe(v)
		delete(m.newPINs, k)
	}
	m.issueQueue = nil
	m.choices = nil
	m.selected = CertSet{}
	m.ticket = nil
	m.approvalID = ""
	m.receipt = nil
	m.errCode = ""
	m.reasons = nil
	m.hours = Hours{}
}

func (m *Machine) clearPIN() {
	m.pinWhich = PINNone
	m.pinPurpose = ""
	m.confirmed = false
	m.problems = nil
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
		left := m.countdownEnd.Sub(now)
		if left <= 0 {
			m.endSession(now, EndTimeout)
			m.errCode = ErrCodeTimeout // the end screen says the session timed out
			return true
		}
		secs := int((left + time.Second - 1) / time.Second)
		if secs == m.countdown {
			return false
		}
		m.countdown = secs
		return true
	}
	limit := m.cfg.IdleAfter
	if m.st == StateWaitApproval || m.waitHere() { // waiting for a clerk
		limit = m.cfg.ApprovalWait
	}
	if now.Sub(m.lastActivity) < limit-WarningFor(limit, m.cfg.Countdown) {
		return false
	}
	// The session ends exactly limit after the last activity; the warning
	// is the end of that time, not added to it.
	// A late tick (the machine stalled) still warns for MinCountdown: no
	// session ends unwarned.
	m.countdownEnd = m.lastActivity.Add(limit)
	if m.countdownEnd.Sub(now) < MinCountdown {
		m.countdownEnd = now.Add(MinCountdown)
	}
	left := m.countdownEnd.Sub(now)
	m.idleFrom = m.st
	m.st = StateIdleCountdown
	m.countdown = int((left + time.Second - 1) / time.Second)
	return true
}

// WarningFor is how long before the end of an idle timeout of limit the
// countdown shows: the configured countdown, but at most half the limit,
// and never less than MinCountdown (nor more than the limit).
func WarningFor(limit, countdown time.Duration) time.Duration {
	w := max(min(countdown, limit/2), MinCountdown)
	return min(w, limit)
}

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
		m.hours = m.cfg.Rules.Hours(now)
		if !m.hours.Open {
			m.st = StateClosed
			if m.hours.Reason != "" {
				m.reasons = []string{m.hours.Reason}
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
	m.pinWhich = which
	m.pinPurpose = purpose
	m.confirmed = false
	m.problems = nil
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
	m.selected = e.Certs
	// The sign PIN confirms the current signature certificate's expiry; it
	// is asked only when that can matter, and never with its last try.
	if sc := m.choice(CertSign); e.Certs.Sign && !m.signKnown && m.info.Retries.Sign >= 2 && sc != nil && sc.Allowed {
		m.beginVerify(ServicePrepare, PINSign, purposeSignOpt)
		return true
	}
	m.summarize()
	return true
}

func (m *Machine) onNext(now time.Time) bool {
	switch m.st {
	case StateLastTryConfirm:
		m.confirmed = true
		m.st = StateEnterPIN
	case StateEnterPIN:
		if m.pinPurpose != purposeSignOpt {
			return false
		}
		m.clearPIN()
		m.summarize()
	case StateReadFailed:
		m.errCode = ""
		m.st = StateReading
		m.identify()
	case StateUnknownCard, StateJukiCard:
		m.endSession(now, EndCancelled)
	case StateGoToCounter:
		if m.waitHere() {
			return false // the clerk comes here: nothing to go on to
		}
		// "Take your card to the counter": the main button ends the
		// session and gives the card back; the ticket is in the store.
		m.endSession(now, EndCancelled)
	case StatePINChecked, StatePINChanged, StateClosed, StateDeclined, StateReceipt:
		m.home()
	case StatePINLocked:
		m.toCounter(now, RouteCounter)
	case StateFailed:
		m.reasons = append(m.reasons, m.errCode)
		m.toCounter(now, RouteCounter)
	case StateEligibility:
		return m.afterSummary(now)
	default:
		return false
	}
	return true
}

func (m *Machine) onBack() bool {
	switch m.st {
	case StateLastTryConfirm, StateEnterPIN:
		if m.pinPurpose == purposeSignOpt {
			m.clearPIN()
			m.st = StateChooseCerts
			return true
		}
		m.home()
	case StateRepeatPIN:
		m.newPIN = wipe(m.newPIN)
		m.problems = nil
		m.pinPurpose = purposeNew
		m.st = StateNewPIN
	case StateNewPIN:
		if m.svc != ServicePINChange {
			return false // after approval there is no way back, only Cancel
		}
		m.home()
	case StateEligibility:
		m.st = StateChooseCerts
	case StateChooseCerts, StatePINChecked, StatePINChanged, StatePINLocked, StateClosed,
		StateDeclined, StateReceipt, StateFailed:
		m.home()
	default:
		return false
	}
	return true
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

// --- PINs ---

func (m *Machine) onPIN(pin []byte, now time.Time) bool {
	switch m.st {
	case StateEnterPIN:
		if p := m.cfg.Rules.PINProblems(m.pinWhich, pin); len(p) > 0 {
			// A malformed PIN cannot be right: no try is spent on it.
			m.problems, m.errCode = p, ErrCodePINFormat
			return true
		}
		m.problems, m.errCode = nil, ""
		m.verifyTask(pin)
	case StateNewPIN:
		if p := m.cfg.Rules.PINProblems(m.pinWhich, pin); len(p) > 0 {
			m.problems, m.errCode = p, ErrCodePINRule
			return true
		}
		m.problems, m.errCode = nil, ""
		m.newPIN = wipe(m.newPIN)
		m.newPIN = bytes.Clone(pin)
		m.pinPurpose = purposeRepeat
		m.st = StateRepeatPIN
	case StateRepeatPIN:
		if !bytes.Equal(pin, m.newPIN) {
			m.newPIN = wipe(m.newPIN)
			m.errCode = ErrCodePINMismatch
			m.pinPurpose = purposeNew
			m.st = StateNewPIN
			return true
		}
		m.errCode = ""
		if m.svc == ServicePINChange {
			m.changeTask()
			return true
		}
		if m.newPINs == nil {
			m.newPINs = map[PIN][]byte{}
		}
		m.newPINs[m.pinWhich] = m.newPIN
		m.newPIN = nil
		m.nextNewPIN(now)
	default:
		return false
	}
	return true
}

// verifyTask runs the card operation behind an existing-PIN field.
func (m *Machine) verifyTask(pin []byte) {
	p := bytes.Clone(pin)
	if m.pinPurpose == purposeOld {
		m.oldPIN = wipe(m.oldPIN)
		m.oldPIN = bytes.Clone(pin)
	}
	card, ctx, gen, which, confirm := m.cfg.Card, m.ctx, m.gen, m.pinWhich, m.confirmed
	var task func() Event
	switch {
	case m.pinPurpose == purposeBasic:
		task = func() Event {
			defer wipe(p)
			birth, err := card.ReadBirthDate(ctx, p, confirm)
			return cardDone{gen: gen, op: opBirthDate, birth: birth, err: err}
		}
	case which == PINSign && (m.svc == ServiceSignExpiry || m.pinPurpose == purposeSignOpt):
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
	oldP, newP := bytes.Clone(m.oldPIN), m.newPIN
	m.newPIN = nil
	m.oldPIN = wipe(m.oldPIN)
	card, ctx, gen, which := m.cfg.Card, m.ctx, m.gen, m.pinWhich
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
	if len(m.issueQueue) > 0 {
		c := m.issueQueue[0]
		m.issueQueue = m.issueQueue[1:]
		m.clearPIN()
		m.pinWhich = c.PIN()
		m.pinPurpose = purposeNew
		m.st = StateNewPIN
		return
	}
	m.clearPIN()
	m.st = StateIssuing
	m.issueTask()
}

func (m *Machine) issueTask() {
	type job struct {
		req IssueRequest
		pin []byte
	}
	var jobs []job
	for _, c := range m.selected.Certs() {
		ce := m.choice(c)
		if ce == nil || !ce.Allowed {
			continue
		}
		req := IssueRequest{SessionID: m.session, ApprovalID: m.approvalID, CardRef: m.info.Ref, Cert: c, Purpose: ce.Purpose, NotAfter: ce.NewExpiry}
		if m.ticket != nil {
			req.Ticket = m.ticket.Number
		}
		jobs = append(jobs, job{req: req, pin: m.newPINs[c.PIN()]})
		delete(m.newPINs, c.PIN())
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
	m.info.Retries.set(m.pinWhich, m.maxTries(m.pinWhich))
	m.errCode = ""
	switch e.op {
	case opVerify:
		if m.svc == ServicePINChange {
			m.pinPurpose = purposeNew
			m.confirmed = false
			m.st = StateNewPIN
			return
		}
		m.st = StatePINChecked
		m.setOutcome(OutcomePINChecked)
	case opSignExpiry:
		m.signKnown, m.sign = true, e.sign
		if m.pinPurpose == purposeSignOpt {
			m.clearPIN()
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
		which := m.pinWhich
		m.clearPIN()
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
	reasons  []string
	birth    time.Time
}

// holdTicket keeps the ticket of a resident waiting for a clerk (approval,
// or a PIN reset at this kiosk); nil in any other state.
func (m *Machine) holdTicket() *heldTicket {
	if m.ticket == nil || m.info.Ref == "" || (m.st != StateWaitApproval && !m.waitHere()) {
		return nil
	}
	return &heldTicket{ref: m.info.Ref, st: m.st, svc: m.svc, pinWhich: m.pinWhich, ticket: m.ticket,
		selected: m.selected, choices: m.choices, reasons: append([]string(nil), m.reasons...), birth: m.birth}
}

// resume restores a held ticket after its card came back.
func (m *Machine) resume(h *heldTicket) {
	m.st, m.svc, m.pinWhich, m.ticket = h.st, h.svc, h.pinWhich, h.ticket
	m.selected, m.choices, m.reasons, m.birth = h.selected, h.choices, h.reasons, h.birth
	if h.st == StateWaitApproval {
		m.setOutcome(OutcomeWaiting)
	} else {
		m.setOutcome(OutcomeCounter)
	}
}

// onPINFailure handles a failed PIN operation (verify, sign read, birth
// date, change).
func (m *Machine) onPINFailure(err error) {
	m.oldPIN = wipe(m.oldPIN)
	m.confirmed = false
	var pe *PINError
	switch {
	case errors.As(err, &pe):
		m.info.Retries.set(m.pinWhich, pe.Left)
		m.setOutcome(OutcomePINWrong)
		m.errCode = ErrCodePINIncorrect
		if m.svc == ServicePINChange {
			m.pinPurpose = purposeOld
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
		m.info.Retries.set(m.pinWhich, 0)
		m.st = StatePINLocked
		m.reasons = []string{reasonLocked}
		m.setOutcome(OutcomePINLocked)
	case errors.Is(err, ErrLastTry):
		m.info.Retries.set(m.pinWhich, 1)
		if m.svc == ServicePINChange {
			m.pinPurpose = purposeOld
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

// --- preparing issuance ---

// chooseCerts computes both certificates' eligibility and opens the choice.
func (m *Machine) chooseCerts(now time.Time) {
	m.clearPIN()
	m.chooseRefresh(now)
	m.st = StateChooseCerts
}

func (m *Machine) chooseRefresh(now time.Time) {
	m.choices = []CertEligibility{m.eligibility(CertSign, now), m.eligibility(CertAuth, now)}
}

// eligibility asks policy about one certificate with what the session knows.
func (m *Machine) eligibility(c Cert, now time.Time) CertEligibility {
	q := EligibilityQuery{Today: m.today(now), BirthDate: m.birth, Cert: c, CardExpiry: m.cardExpiry, Purpose: PurposeNew}
	var cur *CertInfo
	unconfirmed := false
	if c == CertAuth {
		cur = m.info.Auth
	} else if m.signKnown {
		cur = m.sign
	} else if m.info.Auth != nil {
		// Unread without the sign PIN: both certificates are issued
		// together, so the auth certificate's expiry stands in for it; the
		// clerk confirms at approval (SIGN_EXPIRY_UNCONFIRMED).
		cur = m.info.Auth
		unconfirmed = true
	}
	if cur != nil && !m.today(now).After(dateOf(cur.NotAfter, m.loc(now))) {
		q.Purpose = PurposeRenew
		q.CertExpiry = dateOf(cur.NotAfter, m.loc(now))
	}
	el := m.cfg.Rules.Eligibility(q)
	ce := CertEligibility{
		Cert: c, Purpose: q.Purpose, Allowed: el.Allowed, Route: el.Route,
		Reasons: append([]string(nil), el.Reasons...), NewExpiry: el.NewExpiry,
		RenewalOpens: el.RenewalOpens, FeeYen: el.FeeYen, Visits: el.Visits,
		Documents: append([]string(nil), el.Documents...),
	}
	if unconfirmed {
		ce.Reasons = append(ce.Reasons, reasonUnconfirm)
	}
	return ce
}

func (m *Machine) choice(c Cert) *CertEligibility {
	for i := range m.choices {
		if m.choices[i].Cert == c {
			return &m.choices[i]
		}
	}
	return nil
}

// summarize opens the eligibility summary of the chosen certificates.
func (m *Machine) summarize() {
	m.st = StateEligibility
	m.reasons = nil
	if !m.anyAllowed() {
		m.setOutcome(OutcomeNotEligible)
	}
}

func (m *Machine) anyAllowed() bool {
	for _, c := range m.selected.Certs() {
		if ce := m.choice(c); ce != nil && ce.Allowed {
			return true
		}
	}
	return false
}

// combined is the route, fee, visits and documents of the allowed choices.
func (m *Machine) combined() (Route, int, int, []string) {
	route, fee, visits := Route(""), 0, 0
	var docs []string
	seen := map[string]bool{}
	for _, c := range m.selected.Certs() {
		ce := m.choice(c)
		if ce == nil || !ce.Allowed {
			continue
		}
		if route == "" || ce.Route.rank() > route.rank() {
			route = ce.Route
		}
		fee = max(fee, ce.FeeYen) // one fee for one or both certificates
		visits = max(visits, ce.Visits)
		for _, d := range ce.Documents {
			if !seen[d] {
				seen[d] = true
				docs = append(docs, d)
			}
		}
	}
	return route, fee, visits, docs
}

func (m *Machine) afterSummary(now time.Time) bool {
	if !m.anyAllowed() {
		return false
	}
	route, _, _, _ := m.combined()
	switch route {
	case RouteSelf:
		m.queueNewPINs(now)
	case RouteApproval:
		if !m.takeTicket(now, RouteApproval) {
			return true
		}
		m.st = StateWaitApproval
		m.setOutcome(OutcomeWaiting)
	default:
		m.toCounter(now, RouteCounter)
	}
	return true
}

func (m *Machine) queueNewPINs(now time.Time) {
	m.issueQueue = nil
	for _, c := range m.selected.Certs() {
		if ce := m.choice(c); ce != nil && ce.Allowed {
			m.issueQueue = append(m.issueQueue, c)
		}
	}
	m.nextNewPIN(now)
}

// ticketMatches reports whether a staff decision names the waiting ticket:
// a decision without a ticket ID, or for another ticket, is not this
// resident's.
func (m *Machine) ticketMatches(id string) bool {
	return m.ticket != nil && id != "" && id == m.ticket.ID
}

func (m *Machine) onApproved(e StaffApproved, now time.Time) bool {
	if m.st != StateWaitApproval || !m.ticketMatches(e.TicketID) {
		return false
	}
	m.approvalID = e.ApprovalID
	if !e.CardExpiry.IsZero() {
		m.cardExpiry = dateOf(e.CardExpiry, m.loc(now))
		m.chooseRefresh(now)
		var reasons []string
		for _, c := range m.selected.Certs() {
			if ce := m.choice(c); ce != nil && !ce.Allowed {
				reasons = append(reasons, ce.Reasons...)
			}
		}
		if !m.anyAllowed() {
			m.reasons = reasons
			m.st = StateGoToCounter
			m.setOutcome(OutcomeCounter)
			return true
		}
	}
	m.queueNewPINs(now)
	return true
}

// toCounter takes a ticket for the counter and says so.
func (m *Machine) toCounter(now time.Time, route Route) {
	if m.ticket == nil && !m.takeTicket(now, route) {
		return
	}
	m.st = StateGoToCounter
	m.setOutcome(OutcomeCounter)
}

// takeTicket draws a ticket; on failure it goes to FAILED.
func (m *Machine) takeTicket(now time.Time, route Route) bool {
	req := TicketRequest{Service: m.svc, Purpose: "pin-reset", Route: route, Certs: m.selected, Reasons: append([]string(nil), m.reasons...)}
	if m.svc == ServicePrepare {
		req.Purpose = string(PurposeNew)
		for _, c := range m.selected.Certs() {
			if ce := m.choice(c); ce != nil {
				req.Reasons = append(req.Reasons, ce.Reasons...)
				if ce.Purpose == PurposeRenew {
					req.Purpose = string(PurposeRenew)
				}
			}
		}
		_, req.FeeYen, _, _ = m.combined()
	} else if m.pinWhich == PINSign || m.pinWhich == PINAuth {
		req.Certs = CertSet{Sign: m.pinWhich == PINSign, Auth: m.pinWhich == PINAuth}
	} else {
		req.Certs = CertSet{Sign: m.info.Retries.Sign == 0, Auth: m.info.Retries.Auth == 0}
	}
	if req.Certs.Empty() {
		// Nothing chosen yet (the basic-info PIN is locked before the
		// choice): the counter looks at both certificates.
		req.Certs = CertSet{Sign: true, Auth: true}
		if m.svc == ServicePrepare {
			req.Purpose = string(PurposeNew)
			if a := m.info.Auth; a != nil && !m.today(now).After(dateOf(a.NotAfter, m.loc(now))) {
				req.Purpose = string(PurposeRenew)
			}
		}
	}
	t, err := m.cfg.Recorder.TakeTicket(context.Background(), m.session, req)
	if err != nil {
		m.recErr(err)
		m.errCode = ErrCodeTicket
		m.st = StateFailed
		m.setOutcome(OutcomeFailed)
		return false
	}
	m.ticket = &t
	return true
}

func (m *Machine) makeReceipt(now time.Time, done []string, exp map[Cert]time.Time) *Receipt {
	r := &Receipt{Service: m.svc, Done: done, NewExpiry: exp, ApprovalID: m.approvalID, Date: m.today(now)}
	if m.svc == ServicePrepare {
		_, r.FeeYen, _, _ = m.combined()
	}
	if m.ticket != nil {
		r.Ticket = m.ticket.Number
	}
	var b strings.Builder
	fmt.Fprintf(&b, "JPKIK1;k=%s;s=%s;d=%s;do=%s;fee=%d", qrSafe(m.cfg.KioskID), qrSafe(m.session),
		r.Date.Format("20060102"), strings.Join(done, "+"), r.FeeYen)
	if r.Ticket > 0 {
		fmt.Fprintf(&b, ";t=%d", r.Ticket)
	}
	if r.ApprovalID != "" {
		fmt.Fprintf(&b, ";a=%s", qrSafe(r.ApprovalID))
	}
	r.QR = b.String()
	return r
}

func qrSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ';' || r == '=' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}

// --- dates ---

func (m *Machine) loc(now time.Time) *time.Location {
	if m.cfg.Location != nil {
		return m.cfg.Location
	}
	return now.Location()
}

func (m *Machine) today(now time.Time) time.Time { return dateOf(now, m.loc(now)) }

// dateOf is t's calendar date in loc, as midnight UTC (for day arithmetic).
func dateOf(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

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
		Selected: m.selected, Reasons: m.reasons, Hours: m.hours, Ticket: m.ticket, Receipt: m.receipt,
		Error: m.errCode, Countdown: m.countdown, IdleFrom: m.idleFrom,
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
	if m.pinWhich != PINNone && (m.st == StateEnterPIN || m.st == StateNewPIN || m.st == StateRepeatPIN || m.st == StateLastTryConfirm || m.st == StatePINLocked) {
		f := m.cfg.Rules.PINFormat(m.pinWhich)
		s.PIN = PINField{
			Which: m.pinWhich, Purpose: m.pinPurpose, Rules: f.Rules, MinLen: f.MinLen, MaxLen: f.MaxLen,
			Digits: f.DigitsOnly, Left: -1, Optional: m.pinPurpose == purposeSignOpt, Problems: m.problems,
		}
		if m.st == StateEnterPIN || m.st == StateLastTryConfirm || m.st == StatePINLocked {
			s.PIN.Left = m.info.Retries.Of(m.pinWhich)
			s.LastTryWarning = s.PIN.Left == 1
		}
	}
	if m.svc == ServicePrepare || m.st == StateChooseCerts {
		s.Choices = m.choices
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

// can reports whether Back and Next do something (for enabling buttons).
func (m *Machine) can() (back, next bool) {
	if m.busy {
		return false, false
	}
	switch m.st {
	case StateLastTryConfirm, StateRepeatPIN, StateEligibility, StateChooseCerts, StatePINChecked,
		StatePINChanged, StatePINLocked, StateClosed, StateDeclined, StateReceipt, StateFailed:
		back = true
	case StateEnterPIN:
		back = true
	case StateNewPIN:
		back = m.svc == ServicePINChange
	}
	switch m.st {
	case StateLastTryConfirm, StateReadFailed, StateUnknownCard, StateJukiCard, StatePINChecked,
		StatePINChanged, StateClosed, StateDeclined, StateReceipt, StatePINLocked,
		StateFailed, StateIdleCountdown:
		next = true
	case StateGoToCounter:
		next = !m.waitHere()
	case StateEnterPIN:
		next = m.pinPurpose == purposeSignOpt
	case StateEligibility:
		next = m.anyAllowed()
	}
	return back, next
}

// step is the step header of the current screen.
func (m *Machine) step() Step {
	st := m.st
	if st == StateIdleCountdown {
		st = m.idleFrom
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
			if m.pinPurpose == purposeSignOpt {
				return Step{2, 6}
			}
			return Step{1, 6}
		case StateEnterPIN:
			if m.pinPurpose == purposeSignOpt {
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
func wipe(b []byte) []byte {
	clear(b)
	return nil
}

type nopRecorder struct{}

func (nopRecorder) StartSession(context.Context, time.Time) (string, error) { return "", nil }
func (nopRecorder) Record(context.Context, string, Transition) error        { return nil }
func (nopRecorder) TakeTicket(context.Context, string, TicketRequest) (Ticket, error) {
	return Ticket{}, nil
}
func (nopRecorder) EndSession(context.Context, string, SessionEnd) error { return nil }
