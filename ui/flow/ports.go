package flow

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CardPort is what the flow needs from the card (package card behind an
// adapter, or a fake). Every method may block on card I/O; the flow calls
// them only from tasks run by its Executor, one at a time. PIN slices are
// borrowed for the call: the port must not keep them (the flow wipes them
// afterwards).
//
// Errors: a wrong PIN is a *PINError, a locked PIN ErrPINLocked, a refused
// last try ErrLastTry, a pulled card ErrCardRemoved; anything else is a
// failure shown as CARD_ERROR.
type CardPort interface {
	// Identify selects the JPKI application and reads the token, the
	// authentication certificate (nil if the card has none) and the retry
	// counters of the three PINs. It uses no PIN try.
	Identify(ctx context.Context) (CardInfo, error)
	// VerifyPIN verifies one PIN. With one try left it must refuse with
	// ErrLastTry unless confirmLastTry is set.
	VerifyPIN(ctx context.Context, which PIN, pin []byte, confirmLastTry bool) error
	// ChangePIN changes a PIN (VERIFY old, CHANGE REFERENCE DATA new).
	ChangePIN(ctx context.Context, which PIN, old, new []byte, confirmLastTry bool) error
	// ReadSignCert verifies the sign PIN and reads the signature
	// certificate. Nil, nil if the card has none.
	ReadSignCert(ctx context.Context, pin []byte, confirmLastTry bool) (*CertInfo, error)
	// ReadBirthDate verifies the basic-information PIN and reads the birth
	// date (DF24). Nothing else of the basic information leaves the port.
	ReadBirthDate(ctx context.Context, pin []byte, confirmLastTry bool) (time.Time, error)
	// SetPIN sets a PIN right after the issuer wrote the certificate
	// (RESET RETRY COUNTER in the issuer-authenticated card session).
	SetPIN(ctx context.Context, which PIN, pin []byte) error
}

// CardInfo is what Identify reads without a PIN.
type CardInfo struct {
	Type    CardType
	Auth    *CertInfo // nil: no authentication certificate on the card
	Retries Retries
	// Ref is the card reference (card.Ref, DESIGN.md §4 "which card is
	// this"): "auth:" and the auth certificate's serial, else "card:" and a
	// hash of the token's serialNumber; what approvals, tickets and audit
	// events are bound to. "" when the card has neither.
	Ref string
	// NoSign: the card says (EF 0008) it carries no signature certificate —
	// a child's card, or one never issued. Its signature PIN then means
	// nothing: no tries are shown and no reset is offered for it.
	NoSign bool
	// Genuine is who issued the auth certificate: "jlis", "training",
	// "not_jlis", or "" when not checked (CardAdapter.Genuine unset, or
	// no auth certificate); GenuineGen the J-LIS root's generation.
	Genuine    string
	GenuineGen int
}

// CertInfo is the part of a certificate the flow shows: no personal data.
type CertInfo struct {
	Serial    string
	NotBefore time.Time
	NotAfter  time.Time
}

// Retries holds the tries left of the three PINs; -1 means unknown.
type Retries struct {
	Auth      int
	Sign      int
	BasicInfo int
}

// Of returns the tries left of one PIN.
func (r Retries) Of(p PIN) int {
	switch p {
	case PINAuth:
		return r.Auth
	case PINSign:
		return r.Sign
	case PINBasicInfo:
		return r.BasicInfo
	}
	return -1
}

func (r *Retries) set(p PIN, n int) {
	switch p {
	case PINAuth:
		r.Auth = n
	case PINSign:
		r.Sign = n
	case PINBasicInfo:
		r.BasicInfo = n
	}
}

// Errors a CardPort returns (adapters map the card package's errors to these).
var (
	// ErrPINLocked: the PIN is blocked (69 84, or no tries left).
	ErrPINLocked = errors.New("pin locked")
	// ErrLastTry: the port refused to use the last try without confirmation.
	ErrLastTry = errors.New("last try needs confirmation")
	// ErrCardRemoved: the card left the reader during the operation.
	ErrCardRemoved = errors.New("card removed")
	// ErrCardUnreadable: a card went in but could not be reached for a few
	// seconds (another program held it, or it stayed mute: badly placed on
	// a contactless reader, inserted the wrong way). The resident is told
	// to take it out and insert it again, flat and the right way round.
	ErrCardUnreadable = errors.New("card inserted but unreadable")
)

// PINError is a wrong PIN; Left tries remain (0: now locked).
type PINError struct {
	PIN  PIN
	Left int
}

func (e *PINError) Error() string {
	return fmt.Sprintf("wrong %s pin, %d tries left", e.PIN, e.Left)
}

// Rules is what the flow asks policy. It does no I/O; dates are arguments.
type Rules interface {
	// Quote answers the resident's whole request in one call
	// (policy.CheckKiosk): per certificate whether it may be renewed or
	// issued — policy decides which — and, for the chosen certificates
	// that are allowed, the route, fee, visits and documents together.
	Quote(q QuoteQuery) Quote
	// PINProblems lists the rule codes a PIN candidate breaks (empty: valid).
	// It must not keep pin.
	PINProblems(which PIN, pin []byte) []string
	// PINFormat describes a PIN: lengths, keypad, rule codes, lockout count.
	PINFormat(which PIN) PINFormat
	// Hours says whether issuance work is possible at the given time.
	Hours(at time.Time) Hours
	// RenewalOpens is the first day a certificate expiring on expiry can be renewed.
	RenewalOpens(expiry time.Time) time.Time
}

// QuoteQuery is the resident's request. Zero times are unknown.
type QuoteQuery struct {
	Today      time.Time
	BirthDate  time.Time
	CardExpiry time.Time // from the card face, confirmed by the clerk; zero: unknown
	Certs      []CertQuery
}

// CertQuery is one certificate of a QuoteQuery.
type CertQuery struct {
	Cert   Cert
	Expiry time.Time // the current certificate's expiry; zero: none (or unread)
	Chosen bool      // counted in the totals
}

// Quote is policy's answer (kioskctl policy check, for several certificates).
type Quote struct {
	Certs     []CertEligibility // one per CertQuery, in order
	Route     Route             // of the chosen allowed certificates; "" when none
	FeeYen    int               // one fee for one or both certificates
	Visits    int
	Documents []string // united, in order
}

// PINFormat is policy's description of one PIN.
type PINFormat struct {
	MinLen     int
	MaxLen     int
	DigitsOnly bool     // digits keypad (else A–Z and 0–9)
	Rules      []string // rule codes shown beside the field
	MaxTries   int      // tries of a freshly set PIN
}

// Hours is policy's answer about reception hours.
type Hours struct {
	Open     bool
	Reason   string    // reason code when closed
	NextOpen time.Time // zero: unknown
}

// Recorder is the audit trail and the ticket machine (package store behind an
// adapter). Calls are short database writes made on the caller's goroutine.
// Nothing secret or personal is ever passed: no PIN, name, address or birth date.
type Recorder interface {
	// StartSession opens a session record and returns its ID.
	StartSession(ctx context.Context, at time.Time) (string, error)
	// Record appends one transition to the session's audit trail.
	Record(ctx context.Context, sessionID string, t Transition) error
	// TakeTicket draws the next ticket of the day for the session.
	TakeTicket(ctx context.Context, sessionID string, req TicketRequest) (Ticket, error)
	// EndSession closes the session record with its outcome.
	EndSession(ctx context.Context, sessionID string, end SessionEnd) error
}

// Transition is one audit event: the event kind, the states, reason codes.
type Transition struct {
	At      time.Time
	Kind    string // event kind, e.g. "CARD_INSERTED", "PIN_SUBMITTED", "CARD_RESULT"
	From    State
	To      State
	Service Service
	Reasons []string // reason and error codes; never secrets
}

// TicketRequest says why a ticket is drawn.
type TicketRequest struct {
	Service Service
	Purpose string // renew, new, pin-reset (policy's purposes)
	Route   Route
	Certs   CertSet
	FeeYen  int
	Reasons []string
}

// Ticket is a numbered ticket of the day.
type Ticket struct {
	Number int
	Day    time.Time // the local date it belongs to
	ID     string    // the store's ID (for approvals)
}

// SessionEnd is how a session ended.
type SessionEnd struct {
	At      time.Time
	Reason  string // CARD_REMOVED, TIMEOUT, CANCELLED
	Outcome string // see the Outcome* constants
}

// Outcomes of a session (the most significant thing that happened).
const (
	OutcomeNone        = "NONE"         // nothing beyond (perhaps) the status screen
	OutcomeStatus      = "STATUS"       // status read
	OutcomeUnknownCard = "UNKNOWN_CARD" // not a JPKI card
	OutcomeJuki        = "JUKI_CARD"    // old 住基カード
	OutcomeReadFailed  = "READ_FAILED"  // card unreadable
	OutcomeSignExpiry  = "SIGN_EXPIRY"  // signature certificate read with the PIN
	OutcomePINChecked  = "PIN_CHECKED"  // a PIN check succeeded
	OutcomePINWrong    = "PIN_WRONG"    // a PIN was entered wrongly (and not later right)
	OutcomePINLocked   = "PIN_LOCKED"   // a PIN is locked
	OutcomePINChanged  = "PIN_CHANGED"  // a PIN was changed
	OutcomeNotEligible = "NOT_ELIGIBLE" // nothing chosen could be issued
	OutcomeClosed      = "CLOSED"       // outside reception hours
	OutcomeWaiting     = "WAITING"      // ended while waiting for approval
	OutcomeDeclined    = "DECLINED"     // the clerk declined
	OutcomeCounter     = "COUNTER"      // sent to the counter with a ticket
	OutcomeFailed      = "FAILED"       // an operation failed
	OutcomeIssued      = "ISSUED"       // certificates issued
)

// Issuer writes new certificates (package card/issue behind an adapter).
// PINs never cross this interface: after Issue returns the flow sets the
// certificate's PIN itself with CardPort.SetPIN.
type Issuer interface {
	// Issue generates the key pair and writes the new certificate for one
	// certificate of an approved request.
	Issue(ctx context.Context, req IssueRequest) (IssueResult, error)
}

// IssueRequest is one certificate of an approved request.
type IssueRequest struct {
	SessionID  string
	ApprovalID string // empty on route self
	Ticket     int
	CardRef    string // the card the session holds (Snapshot.CardRef); an approval is bound to it
	Cert       Cert
	Purpose    Purpose
	NotAfter   time.Time // expiry policy computed
}

// IssueResult is what the issuer wrote.
type IssueResult struct {
	Cert CertInfo
}

// Clock gives the time (a fake in tests).
type Clock interface {
	Now() time.Time
}

// Executor runs the flow's card tasks off the UI goroutine. A task returns
// the event to feed back to Machine.Handle.
type Executor interface {
	Run(task func() Event)
}
