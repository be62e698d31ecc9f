//go:build linux

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// TestPINResetPCSC resets the locked auth PIN of the auth-locked persona
// through pcscd + vpcd with `kioskctl pin reset`, then checks that the new
// PIN verifies and the card shows 3 tries.
func TestPINResetPCSC(t *testing.T) {
	dir := issueDataDir(t)
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAuthLocked, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reader := d.Insert(t, p.NewCard(issuerKeyOf(t, dir)))

	code, out, errOut := runCLI(t, "8642\n", "pin", "reset", "--which", "auth", "--reader", reader,
		"--issuer", "training", "--data", dir, "--staff", "S001", "--json")
	if code != exitOK {
		t.Fatalf("pin reset: %d %s %s", code, out, errOut)
	}
	var res pinResetResult
	decode(t, out, &res)
	if res.Reader != reader || res.Retries != 3 {
		t.Fatalf("pin reset: %s", out)
	}
	code, out, _ = runCLI(t, "", "pin", "status", "--reader", reader, "--json")
	if code != exitOK || !strings.Contains(strings.Join(strings.Fields(out), ""), `"auth":3,`) {
		t.Fatalf("pin status after reset: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "8642\n", "pin", "verify", "--which", "auth", "--reader", reader, "--json"); code != exitOK {
		t.Fatalf("new PIN through pcscd: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "1234\n", "pin", "verify", "--which", "auth", "--reader", reader, "--json"); code != exitRefused || !strings.Contains(out, "PIN_INCORRECT") {
		t.Errorf("old PIN after reset: %d %s", code, out)
	}
}
