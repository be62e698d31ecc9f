//go:build linux

package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// TestIssuePCSC renews both certificates of the renewable persona through
// pcscd + vpcd with `kioskctl issue`, then checks the result the way others
// see it: `kioskctl card status`, OpenSC reading the new certificate and
// signing with the new PIN (openssl verifies), and the training CA's
// certificate verifying the chain.
func TestIssuePCSC(t *testing.T) {
	pcsctest.Require(t, "pkcs15-tool", "pkcs11-tool", "openssl", pcsctest.OpenSCModule)
	dir := issueDataDir(t)
	ca, err := issue.OpenCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaRenewable, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(issuerKeyOf(t, dir))
	reader := d.Insert(t, vc)

	code, out, errOut := runCLI(t, bothPINs, "issue", "--reader", reader, "--cert", "both", "--purpose", "renew",
		"--issuer", "training", "--data", dir, "--card-expiry", p.CardExpiry.Format(time.DateOnly), "--json")
	if code != exitOK {
		t.Fatalf("issue: %d %s %s", code, out, errOut)
	}
	var res issueResult
	decode(t, out, &res)
	want := expectedExpiry(p).String()
	if res.Reader != reader || len(res.Certificates) != 2 || res.Certificates[0].NotAfter != want {
		t.Fatalf("issue: %s (want expiry %s)", out, want)
	}
	t.Logf("kioskctl issue: %d APDUs", res.APDUs)

	code, out, _ = runCLI(t, "", "card", "status", "--reader", reader, "--json")
	var st struct {
		AuthCert struct {
			Serial   string `json:"serial"`
			NotAfter string `json:"not_after"`
		} `json:"auth_cert"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != exitOK ||
		st.AuthCert.NotAfter != want || st.AuthCert.Serial != res.Certificates[0].Serial {
		t.Fatalf("card status after renewal: %d %s (want %s, serial %s)", code, out, want, res.Certificates[0].Serial)
	}

	// OpenSC reads the new certificate and signs with the new PIN.
	tmp := t.TempDir()
	env := pcsctest.OpenSCEnv(t, tmp)
	certPath := filepath.Join(tmp, "auth.pem")
	pcsctest.RunTool(t, env, "pkcs15-tool", "--read-certificate", "01", "--output", certPath)
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		t.Fatalf("OpenSC wrote no certificate:\n%s", certPEM)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if cert.SerialNumber.String() != res.Certificates[0].Serial || !bytes.Equal(blk.Bytes, vc.File(vcard.EFAuthCert)) {
		t.Fatalf("OpenSC read serial %s, issued %s", cert.SerialNumber, res.Certificates[0].Serial)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate(issue.Auth))
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the training CA does not verify the new certificate: %v", err)
	}
	pubPath := filepath.Join(tmp, "auth.pub")
	if err := os.WriteFile(pubPath, []byte(pcsctest.RunTool(t, env, "openssl", "x509", "-in", certPath, "-pubkey", "-noout")), 0o644); err != nil {
		t.Fatal(err)
	}
	data, sig := filepath.Join(tmp, "data"), filepath.Join(tmp, "sig")
	if err := os.WriteFile(data, []byte("renewed "+time.Now().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pcsctest.RunTool(t, env, "pkcs11-tool", "--module", pcsctest.OpenSCModule, "--login", "--pin", "5678",
		"--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "--input-file", data, "--output-file", sig)
	if v := pcsctest.RunTool(t, env, "openssl", "dgst", "-sha256", "-verify", pubPath, "-signature", sig, data); !strings.Contains(v, "Verified OK") {
		t.Fatalf("openssl: %s", v)
	}
	// The old PIN no longer works: the renewal really set the new one.
	if code, out, _ := runCLI(t, "1234\n", "pin", "verify", "--which", "auth", "--reader", reader, "--json"); code != exitRefused || !strings.Contains(out, "PIN_INCORRECT") {
		t.Errorf("old auth PIN after renewal: %d %s", code, out)
	}
}

// BenchmarkIssuePCSC measures one renewal of both certificates through
// pcscd + vpcd with `kioskctl issue` (basic-info read, two key pairs,
// two certificates, two PINs), on one served card renewed again each time.
// "poolkeys" takes the card's new keys from the test pool; "rsakeygen" makes
// the virtual card generate RSA-2048 keys as a real card would.
//
//	go test ./cmd/kioskctl -run '^$' -bench IssuePCSC -benchtime 5x
func BenchmarkIssuePCSC(b *testing.B) {
	dir := issueDataDir(b)
	d := pcsctest.Start(b)
	for _, mode := range []string{"poolkeys", "rsakeygen"} {
		b.Run(mode, func(b *testing.B) {
			p, err := vcard.NewPersona(vcard.PersonaRenewable, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			opts := issuerKeyOf(b, dir)
			if mode == "rsakeygen" {
				opts.KeyGen = nil
			}
			stop := d.Serve(b, p.NewCard(opts))
			defer stop()
			reader, err := pcsctest.WaitCard(true, 15*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			args := []string{"issue", "--reader", reader, "--cert", "both", "--purpose", "renew", "--data", dir, "--json"}
			apdus := 0
			b.ResetTimer()
			for range b.N {
				var outB, errB bytes.Buffer
				if code := run(&env{stdin: strings.NewReader(bothPINs), stdout: &outB, stderr: &errB}, args); code != exitOK {
					b.Fatalf("issue: %d %s %s", code, outB.String(), errB.String())
				}
				var res issueResult
				if err := json.Unmarshal(outB.Bytes(), &res); err != nil {
					b.Fatal(err)
				}
				apdus = res.APDUs
			}
			b.ReportMetric(float64(apdus), "apdus/op")
			stop()
			if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
				b.Fatal(err)
			}
		})
	}
}
