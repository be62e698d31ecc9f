//go:build linux

package vcard_test

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

var triesLeft = regexp.MustCompile(`Tries left\s*:\s*(\d+)`)

// TestOpenSCFidelity: OpenSC's own JPKI driver (card-jpki.c, pkcs15-jpki.c)
// lists the virtual card's four certificates and two PINs, and signs with
// the user-authentication key through PKCS#11; openssl verifies the
// signature with the public key of the certificate read from the card.
func TestOpenSCFidelity(t *testing.T) {
	pcsctest.Require(t, "pkcs15-tool", "pkcs11-tool", "openssl", pcsctest.OpenSCModule)
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	card := p.NewCard(vcard.Options{})
	stopServing := d.Serve(t, card)
	if _, err := pcsctest.WaitCard(true, 15*time.Second); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	env := pcsctest.OpenSCEnv(t, dir)

	certs := pcsctest.RunTool(t, env, "pkcs15-tool", "--list-certificates")
	t.Logf("pkcs15-tool --list-certificates:\n%s", certs)
	for _, label := range []string{"User Authentication Certificate", "Digital Signature Certificate",
		"User Authentication Certificate CA", "Digital Signature Certificate CA"} {
		if !strings.Contains(certs, "["+label+"]") {
			t.Errorf("certificate %q not listed", label)
		}
	}
	pins := pcsctest.RunTool(t, env, "pkcs15-tool", "--list-pins")
	t.Logf("pkcs15-tool --list-pins:\n%s", pins)
	for _, label := range []string{"User Authentication PIN", "Digital Signature PIN"} {
		if !strings.Contains(pins, "["+label+"]") {
			t.Errorf("PIN %q not listed", label)
		}
	}
	if got := triesLeft.FindAllStringSubmatch(pins, -1); len(got) != 2 || got[0][1] != "3" || got[1][1] != "5" {
		t.Errorf("PIN tries %q, want 3 and 5", got)
	}

	// The auth certificate as OpenSC reads it, and its public key via openssl.
	certPath := filepath.Join(dir, "auth.pem")
	pcsctest.RunTool(t, env, "pkcs15-tool", "--read-certificate", "01", "--output", certPath)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(certPEM); b == nil || !bytes.Equal(b.Bytes, p.AuthCert.Raw) {
		t.Fatalf("certificate 01 read by OpenSC is not the auth certificate:\n%s", certPEM)
	}
	pubPath := filepath.Join(dir, "auth.pub")
	pub := pcsctest.RunTool(t, env, "openssl", "x509", "-in", certPath, "-pubkey", "-noout")
	if err := os.WriteFile(pubPath, []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}

	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("JPKI kiosk fidelity test "+time.Now().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sig := filepath.Join(dir, "sig")
	out := pcsctest.RunTool(t, env, "pkcs11-tool", "--module", pcsctest.OpenSCModule, "--login", "--pin", vcard.List()[0].AuthPIN,
		"--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "--input-file", data, "--output-file", sig)
	t.Logf("pkcs11-tool --sign:\n%s", out)
	verified := pcsctest.RunTool(t, env, "openssl", "dgst", "-sha256", "-verify", pubPath, "-signature", sig, data)
	if !strings.Contains(verified, "Verified OK") {
		t.Fatalf("openssl: %s", verified)
	}
	if n, _ := card.Retries(vcard.EFAuthPIN); n != vcard.MaxAuthTries {
		t.Errorf("auth PIN tries after the test: %d", n)
	}

	// A contactless reader makes up its own ATR: OpenSC must then find the
	// card by selecting the JPKI application, which the card answers.
	stopServing()
	if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	d.Serve(t, p.NewCard(vcard.Options{ATR: contactlessATR()}))
	if _, err := pcsctest.WaitCard(true, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	certs = pcsctest.RunTool(t, env, "pkcs15-tool", "--list-certificates")
	if !strings.Contains(certs, "[User Authentication Certificate]") || !strings.Contains(certs, "[Digital Signature Certificate CA]") {
		t.Errorf("with a reader-made ATR, OpenSC lists:\n%s", certs)
	}
}

// contactlessATR is a PC/SC part 3 ATR as a contactless reader makes it for
// a type B card: 3B 88 80 01, 8 historical bytes, checksum.
func contactlessATR() []byte {
	atr := []byte{0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}
	var tck byte
	for _, b := range atr[1:] {
		tck ^= b
	}
	return append(atr, tck)
}

// TestOpenSCBackToBack: pkcs15-tool right after pkcs11-tool --login --sign
// has finished, with OpenSC's default driver list. pkcs11-tool disconnects
// without a reset, leaving the auth PIN verified; pkcs15-tool's JPKI
// driver selects the application and asks the tries left with an empty
// VERIFY, and took the 90 00 of a still-verified PIN for an error
// ("PKCS#15 binding failed: Unsupported card") until pcscd powered the idle
// card down a second later. Selecting the application now clears its
// verified PINs, as on a real card.
func TestOpenSCBackToBack(t *testing.T) {
	pcsctest.Require(t, "pkcs15-tool", "pkcs11-tool", pcsctest.OpenSCModule)
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d.Serve(t, p.NewCard(vcard.Options{}))
	if _, err := pcsctest.WaitCard(true, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := []string{"HOME=" + dir}
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("back to back"), 0o644); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		pcsctest.RunTool(t, env, "pkcs11-tool", "--module", pcsctest.OpenSCModule, "--login", "--pin", vcard.List()[0].AuthPIN,
			"--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "--input-file", data, "--output-file", filepath.Join(dir, "sig"))
		out := pcsctest.RunTool(t, env, "pkcs15-tool", "-r", "0", "--read-certificate", "01")
		if !strings.Contains(out, "BEGIN CERTIFICATE") {
			t.Fatalf("round %d: pkcs15-tool right after pkcs11-tool:\n%s", round, out)
		}
	}
}
