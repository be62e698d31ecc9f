package card

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Application identifiers (DESIGN.md §4).
var (
	// AIDJPKI is the JPKI application (公的個人認証AP); package card/issue
	// selects it too. Read it, never change it.
	AIDJPKI = [...]byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	// aidBasicInfo is the basic-info application (券面事項入力補助AP).
	aidBasicInfo = [...]byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}
)

// FileID is an elementary file identifier inside an application.
type FileID uint16

// Files of the JPKI application (DESIGN.md §4); package card/issue writes
// the exported ones.
const (
	EFSignCert  FileID = 0x0001 // signature certificate (needs the sign PIN)
	EFSignCA    FileID = 0x0002 // signature CA certificate
	EFToken     FileID = 0x0006 // token: a PKCS #11 CK_TOKEN_INFO (label, manufacturerID, model, serialNumber, ...)
	efAvail     FileID = 0x0008 // certificate availability: 3 bytes, no PIN
	EFAuthCert  FileID = 0x000A // user-authentication certificate
	EFAuthCA    FileID = 0x000B // user-authentication CA certificate
	EFAuthKey   FileID = 0x0017 // user-authentication private key
	EFAuthPIN   FileID = 0x0018 // user-authentication PIN (4 digits, 3 tries)
	EFSignKey   FileID = 0x001A // signature private key
	EFSignPIN   FileID = 0x001B // signature PIN (6–16 characters, 5 tries)
	efBasicPIN  FileID = 0x0011 // basic-info application: its PIN (4 digits, 3 tries)
	efBasic4    FileID = 0x0002 // basic-info application: FF20 name, address, birth date, sex
	efIndividNo FileID = 0x0001 // basic-info application: the individual number — never read
)

// SELECT parameters (ISO 7816-4 §11.1.1 tables 39 and 40).
const (
	selectByDFName  byte = 0x04 // P1: select by DF name (AID)
	selectEFUnderDF byte = 0x02 // P1: select EF under the current DF
	selectNoFCI     byte = 0x0C // P2: first record, no response data
)

// Token labels (DESIGN.md §4): the first 32 bytes of EF 0006, space-padded.
const (
	tokenMyNumber = "JPKIAPICCTOKEN2" // My Number card
	tokenJuki     = "JPKIAPICCTOKEN"  // old Basic Resident Register card (住基カード)
	tokenAndroid  = "JPKIAPGPSETOKEN" // スマホ用電子証明書 of an Android phone
	tokenIOS      = "JPKIAPIOSTOKEN"  // スマホ用電子証明書 of an iPhone
	tokenLen      = 160
)

// Layout of EF 0006, a PKCS #11 CK_TOKEN_INFO (DESIGN.md §4): label 0–31,
// manufacturerID 32–63 (the same on every card), model 64–79,
// serialNumber 80–95 (per card), flags 96–99 (big-endian).
const (
	tokLabelAt, tokLabelLen   = 0, 32
	tokManufAt, tokManufLen   = 32, 32
	tokModelAt, tokModelLen   = 64, 16
	tokSerialAt, tokSerialLen = 80, 16
	tokFlagsAt                = 96
	tokMinLen                 = tokSerialAt + tokSerialLen // label to serialNumber
)

// readChunk is the Le of READ BINARY: the largest short Le below 256, so a
// typical certificate reads in six commands and a status check stays well
// within its budget of 16 APDUs.
const readChunk = 255

// maxEF is the largest file the card holds (docs/ISSUANCE-APDUS.md step 4).
const maxEF = 4096

// Type is the kind of card, from the token of the JPKI application.
type Type int

// Card types. The zero value is TypeUnknown.
const (
	TypeUnknown  Type = iota // no JPKI application, or an unknown token
	TypeMyNumber             // My Number card (token JPKIAPICCTOKEN2)
	TypeJuki                 // old 住基カード (token JPKIAPICCTOKEN)
	// TypeSmartphone is the スマホ用電子証明書 of a phone held to a
	// contactless reader (token JPKIAPGPSETOKEN or JPKIAPIOSTOKEN): its
	// certificates are managed in the phone, not at the kiosk.
	TypeSmartphone
)

// String gives the command-line name: "mynumber", "juki", "smartphone" or
// "unknown" (DESIGN.md §6).
func (t Type) String() string {
	switch t {
	case TypeMyNumber:
		return "mynumber"
	case TypeJuki:
		return "juki"
	case TypeSmartphone:
		return "smartphone"
	}
	return "unknown"
}

// MarshalText makes a Type print as its String in JSON.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// application is the application the card has selected, as far as we know.
type application int

const (
	appNone application = iota
	appJPKI
	appBasicInfo
)

// Card runs JPKI operations over a Transmitter. Its methods are safe for
// concurrent use; each runs as one unit. Hold the PC/SC card exclusively
// (Connect does) for as long as the Card is in use: a verified PIN stays
// valid until the card is reset or removed.
type Card struct {
	mu          sync.Mutex
	t           Transmitter
	app         application // selected application; appNone when unsure
	ef          FileID      // selected EF, valid when efKnown
	efKnown     bool
	reconnected bool // a reset was handled in this operation
}

// New returns a Card that sends its commands through t.
func New(t Transmitter) *Card {
	return &Card{t: t}
}

// do runs one operation. If the card was reset and reconnected during it,
// selections and verified PINs are gone, so the operation starts over once.
func (c *Card) do(op func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reconnected = false
	err := op()
	if errors.Is(err, errRestart) {
		c.forget()
		err = op()
		if errors.Is(err, errRestart) {
			err = ErrCardReset
		}
	}
	return err
}

// forget drops what we know of the card's selections.
func (c *Card) forget() {
	c.app, c.efKnown = appNone, false
}

// tx sends cmd. After a transport failure the card's state is unknown.
func (c *Card) tx(cmd Command) ([]byte, error) {
	data, err := transmit(c.t, cmd, &c.reconnected)
	var se *StatusError
	if err != nil && !errors.As(err, &se) {
		c.forget()
	}
	return data, err
}

// selectApp selects an application by AID unless it is already selected.
func (c *Card) selectApp(a application) error {
	if c.app == a {
		return nil
	}
	return c.forceSelectApp(a)
}

func (c *Card) forceSelectApp(a application) error {
	var aid []byte
	switch a {
	case appJPKI:
		aid = AIDJPKI[:]
	case appBasicInfo:
		aid = aidBasicInfo[:]
	default:
		return fmt.Errorf("selecting application %d: %w", a, ErrWrongParameters)
	}
	c.forget()
	_, err := c.tx(Command{CLA: claISO, INS: INSSelect, P1: selectByDFName, P2: selectNoFCI, Data: aid})
	if err != nil {
		return err
	}
	c.app = a
	return nil
}

// forbidden reports whether selecting EF id in the current application
// would reach the individual number: the one place the package names it.
func (c *Card) forbidden(id FileID) bool {
	return c.app == appBasicInfo && id == efIndividNo
}

// selectEF selects an EF of the current application unless it is already
// selected. It refuses EF 0001 of the basic-info application: the individual
// number is never read.
func (c *Card) selectEF(id FileID) error {
	if c.forbidden(id) {
		return ErrPrivacy
	}
	if c.app == appNone {
		return fmt.Errorf("selecting file %04x: %w", uint16(id), ErrNoCurrentEF)
	}
	if c.efKnown && c.ef == id {
		return nil
	}
	c.efKnown = false
	_, err := c.tx(Command{CLA: claISO, INS: INSSelect, P1: selectEFUnderDF, P2: selectNoFCI,
		Data: []byte{byte(id >> 8), byte(id)}})
	if err != nil {
		return err
	}
	c.ef, c.efKnown = id, true
	return nil
}

// readBinary reads up to n bytes of the current EF at off. A short read at
// the end of the file (62 82) returns what the card gave.
func (c *Card) readBinary(off, n int) ([]byte, error) {
	if off < 0 || off > 0x7FFF {
		return nil, fmt.Errorf("read offset %d: %w", off, ErrWrongParameters)
	}
	data, err := c.tx(Command{CLA: claISO, INS: INSReadBinary, P1: byte(off >> 8), P2: byte(off), Le: n})
	var se *StatusError
	if errors.As(err, &se) && se.SW == swEndOfFile {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	if len(data) > n {
		return nil, fmt.Errorf("read of %d bytes returned %d: %w", n, len(data), ErrMalformed)
	}
	return data, nil
}

// readFull reads n bytes of the current EF from off, in chunks.
func (c *Card) readFull(dst []byte, off int) error {
	for len(dst) > 0 {
		chunk, err := c.readBinary(off, min(len(dst), readChunk))
		if err != nil {
			return err
		}
		if len(chunk) == 0 {
			return fmt.Errorf("file ends at %d: %w", off, ErrMalformed)
		}
		copy(dst, chunk)
		dst, off = dst[len(chunk):], off+len(chunk)
	}
	return nil
}

// Token is the token file (EF 0006) of the JPKI application, a PKCS #11
// CK_TOKEN_INFO.
type Token struct {
	Label          string // the label without padding, e.g. "JPKIAPICCTOKEN2"
	ManufacturerID string // bytes 32–63, trimmed: the same on every card, never an identity
	Model          string // bytes 64–79, trimmed, e.g. "E16R01NJ"
	// Serial is the serialNumber, bytes 80–95: per card. It names the card
	// in the issuance journal and in issuer authentication, and is the card
	// reference of a card without an auth certificate (see Ref).
	Serial []byte
	Flags  uint32 // bytes 96–99, big-endian; 0 when the file is shorter
}

// Type tells the card type from the token label.
func (t *Token) Type() Type {
	switch t.Label {
	case tokenMyNumber:
		return TypeMyNumber
	case tokenJuki:
		return TypeJuki
	case tokenAndroid, tokenIOS:
		return TypeSmartphone
	}
	return TypeUnknown
}

// ParseToken parses the token file: at least its first 96 bytes (label to
// serialNumber); the flags are read when present.
func ParseToken(b []byte) (*Token, error) {
	if len(b) < tokMinLen {
		return nil, fmt.Errorf("token of %d bytes: %w", len(b), ErrMalformed)
	}
	field := func(at, n int) string { return string(bytes.TrimRight(b[at:at+n], " \x00")) }
	t := &Token{
		Label:          field(tokLabelAt, tokLabelLen),
		ManufacturerID: field(tokManufAt, tokManufLen),
		Model:          field(tokModelAt, tokModelLen),
		Serial:         bytes.Clone(b[tokSerialAt : tokSerialAt+tokSerialLen]),
	}
	if len(b) >= tokFlagsAt+4 {
		t.Flags = binary.BigEndian.Uint32(b[tokFlagsAt:])
	}
	return t, nil
}

// readToken selects the JPKI application and reads the token.
func (c *Card) readToken() (*Token, error) {
	if err := c.selectApp(appJPKI); err != nil {
		return nil, fmt.Errorf("selecting jpki application: %w", err)
	}
	if err := c.selectEF(EFToken); err != nil {
		return nil, fmt.Errorf("selecting token: %w", err)
	}
	b, err := c.readBinary(0, tokenLen)
	if err != nil {
		return nil, fmt.Errorf("reading token: %w", err)
	}
	return ParseToken(b)
}

// identify reads the token and tells the card type. A card without the
// JPKI application, or whose token cannot be read, is TypeUnknown with no
// error; transport failures are errors. The ATR is never used.
func (c *Card) identify() (Type, *Token, error) {
	tok, err := c.readToken()
	var se *StatusError
	switch {
	case errors.As(err, &se), errors.Is(err, ErrMalformed):
		return TypeUnknown, nil, nil
	case err != nil:
		return TypeUnknown, nil, err
	}
	return tok.Type(), tok, nil
}

// Identify tells the card type by selecting the JPKI application and
// reading its token (DESIGN.md §4), never by the ATR.
func (c *Card) Identify() (Type, error) {
	var t Type
	err := c.do(func() (err error) {
		t, _, err = c.identify()
		return err
	})
	return t, err
}

// ReadToken reads the JPKI token file (label and card serial).
func (c *Card) ReadToken() (*Token, error) {
	var tok *Token
	err := c.do(func() (err error) {
		tok, err = c.readToken()
		return err
	})
	return tok, err
}
