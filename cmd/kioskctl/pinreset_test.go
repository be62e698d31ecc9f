package main

import (
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

type pinResetResult struct {
	Reader  string `json:"reader"`
	Issuer  string `json:"issuer"`
	Which   string `json:"which"`
	Retries int    `json:"retries"`
	APDUs   int    `json:"apdus"`
}

func TestPINResetCommand(t *testing.T) {
	dir := issueDataDir(t)
	vc, _, _ := withIssueCard(t, vcard.PersonaAuthLocked, dir)
	if code, out, _ := runCLI(t, "1234\n", "pin", "verify", "--which", "auth", "--json"); code != exitRefused || !strings.Contains(out, "PIN_LOCKED") {
		t.Fatalf("locked persona: %d %s", code, out)
	}
	code, out, errOut := runCLI(t, "8642\n", "pin", "reset", "--which", "auth", "--issuer", "training", "--data", dir,
		"--staff", "S001", "--approval", "AP-1", "--json")
	if code != exitOK {
		t.Fatalf("pin reset: %d %s %s", code, out, errOut)
	}
	var res pinResetResult
	decode(t, out, &res)
	if res.Which != "auth" || res.Retries != 3 || res.Issuer != "training" || res.Reader != "Test Reader 00" || res.APDUs == 0 {
		t.Fatalf("pin reset: %s", out)
	}
	if strings.Contains(out+errOut, "8642") {
		t.Error("the new PIN was printed")
	}
	if n, _ := vc.Retries(vcard.EFAuthPIN); n != 3 {
		t.Errorf("card counter %d", n)
	}
	if code, out, _ := runCLI(t, "8642\n", "pin", "verify", "--which", "auth", "--json"); code != exitOK {
		t.Fatalf("new PIN: %d %s", code, out)
	}
}

func TestPINResetCommandRefusesBeforeTheCard(t *testing.T) {
	dir := issueDataDir(t)
	vc, _, connects := withIssueCard(t, vcard.PersonaAuthLocked, dir)
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"8642\n", []string{"--which", "basic_info", "--data", dir}, exitUsage, ""},
		{"8642\n", []string{"--which", "auth"}, exitUsage, ""},
		{"8642\n", []string{"--which", "auth", "--data", dir, "--issuer", "gateway"}, exitUsage, ""},
		{"", []string{"--which", "auth", "--data", dir}, exitUsage, ""},
		{"12a4\n", []string{"--which", "auth", "--data", dir, "--json"}, exitRefused, "PIN_FORMAT"},
		{"123\n", []string{"--which", "sign", "--data", dir, "--json"}, exitRefused, "PIN_FORMAT"},
	} {
		code, out, _ := runCLI(t, tc.stdin, append([]string{"pin", "reset"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%v: %d %s, want %d %s", tc.args, code, out, tc.code, tc.want)
		}
	}
	if *connects != 0 || vc.APDUCount() != 0 {
		t.Errorf("refusals touched the card: %d connects, %d APDUs", *connects, vc.APDUCount())
	}
	if n, _ := card.New(vc).Retries(card.PINAuth); n != 0 {
		t.Errorf("auth PIN has %d tries", n)
	}
}

func TestPINResetCommandUntrustedIssuer(t *testing.T) {
	withIssueCard(t, vcard.PersonaAuthLocked, issueDataDir(t))
	other := issueDataDir(t) // another training CA: the card does not trust its issuer key
	code, out, _ := runCLI(t, "8642\n", "pin", "reset", "--which", "auth", "--data", other, "--json")
	if code != exitRefused || !strings.Contains(out, "CARD_ERROR") {
		t.Fatalf("untrusted issuer: %d %s", code, out)
	}
}
