package card

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"
)

// Sentinels for status words (ISO 7816-4 section 5.1.3). A *StatusError
// unwraps to one of them; test with errors.Is.
var (
	ErrWrongLength     = errors.New("wrong length")                           // 67 00
	ErrSecurityStatus  = errors.New("security status not satisfied")          // 69 82
	ErrAuthBlocked     = errors.New("authentication method blocked")          // 69 83, 69 84 (PIN locked), or 63 C0
	ErrConditions      = errors.New("conditions of use not satisfied")        // 69 85
	ErrNoCurrentEF     = errors.New("command not allowed, no current ef")     // 69 86
	ErrWrongData       = errors.New("incorrect parameters in the data field") // 6A 80
	ErrNotSupported    = errors.New("function not supported")                 // 6A 81, 6D 00, 6E 00
	ErrFileNotFound    = errors.New("file or application not found")          // 6A 82
	ErrNotEnoughMemory = errors.New("not enough memory space in the file")    // 6A 84
	ErrWrongParameters = errors.New("incorrect parameters p1-p2")             // 6A 86, 6B 00
	ErrRefNotFound     = errors.New("referenced data not found")              // 6A 88 (e.g. no such PIN)
	ErrWrongPIN        = errors.New("wrong pin")                              // 63 Cx after VERIFY with data
)

// Sentinels for the PC/SC layer. A *PCSCError unwraps to one of them.
var (
	// ErrNoService: the PC/SC service (pcscd, or Windows' smart-card service,
	// which stops when the last reader is unplugged) is not running.
	ErrNoService = errors.New("smart-card service not available")
	// ErrNoReader: no reader attached, or the named reader is gone.
	ErrNoReader = errors.New("no reader")
	// ErrNoCard: the reader is empty.
	ErrNoCard = errors.New("no card in reader")
	// ErrCardRemoved: the card was taken out during the session.
	ErrCardRemoved = errors.New("card removed")
	// ErrCardReset: another party reset the card; PIN state and selections are lost.
	ErrCardReset = errors.New("card was reset")
	// ErrCardInUse: another program holds the card.
	ErrCardInUse = errors.New("card in use by another program")
	// ErrCardMute: the card does not answer (bad contact, unpowered, unsupported).
	ErrCardMute = errors.New("card does not respond")
	// ErrClosed: the connection was used after Close.
	ErrClosed = errors.New("connection closed")
	// ErrCancelled: a blocking PC/SC call was cancelled.
	ErrCancelled = errors.New("cancelled")
)

// Sentinels for the JPKI layer.
var (
	// ErrLastTry: the operation would spend the last PIN try and the caller
	// did not pass ConfirmLastTry. No try was spent.
	ErrLastTry = errors.New("last pin try not confirmed")
	// ErrNotJPKI: the card has no JPKI application (not a My Number card or 住基カード).
	ErrNotJPKI = errors.New("not a jpki card")
	// ErrNoCertificate: the certificate file is empty, absent, or pending
	// after a new key pair (no certificate issued for the key).
	ErrNoCertificate = errors.New("no certificate")
	// ErrMalformed: card data (certificate header, TLV, key) does not parse.
	ErrMalformed = errors.New("malformed card data")
	// ErrPINFormat: a PIN argument is empty or too long for an APDU.
	ErrPINFormat = errors.New("pin length out of range")
	// ErrPrivacy: the package refused a command that would read the
	// individual number (DESIGN.md section 4, privacy rules).
	ErrPrivacy = errors.New("refused: reading the individual number")
	// ErrRelayRefused: Relay refused a command that is not on its
	// allow-list for the current application (DESIGN.md section 4).
	ErrRelayRefused = errors.New("refused: command not allowed through the relay")
)

// StatusError is a status word other than 90 00 (ISO 7816-4 section 5.1.3).
type StatusError struct {
	SW uint16
}

// Error gives the status word in hex and its meaning, if known.
func (e *StatusError) Error() string {
	msg := "card status " + fmt.Sprintf("%04x", e.SW)
	if u := e.Unwrap(); u != nil {
		msg += ": " + u.Error()
	}
	return msg
}

// Unwrap maps well-known status words to the sentinels above, and 63 Cx to
// a *PINError carrying the number of tries left.
func (e *StatusError) Unwrap() error {
	if e.SW&0xFFF0 == 0x63C0 {
		return &PINError{Retries: int(e.SW & 0x0F)}
	}
	switch e.SW {
	case 0x6700:
		return ErrWrongLength
	case 0x6982:
		return ErrSecurityStatus
	case 0x6983, 0x6984:
		return ErrAuthBlocked
	case 0x6985:
		return ErrConditions
	case 0x6986:
		return ErrNoCurrentEF
	case 0x6A80:
		return ErrWrongData
	case 0x6A81, 0x6D00, 0x6E00:
		return ErrNotSupported
	case 0x6A82:
		return ErrFileNotFound
	case 0x6A84:
		return ErrNotEnoughMemory
	case 0x6A86, 0x6B00:
		return ErrWrongParameters
	case 0x6A88:
		return ErrRefNotFound
	}
	return nil
}

// PINError is a PIN check that failed (63 Cx): Retries tries are left.
// It matches ErrWrongPIN, and ErrAuthBlocked when no try is left.
type PINError struct {
	Retries int
}

// Error says how many tries are left.
func (e *PINError) Error() string {
	return fmt.Sprintf("wrong pin, %d tries left", e.Retries)
}

// Is makes errors.Is(err, ErrWrongPIN) and, with no try left,
// errors.Is(err, ErrAuthBlocked) true.
func (e *PINError) Is(target error) bool {
	return target == ErrWrongPIN || (target == ErrAuthBlocked && e.Retries == 0)
}

// PCSCError is a PC/SC return code (SCARD_E_*, SCARD_W_*) from operation Op.
type PCSCError struct {
	Op   string // the PC/SC call, e.g. "SCardTransmit"
	Code uint32 // the return code, e.g. 0x80100069 (SCARD_W_REMOVED_CARD)
}

// Error gives the call, the return code in hex and its meaning, if known.
func (e *PCSCError) Error() string {
	msg := fmt.Sprintf("%s: pc/sc error %08x", e.Op, e.Code)
	if u := e.Unwrap(); u != nil {
		msg += ": " + u.Error()
	}
	return msg
}

// Unwrap maps return codes to this package's sentinels.
func (e *PCSCError) Unwrap() error {
	switch scard.Error(e.Code) {
	case scard.ErrNoService, scard.ErrServiceStopped, scard.ErrInvalidHandle, scard.ErrShutdown:
		return ErrNoService
	case scard.ErrNoReadersAvailable, scard.ErrUnknownReader, scard.ErrReaderUnavailable:
		return ErrNoReader
	case scard.ErrNoSmartcard:
		if e.Op == "SCardConnect" || e.Op == "" {
			return ErrNoCard
		}
		return ErrCardRemoved // during a session: the card was taken away (DESIGN.md section 4)
	case scard.ErrRemovedCard, scard.ErrNotTransacted, scard.ErrCommError, scard.ErrCommDataLost:
		// During a session these mean the card was taken away (a
		// contactless card lifted, a contact card pulled mid-APDU).
		return ErrCardRemoved
	case scard.ErrResetCard:
		return ErrCardReset
	case scard.ErrSharingViolation:
		return ErrCardInUse
	case scard.ErrUnresponsiveCard, scard.ErrUnpoweredCard, scard.ErrUnsupportedCard, scard.ErrProtoMismatch:
		return ErrCardMute
	case scard.ErrCancelled:
		return ErrCancelled
	}
	return nil
}

// pcscErr turns an error returned by github.com/ebfe/scard into a *PCSCError.
func pcscErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se scard.Error
	if errors.As(err, &se) {
		return &PCSCError{Op: op, Code: uint32(se)}
	}
	return fmt.Errorf("%s: %w", op, err)
}
