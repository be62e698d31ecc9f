package card_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

func hb(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

const (
	rSelBasic  = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
	rSelJPKI   = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
	rSelBasPIN = "00 A4 02 0C 02 00 11"
	rVerify    = "00 20 00 80 04 31 32 33 34"
)

// TestRelayBypassesAgainstVcard: each way around a guard that watches only
// `00 A4 02 0C` selections works on the virtual card (as on a real card:
// short file ids, SELECT P1 00, SELECT by an AID prefix) — and Relay
// refuses every one before it reaches the card.
func TestRelayBypassesAgainstVcard(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   []string // relayed (allowed) first
		bypass  []string // what the raw card accepts, reaching the individual number
		private bool     // refused as ErrPrivacy too
	}{
		{"READ BINARY by short file id", []string{rSelBasic, rSelBasPIN, rVerify}, []string{"00 B0 81 00 0C"}, true},
		{"SELECT with P1 00", []string{rSelBasic, rSelBasPIN, rVerify}, []string{"00 A4 00 0C 02 00 01", "00 B0 00 00 0C"}, true},
		{"SELECT by a prefix of the basic-info AID", []string{rSelJPKI},
			[]string{"00 A4 04 0C 05 D3 92 10 00 31", "00 A4 02 0C 02 00 11", rVerify, "00 A4 02 0C 02 00 01", "00 B0 00 00 0C"}, false},
		{"VERIFY by short file id", []string{rSelBasic}, []string{"00 20 00 91 04 31 32 33 34", "00 A4 02 0C 02 00 01"}, false},
		{"another logical channel", []string{rSelJPKI}, []string{"01 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			vc := p.NewCard(vcard.Options{})
			c := card.New(vc)
			for _, s := range tc.setup {
				if resp, err := c.Relay(hb(s)); err != nil || resp[len(resp)-2] != 0x90 {
					t.Fatalf("setup %s: % X %v", s, resp, err)
				}
			}
			n := vc.APDUCount()
			_, err = c.Relay(hb(tc.bypass[0]))
			if !errors.Is(err, card.ErrRelayRefused) || tc.private != errors.Is(err, card.ErrPrivacy) {
				t.Fatalf("relay of %s: %v", tc.bypass[0], err)
			}
			if vc.APDUCount() != n {
				t.Fatal("the refused command reached the card")
			}
			if strings.HasPrefix(tc.bypass[0], "01") {
				return // the virtual card has no logical channels; a real card has
			}
			// The same commands straight to the card do get through.
			var last []byte
			for _, s := range tc.bypass {
				if last, err = vc.Transmit(hb(s)); err != nil || last[len(last)-2] != 0x90 {
					t.Fatalf("raw %s: % X %v", s, last, err)
				}
			}
		})
	}
	// The basic-info PIN EF and the basic items stay relayable; EF 0001 never.
	p, _ := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	c := card.New(p.NewCard(vcard.Options{}))
	for _, s := range []string{rSelBasic, rSelBasPIN, rVerify, "00 A4 02 0C 02 00 02", "00 B0 00 00 04"} {
		if _, err := c.Relay(hb(s)); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"00 A4 02 0C 02 00 01", "00 A4 00 0C 02 00 01", "00 B0 81 00 00", "0C A4 02 0C 02 00 11", "00 A4 02 00 02 00 11", "00 CA 00 00 00"} {
		if _, err := c.Relay(hb(s)); !errors.Is(err, card.ErrRelayRefused) {
			t.Errorf("%s relayed: %v", s, err)
		}
	}
}
