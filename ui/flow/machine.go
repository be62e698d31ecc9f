package flow

import (
	"context"
	"errors"
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

	pin  pinState  // the PIN field and the PINs held for card tasks
	prep prepState // the issuance being prepared: choices, ticket, approval

	receipt *Receipt
	errCode string
	reasons []string

	held *heldTicket // a waiting ticket whose card was pulled

	idle idleState
}

// pinState is the PIN field on screen and the PINs the session holds for a
// card task. Its PIN bytes are wiped by wipe, never dropped unzeroed.
type pinState struct {
	which     PIN
	purpose   string // purposeVerify, purposeOld, ...
	confirmed bool   // the last try was confirmed
	problems  []string
	oldPIN    []byte         // the verified old PIN of a PIN change
	newPIN    []byte         // a new PIN waiting to be repeated
	newPINs   map[PIN][]byte // repeated new PINs waiting for issuance
	queue     []Cert         // certificates whose new PIN is still to be asked
}

// closeField forgets the PIN field (which PIN, why, problems); the PINs
// held stay.
func (p *pinState) closeField() {
	p.which = PINNone
	p.purpose = ""
	p.confirmed = false
	p.problems = nil
}

// wipe zeroes every PIN held and forgets the field.
func (p *pinState) wipe() {
	p.closeField()
	p.oldPIN = wipe(p.oldPIN)
	p.newPIN = wipe(p.newPIN)
	for k, v := range p.newPINs {
		wipe(v)
		delete(p.newPINs, k)
	}
	p.queue = nil
}

// prepState is a renewal or new issuance being prepared: per-certificate
// eligibility, the choice, the ticket and the clerk's approval.
type prepState struct {
	choices    []CertEligibility
	selected   CertSet
	ticket     *Ticket
	approvalID string
	hours      Hours
	total      quoteTotal // policy's totals of the choice
}

// quoteTotal is what policy answered for the chosen certificates together.
type quoteTotal struct {
	route     Route // "" when nothing chosen is allowed
	feeYen    int
	visits    int
	documents []string
}

// idleState is the idle timer: last activity and the countdown.
type idleState struct {
	last time.Time // last activity (taps, typing)
	from State     // the state the countdown interrupted
	end  time.Time // when the countdown ends the session
	secs int       // seconds left, as shown
}

// reset forgets the countdown (a new or wiped session).
func (i *idleState) reset() {
	i.from = StateInsertCard
	i.secs = 0
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
	which := m.pin.which
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
			m.idle.last = now
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
		m.idle.last = now
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
			return m.take(nextMoves, now)
		case Cancel:
			m.endSession(now, EndCancelled)
			return true
		case StaffApproved, StaffDeclined:
			m.st = m.idle.from
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
		return m.take(nextMoves, now)
	case Back:
		return m.take(backMoves, now)
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
