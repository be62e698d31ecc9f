package card

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"testing"
	"time"
)

// certOfSize makes a certificate of exactly n DER bytes (an Ed25519
// signature has a fixed size; a filler extension takes up the rest).
func certOfSize(t *testing.T, n int) []byte {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for fill := 0; fill < n; fill++ {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x1203), Subject: pkix.Name{CommonName: "budget"},
			NotBefore: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2029, 4, 12, 0, 0, 0, 0, time.UTC),
			ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: make([]byte, fill)}}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(der) == n {
			return der
		}
		if len(der) > n {
			break
		}
	}
	t.Fatalf("no certificate of %d bytes", n)
	return nil
}

// TestStatusBudget1203: on a card whose auth certificate is 1,203 bytes,
// Status stays within 16 APDUs (14: it reads only the first 255 bytes);
// the genuine check's whole-certificate read adds 7 (SELECT application,
// SELECT EF, five READ BINARY of at most 255 bytes).
func TestStatusBudget1203(t *testing.T) {
	der := certOfSize(t, 1203)
	steps := []step{
		{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok}, {cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN2")},
		availBoth[0], availBoth[1],
		{cmd: selAuthCrt, resp: ok}, {cmd: "00 B0 00 00 FF", resp: hex.EncodeToString(der[:255]) + "9000"},
		{cmd: selAuthPIN, resp: ok}, {cmd: verifyNone, resp: "63 C3"},
		{cmd: selSignPIN, resp: ok}, {cmd: verifyNone, resp: "63 C5"},
		{cmd: selBasic, resp: ok}, {cmd: selBasicPN, resp: ok}, {cmd: verifyNone, resp: "63 C3"},
	}
	steps = append(steps, step{cmd: selJPKI, resp: ok}, step{cmd: selAuthCrt, resp: ok})
	steps = append(steps, readSteps(der)...)
	tr := NewTrace(newScript(t, steps...), 0)
	c := New(tr)
	st, err := c.Status()
	if err != nil || st.AuthCert == nil {
		t.Fatal(st, err)
	}
	if n := tr.Count(); n != 14 || n > 16 {
		t.Errorf("Status: %d APDUs, want 14 (budget 16)", n)
	}
	cert, err := c.ReadCertificate(CertAuth)
	if err != nil || len(cert.Raw) != 1203 {
		t.Fatal(err)
	}
	if n := tr.Count(); n != 21 {
		t.Errorf("Status + whole certificate: %d APDUs, want 21", n)
	}
}
