package card

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
)

// Ref returns the card reference (DESIGN.md §4, "which card is this"): the
// same for one card at every insertion, different for any two cards, and
// nothing personal. It is "auth:" and the lower-case hex serial of the
// user-authentication certificate where the card has one, else "card:" and
// a hash of the token's serialNumber (bytes 80–95) — never the
// manufacturerID, which every card shares. "" when the card has neither.
//
// The auth certificate's serial changes when that certificate is renewed:
// whatever must survive an issuance (the issuance journal) is keyed by the
// token serialNumber instead (TokenRef).
func Ref(authSerial *big.Int, tok *Token) string {
	if authSerial != nil && authSerial.Sign() > 0 {
		return "auth:" + authSerial.Text(16)
	}
	return TokenRef(tok)
}

// TokenRef is the reference from the token's serialNumber alone: "card:"
// and the first 12 bytes of its SHA-256, in hex; "" when the serialNumber
// is empty (all spaces or zeros).
func TokenRef(tok *Token) string {
	if tok == nil || len(bytes.Trim(tok.Serial, " \x00")) == 0 {
		return ""
	}
	sum := sha256.Sum256(tok.Serial)
	return "card:" + hex.EncodeToString(sum[:12])
}

// Availability is what EF 0008 says the card carries (DESIGN.md §4).
type Availability int

// Availabilities. The zero value is AvailUnknown: no EF 0008 (6A 82), or a
// value this package does not know.
const (
	AvailUnknown Availability = iota
	AvailBoth                 // 8F 8F 00: both certificates present
	AvailNoSign               // 00 8F 00: no signature certificate (a child's card, or never issued)
)

// String gives "both", "no_sign" or "unknown".
func (a Availability) String() string {
	switch a {
	case AvailBoth:
		return "both"
	case AvailNoSign:
		return "no_sign"
	}
	return "unknown"
}

// MarshalText makes an Availability print as its String in JSON.
func (a Availability) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// ParseAvailability reads the 3 bytes of EF 0008.
func ParseAvailability(b []byte) Availability {
	switch {
	case bytes.Equal(b, []byte{0x8F, 0x8F, 0x00}):
		return AvailBoth
	case bytes.Equal(b, []byte{0x00, 0x8F, 0x00}):
		return AvailNoSign
	}
	return AvailUnknown
}

// availLen is the size of EF 0008.
const availLen = 3

// readAvailability reads EF 0008 of the JPKI application (no PIN). A card
// without the file (6A 82), or one that refuses it with another status
// word, is AvailUnknown with no error; transport failures are errors.
func (c *Card) readAvailability() (Availability, error) {
	if err := c.selectApp(appJPKI); err != nil {
		return AvailUnknown, fmt.Errorf("selecting jpki application: %w", err)
	}
	var se *StatusError
	err := c.selectEF(efAvail)
	if err == nil {
		var b []byte
		b, err = c.readBinary(0, availLen)
		if err == nil {
			return ParseAvailability(b), nil
		}
	}
	if errors.As(err, &se) {
		return AvailUnknown, nil
	}
	return AvailUnknown, fmt.Errorf("reading certificate availability: %w", err)
}
