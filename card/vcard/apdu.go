package vcard

import "fmt"

// The virtual card spells the AIDs, file identifiers and instruction bytes
// again, on purpose, instead of using package card's: it is the card that
// package card and card/issue are tested against, so a wrong constant there
// must not be copied into the card and pass unseen.

// Application identifiers (DESIGN.md section 4).
var (
	// AIDJPKI is the JPKI application (公的個人認証AP).
	AIDJPKI = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	// AIDBasicInfo is the basic-information application (券面事項入力補助AP).
	AIDBasicInfo = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}
)

// File identifiers in the JPKI application (DESIGN.md section 4).
const (
	EFSignCert uint16 = 0x0001 // signature certificate, readable after the sign PIN
	EFSignCA   uint16 = 0x0002 // CA certificate of the signature certificate
	EFToken    uint16 = 0x0006 // 160-byte token: a PKCS #11 CK_TOKEN_INFO (serialNumber at 80..95)
	EFAvail    uint16 = 0x0008 // certificate availability: 8F 8F 00 both, 00 8F 00 no signature certificate
	EFAuthCert uint16 = 0x000A // user-authentication certificate
	EFAuthCA   uint16 = 0x000B // CA certificate of the user-authentication certificate
	EFAuthKey  uint16 = 0x0017 // user-authentication private key
	EFAuthPIN  uint16 = 0x0018 // user-authentication PIN (4 digits, 3 tries)
	EFSignKey  uint16 = 0x001A // signature private key
	EFSignPIN  uint16 = 0x001B // signature PIN (6–16 of A–Z 0–9, 5 tries)
)

// File identifiers in the basic-information application.
const (
	EFBasicNumber uint16 = 0x0001 // individual number: the product never reads it
	EFBasicInfo   uint16 = 0x0002 // FF20 { DF21 header, DF22 name, DF23 address, DF24 birth, DF25 sex }
	EFBasicPIN    uint16 = 0x0011 // basic-information PIN (4 digits, 3 tries)
)

// Maximum PIN tries (DESIGN.md section 3).
const (
	MaxAuthTries  = 3
	MaxSignTries  = 5
	MaxBasicTries = 3
)

// Token labels in the first 32 bytes of EF 0006, space-padded.
const (
	TokenMyNumber = "JPKIAPICCTOKEN2" // My Number card
	TokenJuki     = "JPKIAPICCTOKEN"  // old Basic Resident Register card (住基カード)
)

// TokenSize is the size of the token EF; SerialOffset and SerialSize locate
// the card serial (the CK_TOKEN_INFO serialNumber) in it. The
// manufacturerID (32..63) and model (64..79) are the same on every card.
const (
	TokenSize    = 160
	SerialOffset = 80
	SerialSize   = 16
)

// Fields of the token every card shares (DESIGN.md section 4).
const (
	TokenManufacturer = "0000000000000001" // manufacturerID, bytes 32..63: the same on every card
	TokenModel        = "E16R01NJ"         // model, bytes 64..79
	tokenFlags        = 0x0000040D         // flags, bytes 96..99, big-endian
)

// MaxCertSize is the capacity of a certificate EF for UPDATE BINARY.
const MaxCertSize = 4096

// DefaultATR is the ATR seen on My Number cards (DESIGN.md section 4).
var DefaultATR = []byte{0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14}

// IssuerAuthContext prefixes the data the issuer signs in EXTERNAL
// AUTHENTICATE: SHA-256(IssuerAuthContext ‖ challenge ‖ card serial)
// (docs/ISSUANCE-APDUS.md step 2).
const IssuerAuthContext = "JPKI-ISSUER-AUTH"

// Instruction bytes (ISO 7816-4 section 11, ISO 7816-8; JPKI signature in CLA 80).
const (
	insVerify        = 0x20
	insChangeRef     = 0x24
	insResetRetry    = 0x2C
	insComputeSig    = 0x2A
	insGenerateKey   = 0x46
	insExternalAuth  = 0x82
	insGetChallenge  = 0x84
	insSelect        = 0xA4
	insReadBinary    = 0xB0
	insGetResponse   = 0xC0
	insUpdateBinary  = 0xD6
	claISO           = 0x00
	claProprietary   = 0x80
	selectByDFName   = 0x04
	selectEFUnderDF  = 0x02
	selectMF         = 0x00
	selectNoResponse = 0x0C
)

// Status words (ISO 7816-4 section 5.1.3).
const (
	swOK                  uint16 = 0x9000
	swMoreData            uint16 = 0x6100 // | bytes still available
	swWrongLength         uint16 = 0x6700
	swIncompatibleFile    uint16 = 0x6981
	swSecurityNotSat      uint16 = 0x6982
	swAuthBlocked         uint16 = 0x6983
	swRefDataNotUsable    uint16 = 0x6984
	swConditionsNotSat    uint16 = 0x6985
	swNoCurrentEF         uint16 = 0x6986 // command not allowed: no current EF
	swNotAllowed          uint16 = 0x6986 // command not allowed on this EF
	swWrongData           uint16 = 0x6A80
	swFileNotFound        uint16 = 0x6A82
	swNotEnoughMemory     uint16 = 0x6A84
	swWrongP1P2           uint16 = 0x6A86
	swRefDataNotFound     uint16 = 0x6A88
	swWrongOffset         uint16 = 0x6B00
	swWrongLe             uint16 = 0x6C00 // | exact length
	swInsNotSupported     uint16 = 0x6D00
	swClaNotSupported     uint16 = 0x6E00
	swVerifyFailed        uint16 = 0x63C0 // | tries left
	swLastCmdChainUnsupp  uint16 = 0x6884
	swSecureMessagingUnsp uint16 = 0x6882
)

// command is a parsed short C-APDU (ISO 7816-4 section 5.1).
type command struct {
	cla, ins, p1, p2 byte
	data             []byte
	le               int  // expected length, 1..256
	hasLe            bool // Le present (0x00 means 256)
}

// errMalformed is a C-APDU whose length fields do not add up.
var errMalformed = fmt.Errorf("malformed apdu")

// parseCommand splits a short C-APDU into its fields. Extended APDUs are
// not supported by the card and are reported as malformed.
func parseCommand(b []byte) (command, error) {
	if len(b) < 4 {
		return command{}, errMalformed
	}
	c := command{cla: b[0], ins: b[1], p1: b[2], p2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
	case len(body) == 1: // case 2
		c.hasLe, c.le = true, leValue(body[0])
	default:
		lc := int(body[0])
		if lc == 0 { // extended length: not supported
			return command{}, errMalformed
		}
		switch len(body) {
		case 1 + lc: // case 3
			c.data = body[1:]
		case 2 + lc: // case 4
			c.data = body[1 : 1+lc]
			c.hasLe, c.le = true, leValue(body[1+lc])
		default:
			return command{}, errMalformed
		}
	}
	return c, nil
}

func leValue(b byte) int {
	if b == 0 {
		return 256
	}
	return int(b)
}

// response builds an R-APDU from data and a status word.
func response(data []byte, sw uint16) []byte {
	out := make([]byte, len(data)+2)
	copy(out, data)
	out[len(data)] = byte(sw >> 8)
	out[len(data)+1] = byte(sw)
	return out
}

// status builds a data-less R-APDU.
func status(sw uint16) []byte { return response(nil, sw) }
