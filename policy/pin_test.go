package policy

import (
	"slices"
	"testing"
)

type pinCase struct {
	src  string
	kind PINKind
	pin  string
	want []Reason
}

var pinCases = []pinCase{
	{"000 6ケタから16ケタ…混ざったもの (valid)", PINSign, "ABC123", nil},
	{"000 16ケタ (valid, longest)", PINSign, "ABCDEFGHIJKLMNO1", nil},
	{"000 6ケタから (5 is short)", PINSign, "ABC12", []Reason{PINTooShort}},
	{"000 16ケタ (17 is long)", PINSign, "ABCDEFGHIJKLMNOP1", []Reason{PINTooLong}},
	{"000 アルファベット(半角大文字) (lower case)", PINSign, "abc123", []Reason{PINBadChar, PINNeedsLetter}},
	{"000 全角 digit is not 半角", PINSign, "ABC１23", []Reason{PINBadChar}},
	{"000 混ざったもの (letters only)", PINSign, "ABCDEFGH", []Reason{PINNeedsDigit}},
	{"000 混ざったもの (digits only)", PINSign, "123456", []Reason{PINNeedsLetter}},
	{"000 empty field: every rule unmet", PINSign, "", []Reason{PINTooShort, PINNeedsLetter, PINNeedsDigit}},
	{"000 4桁の数字 (valid)", PINAuth, "1234", nil},
	{"000 4桁の数字 (3)", PINAuth, "123", []Reason{PINTooShort}},
	{"000 4桁の数字 (5)", PINAuth, "12345", []Reason{PINTooLong}},
	{"000 4桁の数字 (letter)", PINAuth, "12A4", []Reason{PINBadChar}},
	{"DESIGN §4 basic-info PIN: 4 digits", PINBasic, "0000", nil},
	{"DESIGN §4 basic-info PIN: 4 digits (space)", PINBasic, "12 4", []Reason{PINBadChar}},
}

func TestValidatePIN(t *testing.T) {
	for _, c := range pinCases {
		if got := ValidatePIN(c.kind, []byte(c.pin)); !slices.Equal(got, c.want) {
			t.Errorf("%s: ValidatePIN(%d, %q) = %v, want %v", c.src, c.kind, c.pin, got, c.want)
		}
	}
}

// TestValidatePINNoCopy: checking a valid PIN allocates nothing, so no copy
// of the PIN is left behind in memory.
func TestValidatePINNoCopy(t *testing.T) {
	pin := []byte("ABC123")
	if n := testing.AllocsPerRun(100, func() { ValidatePIN(PINSign, pin) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestPINLimits(t *testing.T) {
	if a, b := PINLimits(PINSign); a != 6 || b != 16 {
		t.Error("sign limits")
	}
	if a, b := PINLimits(PINAuth); a != 4 || b != 4 {
		t.Error("auth limits")
	}
	// 001 署名用電子証明書は連続5回、利用者証明用電子証明書は連続3回
	if PINTries(PINSign) != 5 || PINTries(PINAuth) != 3 || PINTries(PINBasic) != 3 {
		t.Error("tries")
	}
	if PINRuleText(PINSign, "ja") == PINRuleText(PINAuth, "ja") || PINRuleText(PINAuth, "en") != "Exactly 4 digits." {
		t.Error("rule texts")
	}
}
