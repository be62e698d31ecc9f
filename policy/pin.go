package policy

import "fmt"

// PINKind names one of the card's PINs and its format. The zero PINKind is
// PINNone.
type PINKind int

// The PINs (DESIGN.md §3; 6ケタから16ケタのアルファベット(半角大文字)と数字が
// 混ざったもの / 4桁の数字).
const (
	PINNone  PINKind = iota // no PIN
	PINAuth                 // user authentication: exactly 4 digits
	PINSign                 // signature: 6–16 of A–Z and 0–9, at least one letter and one digit
	PINBasic                // basic-info application (券面事項入力補助): exactly 4 digits
)

var pinNames = [...]string{"NONE", "AUTH", "SIGN", "BASIC_INFO"}

// String is the PIN's code in screens and audit codes, e.g. "SIGN".
func (k PINKind) String() string {
	if k >= 0 && int(k) < len(pinNames) {
		return pinNames[k]
	}
	return fmt.Sprintf("PIN_%d", int(k))
}

// Cert is the certificate whose key the PIN protects (false for the
// basic-info PIN and PINNone).
func (k PINKind) Cert() (Cert, bool) {
	switch k {
	case PINSign:
		return CertSign, true
	case PINAuth:
		return CertAuth, true
	}
	return "", false
}

// PINLimits returns the shortest and longest PIN of kind k.
func PINLimits(k PINKind) (minLen, maxLen int) {
	if k == PINSign {
		return 6, 16
	}
	return 4, 4
}

// PINTries returns how many consecutive wrong entries lock a PIN of kind k
// (署名用電子証明書は連続5回、利用者証明用電子証明書は連続3回).
func PINTries(k PINKind) int {
	if k == PINSign {
		return 5
	}
	return 3
}

// PINRuleText returns the rule to show beside a PIN field, in lang.
func PINRuleText(k PINKind, lang string) string {
	if k == PINSign {
		return Describe("SIGN", lang)
	}
	return Describe("FOUR_DIGITS", lang)
}

// ValidatePIN returns the rules pin does not meet yet (nil when it is valid),
// for live validation on a keypad: PIN_TOO_SHORT, PIN_TOO_LONG, PIN_BAD_CHAR,
// and for the signature PIN PIN_NEEDS_LETTER and PIN_NEEDS_DIGIT. It reads pin
// in place and keeps no copy.
func ValidatePIN(k PINKind, pin []byte) []Reason {
	minLen, maxLen := PINLimits(k)
	var unmet []Reason
	if len(pin) < minLen {
		unmet = append(unmet, PINTooShort)
	}
	if len(pin) > maxLen {
		unmet = append(unmet, PINTooLong)
	}
	letter, digit, bad := false, false, false
	for _, c := range pin {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z' && k == PINSign:
			letter = true
		default:
			bad = true
		}
	}
	if bad {
		unmet = append(unmet, PINBadChar)
	}
	if k == PINSign {
		if !letter {
			unmet = append(unmet, PINNeedsLetter)
		}
		if !digit {
			unmet = append(unmet, PINNeedsDigit)
		}
	}
	return unmet
}
