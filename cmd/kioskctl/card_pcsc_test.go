//go:build linux

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// The card commands through the real PC/SC stack: pcscd + vpcd, the
// virtual card served from this process.
func TestCardCommandsPCSC(t *testing.T) {
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{})
	reader := d.Insert(t, vc)

	code, out, _ := runCLI(t, "", "readers", "--json")
	var rs struct {
		Readers []struct {
			Name        string `json:"name"`
			CardPresent bool   `json:"card_present"`
		} `json:"readers"`
	}
	decode(t, out, &rs)
	found := false
	for _, r := range rs.Readers {
		found = found || (r.Name == reader && r.CardPresent)
	}
	if code != exitOK || !found {
		t.Fatalf("readers: %d %s", code, out)
	}

	code, out, _ = runCLI(t, "", "card", "status", "--json")
	var st struct {
		Reader   string `json:"reader"`
		CardType string `json:"card_type"`
		AuthCert *struct {
			Serial string `json:"serial"`
		} `json:"auth_cert"`
		Retries map[string]int `json:"retries"`
		APDUs   int            `json:"apdus"`
	}
	decode(t, out, &st)
	if code != exitOK || st.Reader != reader || st.CardType != "mynumber" || st.AuthCert == nil ||
		st.AuthCert.Serial != p.AuthCert.SerialNumber.String() || st.Retries["sign"] != 5 {
		t.Fatalf("card status: %d %s", code, out)
	}
	if st.APDUs > 16 {
		t.Errorf("card status used %d APDUs, budget 16", st.APDUs)
	}
	// The card reference and the genuine check through pcscd: the virtual
	// card's CA copies J-LIS's names, but its signature is not J-LIS's.
	code, out, _ = runCLI(t, "", "card", "status", "--genuine", "--json")
	var g struct {
		CardRef string  `json:"card_ref"`
		Genuine *string `json:"genuine"`
		APDUs   int     `json:"apdus"`
	}
	decode(t, out, &g)
	if code != exitOK || g.CardRef != "auth:"+p.AuthCert.SerialNumber.Text(16) || g.Genuine == nil || *g.Genuine != "not_jlis" {
		t.Fatalf("card status --genuine: %d %s", code, out)
	}

	if code, out, _ := runCLI(t, "1111\n", "pin", "verify", "--which", "auth", "--reader", reader, "--json"); code != exitRefused ||
		!strings.Contains(out, `"PIN_INCORRECT"`) || !strings.Contains(out, `"retries": 2`) {
		t.Errorf("wrong PIN: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "1234\n5678\n", "pin", "change", "--which", "auth", "--json"); code != exitOK {
		t.Errorf("pin change: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "5678\n", "pin", "verify", "--which", "auth", "--json"); code != exitOK {
		t.Errorf("verify new PIN: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "pin", "status", "--json"); code != exitOK || !strings.Contains(out, `"auth": 3`) {
		t.Errorf("pin status: %d %s", code, out)
	}

	vc.Remove()
	if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "card", "status", "--json"); code != exitRefused || !strings.Contains(out, `"NO_CARD"`) {
		t.Errorf("no card: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "card", "status", "--reader", "No Such Reader", "--json"); code != exitRefused || !strings.Contains(out, `"NO_READER"`) {
		t.Errorf("unknown reader: %d %s", code, out)
	}
}
