package card

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
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
// the card's operations it never reaches the individual number: what it
// relays is a positive allow-list per application (see allowRelay), and
// anything else is refused before it reaches the card (ErrRelayRefused;
// ErrPrivacy as well when aimed at the individual number). The caller owns
// apdu; Relay does not keep it.
func (c *Card) Relay(apdu []byte) ([]byte, error) {
	cmd, err := ParseCommand(apdu)
	if err != nil {
		return nil, fmt.Errorf("relaying: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.allowRelay(cmd); err != nil {
		return nil, err
	}
	isSelect := cmd.INS == INSSelect
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
	if isSelect {
		c.noteSelect(cmd, sw)
	}
	return append(data, byte(sw>>8), byte(sw)), nil
}

// The files Relay lets through, per application (DESIGN.md section 4).
var (
	// relayEFsJPKI may be selected in the JPKI application.
	relayEFsJPKI = []FileID{EFSignCert, EFSignCA, EFToken, efAvail, EFAuthCert, EFAuthCA, EFAuthKey, EFAuthPIN, EFSignKey, EFSignPIN}
	relayRead    = []FileID{EFSignCert, EFSignCA, EFToken, efAvail, EFAuthCert, EFAuthCA} // READ BINARY (the sign certificate needs its PIN)
	relayWrite   = []FileID{EFSignCert, EFSignCA, EFAuthCert, EFAuthCA}                   // UPDATE BINARY (after issuer authentication)
	relayPINs    = []FileID{EFAuthPIN, EFSignPIN, EFAuthKey, EFSignKey}                   // VERIFY, CHANGE, RESET, SIGN (a key EF names its PIN)
	relayKeys    = []FileID{EFAuthKey, EFSignKey}                                         // COMPUTE DIGITAL SIGNATURE
	// relayJPKIOnly are the JPKI EFs no other application the relay lets
	// the card reach has: with no application known (a Card made just to
	// relay, while an issuer's session holds the JPKI application), a
	// successful SELECT of one of them shows the JPKI application is
	// current. EF 0001 and 0002 are not among them: in the basic-info
	// application they are the individual number and the basic items.
	relayJPKIOnly = []FileID{EFToken, efAvail, EFAuthCert, EFAuthCA, EFAuthKey, EFAuthPIN, EFSignKey, EFSignPIN}
	// relayEFsBasic may be selected in the basic-info application: its PIN
	// and the four basic items — never EF 0001, the individual number.
	relayEFsBasic = []FileID{efBasicPIN, efBasic4}
)

// allowRelay is Relay's allow-list: what may be relayed in the application
// the card has selected. Everything else is refused, in particular the
// forms a guard watching only `00 A4 02 0C` selections would miss: READ
// BINARY or VERIFY naming an EF by short file id, SELECT with P1 00 (or by
// path), SELECT by a prefix of an AID, and other logical channels (CLA
// 01–03), secure messaging or chaining.
func (c *Card) allowRelay(cmd Command) error {
	refuse := func(why string) error {
		return fmt.Errorf("relaying %02X %02X %02X %02X: %w: %s", cmd.CLA, cmd.INS, cmd.P1, cmd.P2, ErrRelayRefused, why)
	}
	private := func(why string) error {
		return fmt.Errorf("relaying %02X %02X %02X %02X: %w (%w: %s)", cmd.CLA, cmd.INS, cmd.P1, cmd.P2, ErrPrivacy, ErrRelayRefused, why)
	}
	switch {
	case cmd.CLA == claISO:
	case cmd.CLA == claJPKI && cmd.INS == insComputeSig:
	default:
		return refuse("class not allowed (logical channel, secure messaging, chaining or proprietary)")
	}
	efIs := func(set []FileID) bool { return c.efKnown && slices.Contains(set, c.ef) }
	fileOf := func() (FileID, bool) {
		if len(cmd.Data) != 2 {
			return 0, false
		}
		return FileID(cmd.Data[0])<<8 | FileID(cmd.Data[1]), true
	}
	switch cmd.INS {
	case insGetResponse:
		if cmd.P1 == 0 && cmd.P2 == 0 && len(cmd.Data) == 0 {
			return nil
		}
		return refuse("malformed GET RESPONSE")
	case INSSelect:
		id, isEF := fileOf()
		switch {
		case cmd.P1 == selectByDFName && cmd.P2 == selectNoFCI:
			if bytes.Equal(cmd.Data, AIDJPKI[:]) || bytes.Equal(cmd.Data, aidBasicInfo[:]) {
				return nil
			}
			return refuse("SELECT of an application other than JPKI or basic-info, or by a prefix of an AID")
		case isEF && c.forbidden(id):
			return private("SELECT of the individual number")
		case cmd.P1 != selectEFUnderDF || cmd.P2 != selectNoFCI || !isEF:
			return refuse("SELECT form not allowed (only 00 A4 04 0C by whole AID, 00 A4 02 0C by file id)")
		case c.app == appJPKI && slices.Contains(relayEFsJPKI, id), c.app == appBasicInfo && slices.Contains(relayEFsBasic, id),
			c.app == appNone && slices.Contains(relayJPKIOnly, id):
			return nil
		}
		return refuse(fmt.Sprintf("SELECT of EF %04X not allowed in this application", uint16(id)))
	case INSReadBinary, INSUpdateBinary, insVerify, insChangeRefData, INSResetRetry:
		sfi := (cmd.INS == insVerify && cmd.P2&0x80 != 0 && cmd.P2&0x1F != 0) || (cmd.INS != insVerify && cmd.P1&0x80 != 0)
		if sfi {
			n := cmd.P1 & 0x1F
			if cmd.INS == insVerify || cmd.INS == insChangeRefData || cmd.INS == INSResetRetry {
				n = cmd.P2 & 0x1F
			}
			if c.forbidden(FileID(n)) {
				return private("short file id of the individual number")
			}
			return refuse("a file named by short file id")
		}
	}
	switch c.app {
	case appJPKI:
		switch {
		case cmd.INS == INSReadBinary && efIs(relayRead),
			cmd.INS == INSUpdateBinary && efIs(relayWrite),
			cmd.INS == insVerify && cmd.P1 == 0 && cmd.P2 == pinRefSpecific && efIs(relayPINs),
			cmd.INS == insChangeRefData && cmd.P1 == changeNewOnly && cmd.P2 == pinRefSpecific && efIs(relayPINs),
			cmd.INS == INSResetRetry && cmd.P1 == resetNewOnly && cmd.P2 == pinRefSpecific && efIs(relayPINs),
			cmd.INS == insComputeSig && cmd.P1 == signP1 && cmd.P2 == signP2 && efIs(relayKeys),
			cmd.INS == INSGetChallenge && cmd.P1 == 0 && cmd.P2 == 0,
			cmd.INS == INSExternalAuth && cmd.P1 == 0 && cmd.P2 == 0,
			cmd.INS == INSGenerateKey && cmd.P1 == 0 && cmd.P2 == 0:
			return nil
		}
	case appBasicInfo:
		switch {
		case cmd.INS == insVerify && cmd.P1 == 0 && cmd.P2 == pinRefSpecific && efIs([]FileID{efBasicPIN}):
			return nil
		case cmd.INS == INSReadBinary && efIs([]FileID{efBasic4}):
			return nil
		}
	default:
		return refuse("no known application selected: select JPKI or basic-info by its whole AID, or a JPKI-only EF, first")
	}
	return refuse("not on the allow-list of the current application and file")
}

// noteSelect updates the selection cache after a relayed SELECT.
func (c *Card) noteSelect(cmd Command, sw uint16) {
	switch {
	case sw != swOK:
		// A refused SELECT may or may not have changed the current file.
		c.forget()
	case cmd.P1 == selectByDFName && bytes.Equal(cmd.Data, AIDJPKI[:]):
		c.forget()
		c.app = appJPKI
	case cmd.P1 == selectByDFName && bytes.Equal(cmd.Data, aidBasicInfo[:]):
		c.forget()
		c.app = appBasicInfo
	case cmd.P1 == selectEFUnderDF && len(cmd.Data) == 2 && c.app != appNone:
		c.ef, c.efKnown = FileID(cmd.Data[0])<<8|FileID(cmd.Data[1]), true
	case cmd.P1 == selectEFUnderDF && len(cmd.Data) == 2 && slices.Contains(relayJPKIOnly, FileID(cmd.Data[0])<<8|FileID(cmd.Data[1])):
		c.app = appJPKI // only the JPKI application has that EF (see relayJPKIOnly)
		c.ef, c.efKnown = FileID(cmd.Data[0])<<8|FileID(cmd.Data[1]), true
	default:
		c.forget()
	}
}

// Transmit is Relay, so that a *Card is a Transmitter: hand the session's
// Card (not its transmitter) to card/issue, and the issuer's commands keep
// the Card's selection cache current.
func (c *Card) Transmit(apdu []byte) ([]byte, error) { return c.Relay(apdu) }
