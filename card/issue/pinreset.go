package issue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// PINResetter resets a locked (or forgotten) PIN of the JPKI application
// without issuing a certificate. *Client implements it.
type PINResetter interface {
	ResetPIN(ctx context.Context, t card.Transmitter, cert Cert, pin []byte, approval Approval) error
}

var _ PINResetter = (*Client)(nil)

// ResetPIN sets a new PIN for cert's key and refills its retry counter
// (auth 3, sign 5), e.g. after a lockout, with the staff's approval: the
// backend authenticates as issuer (purpose pin_reset: SELECT, GET
// CHALLENGE, EXTERNAL AUTHENTICATE, relayed through the allow-list, which
// admits no key generation and no write), then the kiosk itself sends SELECT
// of the PIN EF and RESET RETRY COUNTER with pin. The PIN never reaches the
// backend; the caller keeps and wipes its slice.
//
// The step is journalled (purpose pin_reset) and reported to the EventSink
// like an issuance: open, reset_pin sent/done, done, or failed/interrupted.
// A card with an unfinished issuance is refused (ErrRequest): resuming it
// sets its PINs. A reset interrupted after RESET RETRY COUNTER was sent
// leaves an entry (Error.CardChanged, Resume "auth: reset pin"); running the
// reset again finishes it.
func (c *Client) ResetPIN(ctx context.Context, t card.Transmitter, cert Cert, pin []byte, approval Approval) error {
	if !cert.Valid() {
		return fmt.Errorf("%w: certificate %q", ErrRequest, cert)
	}
	if len(pin) == 0 || len(pin) > 16 {
		return fmt.Errorf("%w: %w", ErrRequest, card.ErrPINFormat)
	}
	ctx, cancel := c.deadline(ctx)
	defer cancel()
	now := time.Now()
	cnt := &counter{r: relayOf(t)}
	serial, _, err := readToken(cnt)
	if err != nil {
		return &Error{Err: fmt.Errorf("identifying the card: %w", err)}
	}
	key := cardKey(serial)
	e, err := c.journal.load(key)
	if err != nil {
		return err
	}
	switch {
	case e == nil:
		e = &Entry{ID: newEntryID(now), Card: key, Purpose: PINReset, Created: now.UTC()}
	case e.Purpose != PINReset:
		return &Error{JournalID: e.ID, CardChanged: e.CardChanged(), Resume: e.Resume(),
			Err: fmt.Errorf("%w: the card has an unfinished issuance: resume it first (it sets the pins)", ErrRequest)}
	}
	if e.cert(cert) == nil {
		// An interrupted reset of the other PIN keeps its record.
		e.Certs = append(e.Certs, JournalCert{Cert: cert})
	}
	e.Issuer, e.Approval, e.State, e.LastError, e.Session = c.name, approval, EntryOpen, "", ""
	if err := c.journal.save(e); err != nil {
		return err
	}
	c.emit(ctx, e, "open", "", "", "", nil)

	fail := func(err error) error { return c.abort(ctx, e, err) }

	open := &OpenRequest{
		Version: ProtocolVersion, RequestID: e.ID + "-" + fmt.Sprint(time.Now().UnixNano()),
		Purpose: PINReset, Approval: approval, CardSerial: serial,
		IssueTime: now.Truncate(time.Second), PINReset: cert,
	}
	if _, err := c.run(ctx, cnt, e, open); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	jc := e.cert(cert)
	prev := jc.PIN
	jc.PIN = StepSent
	if err := c.journal.save(e); err != nil {
		jc.PIN = prev
		return fail(err)
	}
	c.emit(ctx, e, "reset_pin", cert, StepSent, "", nil)
	if err := setPIN(cnt, cert, pin); err != nil {
		var se *card.StatusError
		if errors.As(err, &se) {
			jc.PIN = prev // the card refused the command: the PIN is as before
			err = fmt.Errorf("%w: %w", ErrCard, err)
		}
		c.emit(ctx, e, "reset_pin", cert, StepSent, "", err)
		return fail(err)
	}
	jc.PIN = StepDone
	c.emit(ctx, e, "reset_pin", cert, StepDone, "", nil)
	c.emit(ctx, e, "done", "", "", "", nil)
	if e.Resume() != "" { // the other PIN's reset is still unfinished
		e.State = EntryInterrupted
		return c.journal.save(e)
	}
	return c.journal.remove(e)
}
