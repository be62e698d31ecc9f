package flow

import "time"

// Event is an input to Machine.Handle: a card event, a tap, a PIN
// submission, a timer tick, a staff decision, or the result of a card task
// (those are made by the flow's own tasks; the UI only passes them back).
type Event interface {
	// Kind is the event's audit code, e.g. "TAP_NEXT".
	Kind() string
}

// CardInserted: the reader reports a card.
type CardInserted struct{}

// CardRemoved: the reader reports the card gone.
type CardRemoved struct{}

// SelectService is a tap on a service button. PIN says which PIN for
// ServicePINCheck and ServicePINChange (the status screen has one button per
// PIN, so a PIN change starts with one tap).
type SelectService struct {
	Service Service
	PIN     PIN
}

// SelectCerts is a tap choosing the certificates to renew or issue.
type SelectCerts struct {
	Certs CertSet
}

// Next is the primary action: continue, confirm the last try, take a ticket,
// skip an optional PIN, finish.
type Next struct{}

// Back goes one step back.
type Back struct{}

// Cancel leaves the current service (to the status screen), or the session
// when already there.
type Cancel struct{}

// SubmitPIN is the keypad's OK with the typed PIN. Handle takes ownership of
// the slice and zeroes it before it returns, whether used or ignored.
type SubmitPIN struct {
	PIN []byte
}

// Tick is the timer: send one every second or so while a session runs.
type Tick struct{}

// Activity: the resident is typing (a PIN character, a key on the keypad).
// It restarts the idle timer and nothing else: it changes no state, is not
// recorded in the audit trail and is not a tap for the tap budget. It
// carries no character.
type Activity struct{}

// StaffApproved: a clerk approved the ticket's request. TicketID must be
// the waiting ticket's ID (Snapshot.Ticket.ID); any other, or none, is
// ignored. CardExpiry is the card's expiry date as read from the card face
// by the clerk (zero: not given).
type StaffApproved struct {
	TicketID   string
	ApprovalID string
	CardExpiry time.Time
}

// StaffDeclined: a clerk declined the ticket's request with a reason code.
type StaffDeclined struct {
	TicketID string
	Reason   string
}

// CardReread asks the flow to read the card again (on the ticket or status
// screen, after a clerk reset a PIN on it at this kiosk).
type CardReread struct{}

// Kind implementations.

// Kind returns "CARD_INSERTED".
func (CardInserted) Kind() string { return "CARD_INSERTED" }

// Kind returns "CARD_REMOVED".
func (CardRemoved) Kind() string { return "CARD_REMOVED" }

// Kind returns "CARD_REREAD".
func (CardReread) Kind() string { return "CARD_REREAD" }

// Kind returns "TAP_SERVICE".
func (SelectService) Kind() string { return "TAP_SERVICE" }

// Kind returns "TAP_CERTS".
func (SelectCerts) Kind() string { return "TAP_CERTS" }

// Kind returns "TAP_NEXT".
func (Next) Kind() string { return "TAP_NEXT" }

// Kind returns "TAP_BACK".
func (Back) Kind() string { return "TAP_BACK" }

// Kind returns "TAP_CANCEL".
func (Cancel) Kind() string { return "TAP_CANCEL" }

// Kind returns "PIN_SUBMITTED".
func (SubmitPIN) Kind() string { return "PIN_SUBMITTED" }

// Kind returns "TICK".
func (Tick) Kind() string { return "TICK" }

// Kind returns "ACTIVITY".
func (Activity) Kind() string { return "ACTIVITY" }

// Kind returns "STAFF_APPROVED".
func (StaffApproved) Kind() string { return "STAFF_APPROVED" }

// Kind returns "STAFF_DECLINED".
func (StaffDeclined) Kind() string { return "STAFF_DECLINED" }

// IsTap reports whether an event is a resident's tap for the tap budget
// (DESIGN §7). The keypad's OK counts as one tap; PIN characters are not
// events at all. Staff events count as one tap of the clerk.
func IsTap(ev Event) bool {
	switch ev.(type) {
	case SelectService, SelectCerts, Next, Back, Cancel, SubmitPIN, StaffApproved, StaffDeclined:
		return true
	}
	return false
}

// cardDone is the result of a card task. gen ties it to the session that
// started it: results of a wiped session are dropped.
type cardDone struct {
	gen    uint64
	op     op
	err    error
	info   CardInfo
	sign   *CertInfo
	birth  time.Time
	issued []issuedCert
}

// Kind returns "CARD_RESULT".
func (cardDone) Kind() string { return "CARD_RESULT" }

type issuedCert struct {
	cert Cert
	info CertInfo
}

// op is the card operation a task ran.
type op int

const (
	opIdentify op = iota + 1
	opVerify
	opSignExpiry
	opChange
	opBirthDate
	opIssue
)
