package issue

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ProtocolVersion is the version of the issuance protocol (docs/GATEWAY.md).
const ProtocolVersion = 1

// Phases of a Script (docs/GATEWAY.md).
const (
	PhaseChallenge    = "challenge"    // SELECT the JPKI application, GET CHALLENGE
	PhaseAuthenticate = "authenticate" // EXTERNAL AUTHENTICATE, then GENERATE KEY per certificate
	PhaseWrite        = "write"        // SELECT + UPDATE BINARY of each certificate
	PhaseDone         = "done"         // nothing more to send: the kiosk sets the PINs
)

// Backend is the issuer's side of an issuance: given the kiosk's opening
// request and then the card's answers to each script, it returns the next
// script of APDUs. The training CA implements it in-process; the gateway
// client implements it over HTTPS. A Backend never sees a PIN.
type Backend interface {
	// Open starts an issuance and returns the first script (challenge).
	Open(ctx context.Context, req *OpenRequest) (*Script, error)
	// Step answers a script with the card's responses and returns the next.
	Step(ctx context.Context, req *StepRequest) (*Script, error)
	// Abort tells the backend the kiosk gave up on a session (best effort).
	Abort(ctx context.Context, session, reason string) error
}

// OpenRequest starts an issuance (POST /v1/issuances).
type OpenRequest struct {
	Version    int           `json:"version"`
	RequestID  string        `json:"request_id"`   // idempotency key: journal entry ID and attempt
	Purpose    Purpose       `json:"purpose"`      // renew, new, or pin_reset (with PINReset)
	Certs      []CertRequest `json:"certificates"` // to generate and write now; empty: authenticate only
	Approval   Approval      `json:"approval"`
	CardSerial Hex           `json:"card_serial"` // token EF 0006 serialNumber, bytes 80..95
	IssueTime  time.Time     `json:"issue_time"`
	Holder     *Holder       `json:"holder,omitempty"` // only with a signature certificate
	Resume     *ResumeInfo   `json:"resume,omitempty"`
	// PINReset names the certificate whose PIN the kiosk resets after the
	// issuer's authentication (purpose pin_reset, no certificates). The PIN
	// itself never crosses the protocol.
	PINReset Cert `json:"pin_reset,omitempty"`
}

// ResumeInfo tells the backend an issuance continues an interrupted one.
type ResumeInfo struct {
	JournalID       string   `json:"journal_id"`
	PreviousSession string   `json:"previous_session,omitempty"`
	Abandoned       []string `json:"abandoned_serials,omitempty"` // issued, never fully written
	Written         []Cert   `json:"written,omitempty"`           // certificates already on the card
}

// Script is what the backend wants sent to the card next.
type Script struct {
	Session      string     `json:"session"`
	Seq          int        `json:"seq"` // 1, 2, 3...: the kiosk answers with the same number
	Phase        string     `json:"phase"`
	Commands     []Hex      `json:"commands,omitempty"`
	Certificates []CertInfo `json:"certificates,omitempty"` // with write and done
}

// CertInfo describes a certificate the backend issued.
type CertInfo struct {
	Cert      Cert      `json:"cert"`
	Serial    string    `json:"serial"` // decimal
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// StepRequest answers a script (POST /v1/issuances/{session}/steps).
type StepRequest struct {
	Session   string     `json:"session"`
	Seq       int        `json:"seq"`
	Responses []Response `json:"responses"` // one per command sent, in order
}

// Response is the card's answer to one command.
type Response struct {
	Data Hex    `json:"data"`
	SW   string `json:"sw"` // four hexadecimal digits, e.g. "9000"
}

// sw returns the status word.
func (r Response) sw() (uint16, error) {
	var b [2]byte
	if len(r.SW) != 4 {
		return 0, fmt.Errorf("%w: status word %q", ErrProtocol, r.SW)
	}
	if _, err := hex.Decode(b[:], []byte(r.SW)); err != nil {
		return 0, fmt.Errorf("%w: status word %q", ErrProtocol, r.SW)
	}
	return uint16(b[0])<<8 | uint16(b[1]), nil
}

func swString(sw uint16) string { return fmt.Sprintf("%04X", sw) }

// BackendError is a refusal by the backend, with its code (upper-case
// snake case) and message. It matches ErrBackend.
type BackendError struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *BackendError) Error() string { return "issuer: " + e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrBackend) true.
func (e *BackendError) Is(target error) bool { return target == ErrBackend }

// Hex is bytes that travel as upper-case hexadecimal in JSON.
type Hex []byte

// MarshalJSON writes the bytes as a hexadecimal string.
func (h Hex) MarshalJSON() ([]byte, error) {
	return json.Marshal(strings.ToUpper(hex.EncodeToString(h)))
}

// UnmarshalJSON reads a hexadecimal string (spaces allowed between bytes).
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return fmt.Errorf("bad hexadecimal: %w", err)
	}
	*h = v
	return nil
}
