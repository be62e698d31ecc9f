package card_test

import (
	"errors"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// apduCount runs op once on a fresh card of the persona and returns how many
// APDUs it sends, so the removal tests cover every one of them.
func apduCount(t *testing.T, persona string, op func(*card.Card) error) int {
	t.Helper()
	c, _, vc, _ := open(t, persona, vcard.Options{})
	before := vc.APDUCount()
	if err := op(c); err != nil {
		t.Fatalf("clean run: %v", err)
	}
	n := vc.APDUCount() - before
	if n == 0 {
		t.Fatal("operation sent no APDU")
	}
	return n
}

// reinserted puts the virtual card back and returns a fresh card session on it.
func reinserted(vc *vcard.Card) *card.Card {
	vc.SetFault(nil)
	vc.Insert()
	return card.New(vc)
}

// TestStatusCardPulledBeforeEachAPDU: the card pulled before any APDU of the
// status check gives card.ErrCardRemoved (no panic, no other error), and the
// card is unharmed when it comes back.
func TestStatusCardPulledBeforeEachAPDU(t *testing.T) {
	status := func(c *card.Card) error { _, err := c.Status(); return err }
	n := apduCount(t, vcard.PersonaAdult, status)
	for k := 1; k <= n; k++ {
		c, _, vc, _ := open(t, vcard.PersonaAdult, vcard.Options{})
		vc.SetFault(vcard.FailAt(vc.APDUCount()+k, vcard.FaultRemoveBefore))
		if _, err := c.Status(); !errors.Is(err, card.ErrCardRemoved) {
			t.Fatalf("pulled before APDU %d of %d: %v, want card.ErrCardRemoved", k, n, err)
		}
		st, err := reinserted(vc).Status()
		if err != nil {
			t.Fatalf("after reinsertion (pulled at %d): %v", k, err)
		}
		want := map[card.PIN]int{card.PINAuth: 3, card.PINSign: 5, card.PINBasicInfo: 3}
		for p, w := range want {
			if st.Retries[p] != w {
				t.Errorf("pulled at %d: %v has %d tries, want %d", k, p, st.Retries[p], w)
			}
		}
	}
}

// TestPINChangeCardPulledAtEachAPDU: the card pulled before, or after (the
// card acted but the answer was lost), any APDU of a PIN change gives
// card.ErrCardRemoved, and no try is lost: with the right current PIN the
// counter stays full, and exactly one of the old and the new PIN is the PIN
// afterwards. With a wrong current PIN the card may have spent the try —
// then the counter read on reinsertion says so, so the kiosk shows it.
func TestPINChangeCardPulledAtEachAPDU(t *testing.T) {
	oldPIN, newPIN := "1234", "5678"
	change := func(c *card.Card) error {
		return c.ChangePIN(card.PINAuth, []byte(oldPIN), []byte(newPIN))
	}
	n := apduCount(t, vcard.PersonaAdult, change)
	for _, action := range []vcard.FaultAction{vcard.FaultRemoveBefore, vcard.FaultRemoveAfter} {
		for k := 1; k <= n; k++ {
			c, _, vc, _ := open(t, vcard.PersonaAdult, vcard.Options{})
			vc.SetFault(vcard.FailAt(vc.APDUCount()+k, action))
			if err := change(c); !errors.Is(err, card.ErrCardRemoved) {
				t.Fatalf("fault %d at APDU %d of %d: %v, want card.ErrCardRemoved", action, k, n, err)
			}
			vc.SetFault(nil)
			vc.Insert()
			if left, _ := vc.Retries(vcard.EFAuthPIN); left != 3 {
				t.Fatalf("fault %d at APDU %d: %d tries left after a right current PIN, want 3", action, k, left)
			}
			c2 := card.New(vc)
			errOld := c2.Verify(card.PINAuth, []byte(oldPIN))
			errNew := c2.Verify(card.PINAuth, []byte(newPIN))
			if (errOld == nil) == (errNew == nil) {
				t.Fatalf("fault %d at APDU %d: old PIN %v, new PIN %v; want exactly one to work", action, k, errOld, errNew)
			}
		}
	}

	// A wrong current PIN, the answer to its VERIFY lost: the card spent the
	// try, and the retries read after reinsertion report it.
	wrong := func(c *card.Card) error {
		return c.ChangePIN(card.PINAuth, []byte("9999"), []byte(newPIN))
	}
	c, _, vc, _ := open(t, vcard.PersonaAdult, vcard.Options{})
	base := vc.APDUCount()
	var pe *card.PINError
	if err := wrong(c); !errors.As(err, &pe) || pe.Retries != 2 {
		t.Fatalf("wrong current PIN: %v, want a PIN error with 2 tries left", err)
	}
	verifyAt := vc.APDUCount() - base // the wrong VERIFY is the last APDU sent
	c, _, vc, _ = open(t, vcard.PersonaAdult, vcard.Options{})
	vc.SetFault(vcard.FailAt(vc.APDUCount()+verifyAt, vcard.FaultRemoveAfter))
	if err := wrong(c); !errors.Is(err, card.ErrCardRemoved) {
		t.Fatalf("wrong PIN, answer lost: %v, want card.ErrCardRemoved", err)
	}
	left, err := reinserted(vc).Retries(card.PINAuth)
	if err != nil || left != 2 {
		t.Fatalf("tries read after reinsertion = %d, %v; want 2 (the spent try is visible)", left, err)
	}
}
