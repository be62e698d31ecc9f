package issue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// Default limits of one issuance (docs/GATEWAY.md "Limits").
const (
	// DefaultMaxCommands: the most a lawful script needs is 72 (a write
	// script for two certificates, each certificate and CA certificate EF
	// filled to 4,096 bytes in 255-byte chunks, plus four SELECTs).
	DefaultMaxCommands = 80
	// DefaultMaxScripts: a lawful issuance takes four (challenge,
	// authenticate, write, done).
	DefaultMaxScripts = 16
	// DefaultMaxWritesPerEF: filling a 4,096-byte EF takes 17 UPDATE
	// BINARY commands.
	DefaultMaxWritesPerEF = 32
	// DefaultMaxDuration bounds one issuance, card and backend together.
	DefaultMaxDuration = 2 * time.Minute
)

// Limits bound what a backend can make the kiosk do in one issuance. Each
// exceeded limit is a refusal with its own error (and Code); a command over
// a limit never reaches the card. A zero field takes its default.
type Limits struct {
	Commands    int           // commands in one script
	Scripts     int           // scripts in one issuance, the final "done" included
	WritesPerEF int           // state-changing commands (UPDATE BINARY, GENERATE KEY) per EF
	Duration    time.Duration // the whole issuance (Issue, ResetPIN), whatever the caller's context
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.Commands <= 0 {
		l.Commands = DefaultMaxCommands
	}
	if l.Scripts <= 0 {
		l.Scripts = DefaultMaxScripts
	}
	if l.WritesPerEF <= 0 {
		l.WritesPerEF = DefaultMaxWritesPerEF
	}
	if l.Duration <= 0 {
		l.Duration = DefaultMaxDuration
	}
	return l
}

// Refusals of a hostile or broken backend; each also matches the broader
// error named in its comment, so callers that only know those keep working.
var (
	// ErrRedirect: the gateway answered with a redirect (ErrProtocol). No
	// redirect is ever followed: the opening request carries the holder's data.
	ErrRedirect = fmt.Errorf("%w: the gateway answered with a redirect", ErrProtocol)
	// ErrTooManyCommands: a script longer than Limits.Commands (ErrForbidden).
	ErrTooManyCommands = fmt.Errorf("%w: too many commands in one script", ErrForbidden)
	// ErrTooManyScripts: more scripts than Limits.Scripts (ErrForbidden).
	ErrTooManyScripts = fmt.Errorf("%w: too many scripts in one issuance", ErrForbidden)
	// ErrTooManyWrites: more writes to one EF than Limits.WritesPerEF (ErrForbidden).
	ErrTooManyWrites = fmt.Errorf("%w: too many writes to one file", ErrForbidden)
	// ErrIssuanceTimeout: the issuance took longer than Limits.Duration (ErrUnavailable).
	ErrIssuanceTimeout = fmt.Errorf("%w: issuance time limit reached", ErrUnavailable)
	// ErrCACertificate: the CA certificate EF, read back after writing, is
	// not a certificate or not what was sent (ErrProtocol).
	ErrCACertificate = fmt.Errorf("%w: bad CA certificate on the card", ErrProtocol)
)

// backendCodes are the gateway's error codes of docs/GATEWAY.md; any other
// code a backend sends is reported as ISSUER_REFUSED (a code is free text
// from the other side and must not carry personal data to disk).
var backendCodes = map[string]bool{
	"BAD_REQUEST": true, "UNSUPPORTED_VERSION": true, "CLIENT_CERT_REQUIRED": true,
	"NO_SESSION": true, "WRONG_STEP": true, "DUPLICATE_REQUEST": true, "CARD_ERROR": true,
	"INCOMPLETE": true, "BAD_RESPONSE": true, "ISSUE_FAILED": true, "INTERNAL": true,
}

// Code returns a fixed, upper-case code for an issuance error: what the
// journal (Entry.LastError), the events (Event.Error) and the abort reason
// sent to the backend carry instead of error text, which may quote the
// gateway's message. "" for nil.
func Code(err error) string {
	var be *BackendError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrRedirect):
		return "GATEWAY_REDIRECT"
	case errors.Is(err, ErrTooManyCommands):
		return "TOO_MANY_COMMANDS"
	case errors.Is(err, ErrTooManyScripts):
		return "TOO_MANY_SCRIPTS"
	case errors.Is(err, ErrTooManyWrites):
		return "TOO_MANY_WRITES"
	case errors.Is(err, ErrIssuanceTimeout):
		return "ISSUANCE_TIMEOUT"
	case errors.Is(err, ErrCACertificate):
		return "BAD_CA_CERTIFICATE"
	case errors.Is(err, card.ErrCardRemoved), errors.Is(err, card.ErrNoCard), errors.Is(err, card.ErrCardReset):
		return "CARD_REMOVED"
	case errors.As(err, &be):
		if backendCodes[be.Code] {
			return "ISSUER_" + be.Code
		}
		return "ISSUER_REFUSED"
	case errors.Is(err, ErrForbidden):
		return "FORBIDDEN_COMMAND"
	case errors.Is(err, ErrProtocol):
		return "PROTOCOL_ERROR"
	case errors.Is(err, ErrUnavailable):
		return "ISSUER_UNAVAILABLE"
	case errors.Is(err, ErrCard):
		return "CARD_ERROR"
	case errors.Is(err, ErrRequest):
		return "BAD_REQUEST"
	case errors.Is(err, context.DeadlineExceeded):
		return "TIMEOUT"
	case errors.Is(err, context.Canceled), errors.Is(err, card.ErrCancelled):
		return "CANCELLED"
	}
	var se *card.StatusError
	if errors.As(err, &se) {
		return "CARD_ERROR"
	}
	return "FAILED"
}

// Code returns the fixed code of the cause (see Code).
func (e *Error) Code() string { return Code(e.Err) }

// SetLimits sets the limits of the next issuances (zero fields: defaults).
func (c *Client) SetLimits(l Limits) { c.limits = l.withDefaults() }

// Limits returns the limits in force.
func (c *Client) Limits() Limits { return c.limits.withDefaults() }

// deadline bounds one issuance by Limits.Duration, whatever the caller's
// context: the GUI's and kioskctl's issuances alike.
func (c *Client) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	l := c.Limits()
	return context.WithTimeoutCause(ctx, l.Duration,
		fmt.Errorf("%w (%v)", ErrIssuanceTimeout, l.Duration))
}

// timedOut names the time limit as the cause of err when the issuance's
// own deadline (not the caller's) expired.
func timedOut(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrIssuanceTimeout) && !errors.Is(err, ErrIssuanceTimeout) {
		return fmt.Errorf("%w: %w", cause, err)
	}
	return err
}
