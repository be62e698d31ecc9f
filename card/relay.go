package card

import (
	"bytes"
	"errors"
	"fmt"
)

// ParseCommand splits an encoded short command APDU (ISO 7816-4 §5.1,
// cases 1–4) into a Command. Extended-length APDUs and length fields that
// do not add up are ErrWrongLength.
func ParseCommand(b []byte) (Command, error) {
	if len(b) < 4 {
		return Command{}, fmt.Errorf("command of %d bytes: %w", len(b), ErrWrongLength)
	}
	c := Command{CLA: b[0], INS: b[1], P1: b[2], P2: b[3]}
	body := b[4:]
	le := func(x byte) int {
		if x == 0 {
			return maxShortLe
		}
		return int(x)
	}
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2
		c.Le = le(body[0])
	case body[0] == 0:
		return Command{}, fmt.Errorf("extended-length command: %w", ErrWrongLength)
	case len(body) == 1+int(body[0]): // case 3
		c.Data = body[1:]
	case len(body) == 2+int(body[0]): // case 4
		c.Data = body[1 : 1+int(body[0])]
		c.Le = le(body[len(body)-1])
	default:
		return Command{}, fmt.Errorf("command length fields: %w", ErrWrongLength)
	}
	return c, nil
}

// Relay sends a command APDU built by someone else (an issuer's script,
// the kiosk's PIN step of an issuance) through the card's transmitter with
// the same protocol chores as the card's own commands: GET RESPONSE on
// 61 xx, one resend with Le = xx on 6C xx. It returns the response APDU:
// the data, joined over GET RESPONSE, followed by the final status word.
// The error is for transport failures only.
//
// Relay keeps the card's selection cache true to what it relays: a
// successful SELECT of the JPKI or basic-info application or of an EF is
// remembered (so a later operation neither skips a needed SELECT nor
// selects the JPKI application again, which would end an issuer's
// authentication), any other SELECT or a transport failure makes the card
// forget. It does not restart after a card reset: the reset ends the
// session the relayed script ran in, so it fails with ErrCardReset. Like
// the card's operations it refuses to select the individual number
// (ErrPrivacy). The caller owns apdu; Relay does not keep it.
func (c *Card) Relay(apdu []byte) ([]byte, error) {
	cmd, err := ParseCommand(apdu)
	if err != nil {
		return nil, fmt.Errorf("relaying: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	isSelect := cmd.CLA&0x80 == 0 && cmd.INS == insSelect // interindustry SELECT, any channel
	if isSelect && cmd.P1 == selectEFUnderDF && len(cmd.Data) == 2 && c.forbidden(fileID(cmd.Data[0])<<8|fileID(cmd.Data[1])) {
		return nil, ErrPrivacy
	}
	// transmit wipes its own encoding; cmd.Data aliases the caller's apdu.
	c.reconnected = true // never reconnect in the middle of someone's script
	data, err := transmit(c.t, cmd, &c.reconnected)
	var se *StatusError
	sw := swOK
	switch {
	case errors.As(err, &se):
		sw = se.SW
	case err != nil:
		c.forget()
		return nil, err
	}
	switch {
	case isSelect && cmd.CLA != claISO:
		c.forget() // another channel or secure messaging: we cannot follow
	case isSelect:
		c.noteSelect(cmd, sw)
	}
	return append(data, byte(sw>>8), byte(sw)), nil
}

// noteSelect updates the selection cache after a relayed SELECT.
func (c *Card) noteSelect(cmd Command, sw uint16) {
	switch {
	case sw != swOK:
		// A refused SELECT may or may not have changed the current file.
		c.forget()
	case cmd.P1 == selectByDFName && bytes.Equal(cmd.Data, aidJPKI[:]):
		c.forget()
		c.app = appJPKI
	case cmd.P1 == selectByDFName && bytes.Equal(cmd.Data, aidBasicInfo[:]):
		c.forget()
		c.app = appBasicInfo
	case cmd.P1 == selectEFUnderDF && len(cmd.Data) == 2 && c.app != appNone:
		c.ef, c.efKnown = fileID(cmd.Data[0])<<8|fileID(cmd.Data[1]), true
	default:
		c.forget()
	}
}

// Transmit is Relay, so that a *Card is a Transmitter: hand the session's
// Card (not its transmitter) to card/issue, and the issuer's commands keep
// the Card's selection cache current.
func (c *Card) Transmit(apdu []byte) ([]byte, error) { return c.Relay(apdu) }
