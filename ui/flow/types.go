// Package flow is the resident session state machine of the kiosk: pure Go,
// no Fyne, no card or database code of its own. The UI feeds it events (card
// inserted, taps, PIN submissions, timer ticks, staff decisions) and renders
// the immutable Snapshot it returns; card I/O runs as tasks on an injected
// Executor and comes back as events, so the UI never blocks and tests are
// deterministic. The flow talks to the rest of the kiosk through narrow ports
// (CardPort, Rules, Recorder, Issuer, Clock) defined in ports.go.
//
// Texts are codes only (states, reason codes, error codes, rule codes); the UI
// translates them. PINs never appear in a Snapshot, a log or an error.
package flow

import (
	"fmt"

	"github.com/jpki-kiosk/kiosk/policy"
)

// State is one screen of the resident session.
type State int

// The states of the machine. docs/FLOW.md has the diagram; transitions.go
// lists every documented transition.
const (
	// StateInsertCard is the start screen: no card, no session.
	StateInsertCard State = iota
	// StateReading: the card is being identified (token, auth certificate,
	// PIN retry counters). Busy.
	StateReading
	// StateUnknownCard: the card is not a JPKI card; explain, nothing else.
	StateUnknownCard
	// StateJukiCard: an old 住基カード; explain that new certificates need a
	// My Number card since January 2016, nothing else.
	StateJukiCard
	// StateReadFailed: the card could not be read; Next retries, Cancel ends.
	StateReadFailed
	// StateStatus is the home screen of a session: both certificates, all
	// PIN tries, and the services on offer.
	StateStatus
	// StateLastTryConfirm guards the last try of a PIN: the resident must
	// confirm (Next) before the PIN field opens.
	StateLastTryConfirm
	// StateEnterPIN asks an existing PIN (Snapshot.PIN says which and why).
	StateEnterPIN
	// StateNewPIN asks a new PIN (PIN change or issuance), checked live
	// against the PIN rules.
	StateNewPIN
	// StateRepeatPIN asks the new PIN again.
	StateRepeatPIN
	// StatePINChecked: the PIN check succeeded.
	StatePINChecked
	// StatePINChanged: the PIN change succeeded (receipt in the snapshot).
	StatePINChanged
	// StatePINLocked: the PIN is locked; only the counter can reset it. Next
	// takes a ticket for the counter.
	StatePINLocked
	// StateClosed: issuance work is outside reception hours (reason code and
	// next opening in the snapshot).
	StateClosed
	// StateChooseCerts: choose one or both certificates to renew or issue;
	// per-certificate eligibility is shown.
	StateChooseCerts
	// StateEligibility: route, fee, documents and new expiry for the chosen
	// certificates; Next takes a ticket (or goes on, route self).
	StateEligibility
	// StateWaitApproval: ticket shown, waiting for a clerk to approve.
	StateWaitApproval
	// StateDeclined: the clerk declined (reason code in the snapshot).
	StateDeclined
	// StateGoToCounter: ticket shown, "please go to the counter".
	StateGoToCounter
	// StateIssuing: the issuer writes the certificates and the flow sets the
	// new PINs. Busy.
	StateIssuing
	// StateReceipt: what was done, new expiry dates, fee, ticket, QR data.
	StateReceipt
	// StateFailed: a card or issuance operation failed (error code in the
	// snapshot); Next takes a ticket for the counter, Cancel goes home.
	StateFailed
	// StateIdleCountdown: no input for a while; Next continues, otherwise
	// the session is wiped when the countdown ends.
	StateIdleCountdown
	// StateTakeCard: the session ended (wiped) while the card is still in
	// the reader; removing it returns to StateInsertCard.
	StateTakeCard

	numStates // sentinel for loops in tests
)

var stateNames = [...]string{
	"INSERT_CARD", "READING", "UNKNOWN_CARD", "JUKI_CARD", "READ_FAILED",
	"STATUS", "LAST_TRY_CONFIRM", "ENTER_PIN", "NEW_PIN", "REPEAT_PIN",
	"PIN_CHECKED", "PIN_CHANGED", "PIN_LOCKED", "CLOSED", "CHOOSE_CERTS",
	"ELIGIBILITY", "WAIT_APPROVAL", "DECLINED", "GO_TO_COUNTER", "ISSUING",
	"RECEIPT", "FAILED", "IDLE_COUNTDOWN", "TAKE_CARD",
}

// String is the state's code, e.g. "ENTER_PIN" (also used in the audit log).
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("STATE_%d", int(s))
}

// Service is what the resident chose to do.
type Service int

// Services of the resident flow.
const (
	// ServiceNone: no service chosen (start, status screen).
	ServiceNone Service = iota
	// ServiceSignExpiry shows the signature certificate's expiry (needs the sign PIN).
	ServiceSignExpiry
	// ServicePINCheck verifies one PIN.
	ServicePINCheck
	// ServicePINChange changes one PIN.
	ServicePINChange
	// ServicePrepare prepares a renewal or new issuance for a clerk to approve.
	ServicePrepare
	// ServiceCounter takes a ticket for the counter (PIN reset after lockout
	// and other staff-only work).
	ServiceCounter
)

var serviceNames = [...]string{"NONE", "SIGN_EXPIRY", "PIN_CHECK", "PIN_CHANGE", "PREPARE", "COUNTER"}

// String is the service's code, e.g. "PIN_CHANGE".
func (s Service) String() string {
	if s >= 0 && int(s) < len(serviceNames) {
		return serviceNames[s]
	}
	return fmt.Sprintf("SERVICE_%d", int(s))
}

// The words of the domain are policy's (docs/FLOW.md, "Vocabulary"): the
// flow names them here only so that screens can say flow.CertSign.

// PIN names one of the three PINs the kiosk deals with (policy.PINKind).
type PIN = policy.PINKind

// The PINs.
const (
	// PINNone: no PIN.
	PINNone = policy.PINNone
	// PINAuth is the user-authentication PIN (4 digits, 3 tries).
	PINAuth = policy.PINAuth
	// PINSign is the signature PIN (6–16 of A–Z and 0–9, 5 tries).
	PINSign = policy.PINSign
	// PINBasicInfo is the PIN of the basic-information application (4 digits, 3 tries).
	PINBasicInfo = policy.PINBasic
)

// Cert names one of the two certificates (policy.Cert).
type Cert = policy.Cert

// The certificates.
const (
	// CertSign is the signature certificate (署名用電子証明書).
	CertSign = policy.CertSign
	// CertAuth is the user-authentication certificate (利用者証明用電子証明書).
	CertAuth = policy.CertAuth
)

// CertSet is a choice of certificates.
type CertSet struct {
	Sign bool
	Auth bool
}

// Empty reports whether no certificate is chosen.
func (s CertSet) Empty() bool { return !s.Sign && !s.Auth }

// Certs lists the chosen certificates, signature first.
func (s CertSet) Certs() []Cert {
	var out []Cert
	if s.Sign {
		out = append(out, CertSign)
	}
	if s.Auth {
		out = append(out, CertAuth)
	}
	return out
}

// Has reports whether c is in the set.
func (s CertSet) Has(c Cert) bool {
	return (c == CertSign && s.Sign) || (c == CertAuth && s.Auth)
}

// CardType is what the inserted card turned out to be.
type CardType int

// Card types (kioskctl card status: mynumber|juki|unknown).
const (
	// CardNone: no card identified yet.
	CardNone CardType = iota
	// CardMyNumber is a My Number card (token JPKIAPICCTOKEN2).
	CardMyNumber
	// CardJuki is an old Basic Resident Register card (token JPKIAPICCTOKEN).
	CardJuki
	// CardUnknown is anything else.
	CardUnknown
	// CardSmartphone is the スマホ用電子証明書 of a phone (token
	// JPKIAPGPSETOKEN or JPKIAPIOSTOKEN): managed in the phone; the kiosk
	// explains that it works with the card itself.
	CardSmartphone
)

// String is the card type's code as in kioskctl: "mynumber", "juki",
// "smartphone", "unknown" ("" for none).
func (t CardType) String() string {
	switch t {
	case CardMyNumber:
		return "mynumber"
	case CardJuki:
		return "juki"
	case CardUnknown:
		return "unknown"
	case CardSmartphone:
		return "smartphone"
	}
	return ""
}

// Purpose is what an issuance does for one certificate (policy.Purpose).
type Purpose = policy.Purpose

// Purposes of an issuance from the resident flow.
const (
	// PurposeRenew renews a certificate that has not expired yet.
	PurposeRenew = policy.PurposeRenew
	// PurposeNew issues a certificate the card lacks, or one that expired.
	PurposeNew = policy.PurposeNew
)

// Route says who finishes a request (policy.Route).
type Route = policy.Route

// Routes, from least to most staff involvement.
const (
	// RouteSelf: the resident finishes alone at the kiosk.
	RouteSelf = policy.RouteSelf
	// RouteApproval: at the kiosk, after a clerk approves.
	RouteApproval = policy.RouteApproval
	// RouteCounter: a staff-assisted session at the counter.
	RouteCounter = policy.RouteCounter
)

// Step is the step header: step K of N of the current service (0/0: none).
type Step struct {
	K, N int
}
