// Package issue holds the kiosk's certificate issuance backends behind one
// interface (DESIGN.md sections 4 and 5): a training certificate authority
// kept in the kiosk's data directory, and a client for a municipality's
// issuance gateway (HTTPS with mutual TLS, docs/GATEWAY.md).
//
// Both backends work the same way: the backend produces scripts of APDUs
// (docs/ISSUANCE-APDUS.md) and a Client relays them to the card, checking
// every command against an allow-list, journalling each state-changing step
// in the data directory so that an interrupted issuance can be resumed, and
// reporting the steps to an EventSink. PINs never cross the backend
// interface: after Issue returns, the kiosk sets the new PINs with
// Client.SetPIN (RESET RETRY COUNTER in the issuer-authenticated card
// session).
package issue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/policy"
)

// Cert names one of the two JPKI certificates.
type Cert string

// The certificates.
const (
	// Auth is the user-authentication certificate (利用者証明用電子証明書).
	Auth Cert = "auth"
	// Sign is the signature certificate (署名用電子証明書).
	Sign Cert = "sign"
)

// Valid reports whether c names a certificate.
func (c Cert) Valid() bool { return c == Auth || c == Sign }

// Purpose is what an issuance does: renew a certificate or issue one anew.
type Purpose string

// The purposes.
const (
	// Renew replaces a certificate that has not expired yet (更新).
	Renew Purpose = "renew"
	// New issues a certificate the card lacks, or one that expired (新規発行).
	New Purpose = "new"
	// PINReset sets a new PIN (and a full retry counter) after issuer
	// authentication, without a certificate: Client.ResetPIN. It is not a
	// purpose of Issue.
	PINReset Purpose = "pin_reset"
)

// Valid reports whether p names a purpose of an issuance (Renew or New).
func (p Purpose) Valid() bool { return p == Renew || p == New }

// Approval is the clerk's approval of an issuance: nothing personal.
type Approval struct {
	ID      string `json:"id"`       // the store's approval ID; empty where a profile drops approval
	StaffID string `json:"staff_id"` // the approving clerk
	Ticket  string `json:"ticket"`   // the ticket number of the day
}

// Holder is the personal data a signature certificate carries (DESIGN.md
// section 4), read from the card's basic-information application during the
// session. It is held in memory only and never journalled or logged; call
// Wipe when done.
type Holder struct {
	Name      string `json:"name"`       // DF22
	Sex       string `json:"sex"`        // DF25, a JIS X 0303 code: "1" male, "2" female, ...
	BirthDate string `json:"birth_date"` // DF24, YYYYMMDD (Gregorian)
	Address   string `json:"address"`    // DF23
}

// Wipe drops the holder's data. Go strings cannot be overwritten in place;
// dropping the references lets the collector reclaim them.
func (h *Holder) Wipe() {
	if h != nil {
		*h = Holder{}
	}
}

// validate checks the form of the fields the certificate needs.
func (h *Holder) validate() error {
	if h == nil || h.Name == "" || h.Address == "" || h.BirthDate == "" || h.Sex == "" {
		return fmt.Errorf("%w: the signature certificate needs name, sex, birth date and address", ErrRequest)
	}
	if _, err := time.Parse("20060102", h.BirthDate); err != nil || len(h.BirthDate) != 8 {
		return fmt.Errorf("%w: birth date must be YYYYMMDD", ErrRequest)
	}
	return nil
}

// CertRequest asks for one certificate with the expiry policy computed.
type CertRequest struct {
	Cert     Cert        `json:"cert"`
	NotAfter policy.Date `json:"not_after"` // last day of validity (the certificate ends 23:59:59 JST that day)
}

// Request is one approved issuance.
type Request struct {
	Purpose  Purpose
	Certs    []CertRequest // one or both certificates
	Approval Approval
	Holder   *Holder   // required when Sign is requested; memory only
	Now      time.Time // the issue instant (the certificates' notBefore); zero: time.Now()
}

// Validate checks a request before anything is sent to the card.
func (r *Request) Validate() error {
	if !r.Purpose.Valid() {
		return fmt.Errorf("%w: purpose %q", ErrRequest, r.Purpose)
	}
	if len(r.Certs) == 0 || len(r.Certs) > 2 {
		return fmt.Errorf("%w: one or two certificates", ErrRequest)
	}
	seen := map[Cert]bool{}
	for _, c := range r.Certs {
		if !c.Cert.Valid() || seen[c.Cert] {
			return fmt.Errorf("%w: certificate %q", ErrRequest, c.Cert)
		}
		seen[c.Cert] = true
		if c.NotAfter.IsZero() {
			return fmt.Errorf("%w: %s certificate has no expiry", ErrRequest, c.Cert)
		}
		if !r.Now.IsZero() && c.NotAfter.Before(policy.DateOf(r.Now)) {
			return fmt.Errorf("%w: %s expiry %s is before the issue date", ErrRequest, c.Cert, c.NotAfter)
		}
	}
	if seen[Sign] {
		if err := r.Holder.validate(); err != nil {
			return err
		}
	}
	return nil
}

// wants reports whether the request asks for c.
func (r *Request) wants(c Cert) bool {
	for _, x := range r.Certs {
		if x.Cert == c {
			return true
		}
	}
	return false
}

// Issued describes one certificate written to the card.
type Issued struct {
	Cert      Cert      `json:"cert"`
	Serial    string    `json:"serial"` // decimal
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	DER       []byte    `json:"-"`       // the certificate as written (memory only)
	Resumed   bool      `json:"resumed"` // written by an earlier, interrupted attempt
}

// Result is what an issuance wrote. The card session it ran in stays
// issuer-authenticated until the card is reset, removed, or the JPKI
// application is selected again: set the PINs with Client.SetPIN before.
type Result struct {
	JournalID string   // the journal entry; finished when every PIN is set
	Certs     []Issued // in the order requested
	// PendingPINs lists the certificates whose new PIN the kiosk must set
	// now with SetPIN (after a resume, a PIN set before is not listed).
	PendingPINs []Cert
	APDUs       int // commands relayed to the card, including the kiosk's own
}

// Issuer is an issuance backend as ui/flow uses it: it authenticates to the
// card as issuer, has the card generate the key pairs, obtains the
// certificates and writes them. It never handles PINs.
type Issuer interface {
	// Name is the backend's name: "training" or "gateway".
	Name() string
	// Issue runs (or resumes, from the journal) one issuance through t.
	Issue(ctx context.Context, t card.Transmitter, req Request) (*Result, error)
	// SetPIN sets a new PIN after Issue (RESET RETRY COUNTER), in the kiosk.
	SetPIN(ctx context.Context, t card.Transmitter, c Cert, pin []byte) error
}

// Errors of this package; test with errors.Is.
var (
	// ErrRequest: the request is incomplete or malformed; nothing was sent.
	ErrRequest = errors.New("bad issuance request")
	// ErrNotMyNumber: the card is not a My Number card (old 住基カード or not JPKI).
	ErrNotMyNumber = errors.New("not a my number card")
	// ErrForbidden: the backend sent a command outside the allow-list; it
	// was not sent to the card.
	ErrForbidden = errors.New("command not allowed for the issuer")
	// ErrProtocol: the backend's answer broke the protocol (bad JSON, wrong
	// step, a certificate that does not match the card's new key).
	ErrProtocol = errors.New("issuance protocol error")
	// ErrBackend: the backend refused or failed the issuance.
	ErrBackend = errors.New("issuer refused")
	// ErrUnavailable: the backend could not be reached in time (after retries).
	ErrUnavailable = errors.New("issuer unavailable")
	// ErrCard: the card answered a relayed command with an error status.
	ErrCard = errors.New("card refused an issuance command")
	// ErrNoIssuance: SetPIN without an issuance waiting for that PIN.
	ErrNoIssuance = errors.New("no issuance waiting for this pin")
)

// Error is a failed issuance. It says whether the card was changed and,
// if so, which step the journal entry resumes from.
type Error struct {
	JournalID   string // the journal entry (empty when the card is unchanged)
	CardChanged bool   // a key was generated or a certificate write began
	Resume      string // the step to resume, e.g. "sign: generate key"
	Err         error
}

func (e *Error) Error() string {
	if !e.CardChanged {
		return fmt.Sprintf("issuance failed, card unchanged: %v", e.Err)
	}
	return fmt.Sprintf("issuance interrupted (journal %s, resume at %s): %v", e.JournalID, e.Resume, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
