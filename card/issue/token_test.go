package issue

import (
	"bytes"
	"fmt"
	"testing"
)

// tokenCard answers the token read of a card whose CK_TOKEN_INFO has the
// manufacturerID every card shares and the given serialNumber.
type tokenCard struct{ serial string }

func (c tokenCard) Relay(apdu []byte) ([]byte, error) {
	if apdu[1] != 0xB0 {
		return []byte{0x90, 0x00}, nil
	}
	t := make([]byte, tokenSize)
	copy(t, fmt.Sprintf("%-32s", "JPKIAPICCTOKEN2"))
	copy(t[32:], fmt.Sprintf("%-32s", "0000000000000001"))
	copy(t[64:], fmt.Sprintf("%-16s", "E16R01NJ"))
	copy(t[80:], c.serial)
	return append(t, 0x90, 0x00), nil
}

// TestJournalKeyPerCard: two cards that differ only in the token's
// serialNumber get different journal entries (the journal is keyed by the
// serialNumber, which stays put while the auth certificate is renewed;
// bytes 32..63 are the same on every card).
func TestJournalKeyPerCard(t *testing.T) {
	a, _, err := readToken(tokenCard{"0000000020500003"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := readToken(tokenCard{"0000000020500004"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, []byte("0000000020500003")) {
		t.Errorf("serial %q", a)
	}
	if cardKey(a) == cardKey(b) {
		t.Errorf("two cards share the journal key %s", cardKey(a))
	}
}
