package card

import (
	"errors"
	"fmt"
)

// PIN names one of the card's three PINs.
type PIN int

// The card's PINs (DESIGN.md §4).
const (
	PINAuth      PIN = iota + 1 // user-authentication PIN, EF 0018 of the JPKI application
	PINSign                     // signature PIN, EF 001B of the JPKI application
	PINBasicInfo                // basic-info PIN, EF 0011 of the basic-info application
)

// VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER parameters
// (ISO 7816-4 §11.5.6, §11.5.7, §11.5.10; DESIGN.md §4).
const (
	pinRefSpecific byte = 0x80 // P2: specific reference data (the selected PIN EF)
	changeNewOnly  byte = 0x01 // P1 of CHANGE REFERENCE DATA: data is the new PIN only (after VERIFY)
	resetNewOnly   byte = 0x02 // P1 of RESET RETRY COUNTER: data is the new PIN, no reset code
)

// String gives the name used on the command line and in JSON: "auth",
// "sign" or "basic_info".
func (p PIN) String() string {
	switch p {
	case PINAuth:
		return "auth"
	case PINSign:
		return "sign"
	case PINBasicInfo:
		return "basic_info"
	}
	return fmt.Sprintf("PIN(%d)", int(p))
}

// MaxRetries is the number of tries a PIN has when it is set or after a
// correct entry (DESIGN.md §3): 3 for auth and basic-info, 5 for sign.
func (p PIN) MaxRetries() int {
	if p == PINSign {
		return 5
	}
	return 3
}

func (p PIN) location() (application, FileID, error) {
	switch p {
	case PINAuth:
		return appJPKI, EFAuthPIN, nil
	case PINSign:
		return appJPKI, EFSignPIN, nil
	case PINBasicInfo:
		return appBasicInfo, efBasicPIN, nil
	}
	return appNone, 0, fmt.Errorf("pin %d: %w", int(p), ErrWrongParameters)
}

// Option changes how an operation that spends a PIN try behaves.
type Option func(*options)

type options struct {
	confirmLastTry bool
}

// ConfirmLastTry lets an operation spend the last try of a PIN. Without it
// such an operation fails with ErrLastTry before sending the PIN.
func ConfirmLastTry() Option {
	return func(o *options) { o.confirmLastTry = true }
}

func collect(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// selectPIN selects the application and EF of a PIN.
func (c *Card) selectPIN(p PIN) error {
	a, id, err := p.location()
	if err != nil {
		return err
	}
	if err := c.selectApp(a); err != nil {
		if a == appBasicInfo {
			return fmt.Errorf("selecting basic-info application: %w", err)
		}
		return fmt.Errorf("selecting jpki application: %w", err)
	}
	if err := c.selectEF(id); err != nil {
		return fmt.Errorf("selecting %s pin: %w", p, err)
	}
	return nil
}

// retries asks the card how many tries a PIN has left with a VERIFY without
// data, which uses no try. verified is true when the card answered 90 00:
// the PIN was verified in this card session (and the counter is at its
// maximum). A locked PIN gives 0.
func (c *Card) retries(p PIN) (left int, verified bool, err error) {
	if err := c.selectPIN(p); err != nil {
		return 0, false, err
	}
	_, err = c.tx(Command{CLA: claISO, INS: insVerify, P2: pinRefSpecific})
	var pe *PINError
	switch {
	case err == nil:
		return p.MaxRetries(), true, nil
	case errors.As(err, &pe):
		return pe.Retries, false, nil
	case errors.Is(err, ErrAuthBlocked): // 69 83, 69 84: locked
		return 0, false, nil
	case errors.Is(err, ErrRefNotFound): // 6A 88: the card has no such PIN
		return 0, false, fmt.Errorf("reading %s pin retries: %w (%w)", p, ErrFileNotFound, err)
	}
	return 0, false, fmt.Errorf("reading %s pin retries: %w", p, err)
}

// Retries returns the tries left for a PIN without spending one
// (DESIGN.md §4: VERIFY with no data). 0 means locked.
func (c *Card) Retries(p PIN) (int, error) {
	var n int
	err := c.do(func() (err error) {
		n, _, err = c.retries(p)
		return err
	})
	return n, err
}

// guard checks the retry counter before a PIN is sent: a locked PIN is
// ErrAuthBlocked, and the last try needs ConfirmLastTry. It returns whether
// the PIN is already verified.
func (c *Card) guard(p PIN, o options) (verified bool, err error) {
	left, verified, err := c.retries(p)
	if err != nil {
		return false, err
	}
	switch {
	case left == 0:
		return false, fmt.Errorf("%s pin: %w", p, ErrAuthBlocked)
	case left == 1 && !o.confirmLastTry:
		return false, fmt.Errorf("%s pin: %w", p, ErrLastTry)
	}
	return verified, nil
}

// checkPINLen rejects PINs that cannot be sent. Format rules (digits,
// letters) are policy's business; the card only needs a usable length.
func checkPINLen(pin []byte) error {
	if len(pin) == 0 || len(pin) > 16 {
		return ErrPINFormat
	}
	return nil
}

// verify guards and sends VERIFY with the PIN. The PIN's EF stays selected.
func (c *Card) verify(p PIN, pin []byte, o options) error {
	if err := checkPINLen(pin); err != nil {
		return fmt.Errorf("%s pin: %w", p, err)
	}
	if _, err := c.guard(p, o); err != nil {
		return err
	}
	if _, err := c.tx(Command{CLA: claISO, INS: insVerify, P2: pinRefSpecific, Data: pin}); err != nil {
		if errors.Is(err, errRestart) {
			// The card was reset with the VERIFY in flight: it may or may not
			// have spent a try. Never resend the PIN on our own: the
			// operation fails, and the next status read re-reads the counter
			// (DESIGN.md section 4).
			return fmt.Errorf("verifying %s pin, answer lost: %w", p, ErrCardReset)
		}
		return fmt.Errorf("verifying %s pin: %w", p, err)
	}
	return nil
}

// Verify checks a PIN on the card. It reads the retry counter first: a
// locked PIN fails with ErrAuthBlocked and the last try with ErrLastTry
// unless ConfirmLastTry is given, both without spending a try. A wrong PIN
// gives an error matching ErrWrongPIN with a *PINError holding the tries
// left. The caller owns pin; the package keeps no copy.
func (c *Card) Verify(p PIN, pin []byte, opts ...Option) error {
	o := collect(opts)
	return c.do(func() error { return c.verify(p, pin, o) })
}

// ChangePIN verifies the current PIN and sets a new one with CHANGE
// REFERENCE DATA (00 24 01 80, DESIGN.md §4). The last-try guard applies
// to the verification of the current PIN.
func (c *Card) ChangePIN(p PIN, current, next []byte, opts ...Option) error {
	if err := checkPINLen(next); err != nil {
		return fmt.Errorf("new %s pin: %w", p, err)
	}
	o := collect(opts)
	return c.do(func() error {
		if err := c.verify(p, current, o); err != nil {
			return err
		}
		_, err := c.tx(Command{CLA: claISO, INS: insChangeRefData, P1: changeNewOnly, P2: pinRefSpecific, Data: next})
		if err != nil {
			return fmt.Errorf("changing %s pin: %w", p, err)
		}
		return nil
	})
}

// PINFunc supplies a PIN when the card needs one. The card wipes the
// returned slice after use, so return a slice the card may overwrite.
type PINFunc func() ([]byte, error)

// verifyWith verifies a PIN from a callback unless the card already holds
// it verified in this session.
func (c *Card) verifyWith(p PIN, pinFn PINFunc, o options) error {
	verified, err := c.guard(p, o)
	if err != nil || verified {
		return err
	}
	pin, err := pinFn()
	if err != nil {
		return fmt.Errorf("getting %s pin: %w", p, err)
	}
	defer clear(pin)
	if err := checkPINLen(pin); err != nil {
		return fmt.Errorf("%s pin: %w", p, err)
	}
	if _, err := c.tx(Command{CLA: claISO, INS: insVerify, P2: pinRefSpecific, Data: pin}); err != nil {
		if errors.Is(err, errRestart) {
			// The card was reset with the VERIFY in flight: it may or may not
			// have spent a try. Never resend the PIN on our own: the
			// operation fails, and the next status read re-reads the counter
			// (DESIGN.md section 4).
			return fmt.Errorf("verifying %s pin, answer lost: %w", p, ErrCardReset)
		}
		return fmt.Errorf("verifying %s pin: %w", p, err)
	}
	return nil
}
