package card

import (
	"errors"
	"fmt"
)

// Transmitter sends one command APDU and returns the response APDU (data
// followed by the two status bytes). *Conn, *Trace and the virtual card of
// card/vcard implement it.
type Transmitter interface {
	Transmit(apdu []byte) ([]byte, error)
}

// Reconnecter is implemented by transmitters that can reconnect after the
// card was reset by another party (SCARD_W_RESET_CARD). transmit uses it once.
type Reconnecter interface {
	Reconnect() error
}

// Class bytes (ISO 7816-4 section 5.4.1).
const (
	claISO  byte = 0x00 // interindustry class, no secure messaging, no chaining
	claJPKI byte = 0x80 // proprietary class of the JPKI signature command (DESIGN.md §4)
)

// Instruction bytes (ISO 7816-4 section 5.4.2 table 4; ISO 7816-8 for 46 and 2A);
// package card/issue sends the exported ones.
const (
	INSSelect        byte = 0xA4 // SELECT (7816-4 §11.1.1)
	INSReadBinary    byte = 0xB0 // READ BINARY (7816-4 §11.2.3)
	INSUpdateBinary  byte = 0xD6 // UPDATE BINARY (7816-4 §11.2.5)
	insVerify        byte = 0x20 // VERIFY (7816-4 §11.5.6)
	insChangeRefData byte = 0x24 // CHANGE REFERENCE DATA (7816-4 §11.5.7)
	INSResetRetry    byte = 0x2C // RESET RETRY COUNTER (7816-4 §11.5.10)
	insGetResponse   byte = 0xC0 // GET RESPONSE (7816-4 §11.7.1)
	INSGetChallenge  byte = 0x84 // GET CHALLENGE (7816-4 §11.5.3)
	INSExternalAuth  byte = 0x82 // EXTERNAL AUTHENTICATE (7816-4 §11.5.4)
	INSGenerateKey   byte = 0x46 // GENERATE ASYMMETRIC KEY PAIR (7816-8 §5.1)
	insComputeSig    byte = 0x2A // COMPUTE DIGITAL SIGNATURE, JPKI form 80 2A 00 80 (DESIGN.md §4)
)

// Status words (ISO 7816-4 section 5.1.3).
const (
	swOK         uint16 = 0x9000
	swEndOfFile  uint16 = 0x6282 // warning: end of file reached before Le bytes
	sw1MoreData  byte   = 0x61   // 61 xx: xx more bytes with GET RESPONSE
	sw1WrongLe   byte   = 0x6C   // 6C xx: resend with Le = xx
	maxShortData        = 255    // largest Lc of a short APDU
	maxShortLe          = 256    // largest Ne of a short APDU (Le byte 00)
	maxResponse         = 65536  // bound on data gathered by GET RESPONSE chains
)

// Command is one command APDU (ISO 7816-4 section 5.1, short form).
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte // command data (Lc is its length); at most 255 bytes
	Le               int    // bytes expected: 0 = no Le field, 1..256 (256 is sent as 00)
}

// Bytes encodes the command as a short APDU: header, then Lc and data if
// any, then Le if any.
func (c Command) Bytes() ([]byte, error) {
	if len(c.Data) > maxShortData {
		return nil, fmt.Errorf("command data of %d bytes: %w", len(c.Data), ErrWrongLength)
	}
	if c.Le < 0 || c.Le > maxShortLe {
		return nil, fmt.Errorf("le %d: %w", c.Le, ErrWrongLength)
	}
	b := make([]byte, 0, 4+1+len(c.Data)+1)
	b = append(b, c.CLA, c.INS, c.P1, c.P2)
	if len(c.Data) > 0 {
		b = append(b, byte(len(c.Data)))
		b = append(b, c.Data...)
	}
	if c.Le > 0 {
		b = append(b, byte(c.Le)) // 256 wraps to 00, as the standard says
	}
	return b, nil
}

// splitResponse separates a response APDU into data and status word.
func splitResponse(resp []byte) ([]byte, uint16, error) {
	if len(resp) < 2 {
		return nil, 0, fmt.Errorf("response of %d bytes: %w", len(resp), ErrMalformed)
	}
	n := len(resp) - 2
	return resp[:n], uint16(resp[n])<<8 | uint16(resp[n+1]), nil
}

// statusErr is nil for 90 00 and a *StatusError otherwise.
func statusErr(sw uint16) error {
	if sw == swOK {
		return nil
	}
	return &StatusError{SW: sw}
}

// errRestart tells an operation that the card was reset and reconnected:
// its selections and verified PINs are gone, so it starts over once.
var errRestart = errors.New("card reset and reconnected")

// transmit sends one command through t with the protocol chores of
// ISO 7816-4 section 5.1.3: it follows 61 xx with GET RESPONSE until the
// card is done, resends once with Le = xx on 6C xx, and reconnects once
// (reporting errRestart) when the card was reset. The encoded command is
// wiped after use, since it may hold a PIN. It returns the data and a
// *StatusError for any final status other than 90 00; the data is returned
// with the error too (READ BINARY past the end gives data and 62 82).
func transmit(t Transmitter, cmd Command, reconnected *bool) ([]byte, error) {
	resp, err := send(t, cmd, reconnected)
	if err != nil {
		return nil, err
	}
	data, sw, err := splitResponse(resp)
	if err != nil {
		return nil, err
	}
	if byte(sw>>8) == sw1WrongLe {
		cmd.Le = int(sw & 0xFF)
		if cmd.Le == 0 {
			cmd.Le = maxShortLe
		}
		if resp, err = send(t, cmd, reconnected); err != nil {
			return nil, err
		}
		if data, sw, err = splitResponse(resp); err != nil {
			return nil, err
		}
	}
	out := append([]byte(nil), data...)
	for byte(sw>>8) == sw1MoreData {
		if len(out) > maxResponse {
			return nil, fmt.Errorf("response longer than %d bytes: %w", maxResponse, ErrMalformed)
		}
		le := int(sw & 0xFF)
		if le == 0 {
			le = maxShortLe
		}
		resp, err = send(t, Command{CLA: claISO, INS: insGetResponse, Le: le}, reconnected)
		if err != nil {
			return nil, err
		}
		if data, sw, err = splitResponse(resp); err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	return out, statusErr(sw)
}

// send encodes cmd, transmits it and wipes the encoding. On a card reset it
// reconnects once per operation and returns errRestart.
func send(t Transmitter, cmd Command, reconnected *bool) ([]byte, error) {
	apdu, err := cmd.Bytes()
	if err != nil {
		return nil, err
	}
	resp, err := t.Transmit(apdu)
	clear(apdu)
	if err == nil {
		return resp, nil
	}
	if errors.Is(err, ErrCardReset) && !*reconnected {
		if rc, ok := t.(Reconnecter); ok {
			*reconnected = true
			if rerr := rc.Reconnect(); rerr != nil {
				return nil, fmt.Errorf("reconnecting after reset: %w", rerr)
			}
			return nil, errRestart
		}
	}
	return nil, err
}
