package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebfe/scard"
	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
)

// The virtual card's public test key pool: keys 18 and 19 (unused by the
// personas) serve as the training CA keys, 20..23 as the card's "new" keys,
// so that no test pays for RSA key generation.
var (
	issueKeysOnce sync.Once
	issueKeysErr  error
	issueTestKeys []*rsa.PrivateKey
	issueNextKey  atomic.Int64
)

func issueLoadKeys(t testing.TB) {
	t.Helper()
	issueKeysOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "..", "card", "vcard", "testkeys.pem"))
		if err != nil {
			issueKeysErr = err
			return
		}
		for {
			var blk *pem.Block
			if blk, b = pem.Decode(b); blk == nil {
				break
			}
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				issueKeysErr = err
				return
			}
			issueTestKeys = append(issueTestKeys, k.(*rsa.PrivateKey))
		}
		if len(issueTestKeys) < 24 {
			issueKeysErr = fmt.Errorf("vcard test pool holds %d keys", len(issueTestKeys))
		}
	})
	if issueKeysErr != nil {
		t.Fatal(issueKeysErr)
	}
}

// issueDataDir makes a fresh kiosk data directory whose training CA uses
// pool keys (OpenCA makes the CA certificates and the issuer key).
func issueDataDir(t testing.TB) string {
	t.Helper()
	issueLoadKeys(t)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{issue.FileAuthCAKey, issue.FileSignCAKey} {
		der, err := x509.MarshalPKCS8PrivateKey(issueTestKeys[18+i])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := issue.OpenCA(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// issuePoolKeyGen hands out the vcard test pool's keys 20..23 as "new" card keys,
// so that tests pay no RSA key generation.
func issuePoolKeyGen() (*rsa.PrivateKey, error) {
	return issueTestKeys[20+int(issueNextKey.Add(1)%4)], nil
}

// issuerKeyOf reads DIR/issuer-auth.pub as `kioskctl vcard serve --data` does.
func issuerKeyOf(t testing.TB, dir string) vcard.Options {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, vcard.IssuerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	k, err := vcard.ParseIssuerKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return vcard.Options{IssuerKey: k, KeyGen: issuePoolKeyGen}
}

// withIssueCard serves a persona trusting dir's issuer key to the card
// commands, in memory.
func withIssueCard(t *testing.T, name, dir string) (*vcard.Card, *vcard.Persona, *int) {
	t.Helper()
	p, err := vcard.NewPersona(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(issuerKeyOf(t, dir))
	connects := 0
	old := connectCard
	connectCard = func(reader string) (cardConn, error) {
		connects++
		if reader != "" && reader != "Test Reader 00" {
			return nil, &card.PCSCError{Op: "SCardConnect", Code: uint32(scard.ErrUnknownReader)}
		}
		return &memConn{vc: vc}, nil
	}
	t.Cleanup(func() { connectCard = old })
	return vc, p, &connects
}

type issueResult struct {
	Reader       string `json:"reader"`
	Issuer       string `json:"issuer"`
	Certificates []struct {
		Cert      string `json:"cert"`
		Serial    string `json:"serial"`
		NotBefore string `json:"not_before"`
		NotAfter  string `json:"not_after"`
		Resumed   bool   `json:"resumed"`
	} `json:"certificates"`
	APDUs int `json:"apdus"`
}

const bothPINs = "basic:1234\nauth:5678\nsign:NEWPIN42\n"

// expectedExpiry is the new expiry of a renewal today for persona p, with
// the card's expiry given: the 6th birthday (the current certificate ends on
// a birthday, after today), capped by the card.
func expectedExpiry(p *vcard.Persona) policy.Date {
	exp, _, _ := policy.NewExpiry(policy.DateOf(p.Holder.Birth), policy.DateOf(time.Now()),
		policy.DateOf(p.AuthExpiry), policy.DateOf(p.CardExpiry))
	return exp
}

func TestIssueCommandRenewsBoth(t *testing.T) {
	dir := issueDataDir(t)
	vc, p, _ := withIssueCard(t, vcard.PersonaRenewable, dir)
	cardExpiry := p.CardExpiry.Format(time.DateOnly)
	code, out, errOut := runCLI(t, bothPINs, "issue", "--cert", "both", "--purpose", "renew", "--data", dir,
		"--card-expiry", cardExpiry, "--approval", "AP-7", "--staff", "S01", "--ticket", "3", "--json")
	if code != exitOK {
		t.Fatalf("issue: %d %s %s", code, out, errOut)
	}
	var res issueResult
	decode(t, out, &res)
	want := expectedExpiry(p)
	if res.Reader != "Test Reader 00" || res.Issuer != "training" || len(res.Certificates) != 2 || res.APDUs < 30 {
		t.Fatalf("result %+v", res)
	}
	old := policy.DateOf(p.AuthExpiry)
	for _, c := range res.Certificates {
		if c.NotAfter != want.String() || c.NotBefore != time.Now().In(japan).Format(time.DateOnly) || c.Serial == "" {
			t.Errorf("%s: %+v, want expiry %s", c.Cert, c, want)
		}
		got, _ := policy.ParseDate(c.NotAfter)
		if !got.After(old) || (!policy.IsBirthday(policy.DateOf(p.Holder.Birth), got) && got != policy.DateOf(p.CardExpiry)) {
			t.Errorf("%s expires %s: neither a birthday after %s nor the card's expiry", c.Cert, got, old)
		}
	}
	if strings.Contains(out+errOut, "5678") || strings.Contains(out+errOut, "NEWPIN42") {
		t.Error("a PIN was printed")
	}

	code, out, _ = runCLI(t, "", "card", "status", "--json")
	var st struct {
		AuthCert struct {
			Serial   string `json:"serial"`
			NotAfter string `json:"not_after"`
		} `json:"auth_cert"`
		Retries map[string]int `json:"retries"`
	}
	decode(t, out, &st)
	if code != exitOK || st.AuthCert.Serial != res.Certificates[0].Serial || st.AuthCert.NotAfter != want.String() ||
		st.Retries["auth"] != 3 || st.Retries["sign"] != 5 {
		t.Errorf("card status after issue: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "5678\n", "pin", "verify", "--which", "auth", "--json"); code != exitOK {
		t.Errorf("new auth PIN: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "NEWPIN42\n", "pin", "verify", "--which", "sign", "--json"); code != exitOK {
		t.Errorf("new sign PIN: %d %s", code, out)
	}
	if _, err := x509.ParseCertificate(vc.File(vcard.EFSignCert)); err != nil {
		t.Error(err)
	}
}

func TestIssueCommandRefusesBeforeTheCard(t *testing.T) {
	dir := issueDataDir(t)
	_, _, connects := withIssueCard(t, vcard.PersonaRenewable, dir)
	base := []string{"issue", "--purpose", "renew", "--data", dir, "--json"}
	tests := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{bothPINs, []string{"issue", "--purpose", "renew", "--data", dir}, exitUsage, "--cert"},
		{bothPINs, []string{"issue", "--cert", "both", "--purpose", "reissue", "--data", dir}, exitUsage, "--purpose"},
		{bothPINs, []string{"issue", "--cert", "both", "--purpose", "new"}, exitUsage, "--data"},
		{bothPINs, []string{"issue", "--cert", "both", "--purpose", "new", "--data", dir, "--issuer", "other"}, exitUsage, "--issuer"},
		{bothPINs, []string{"issue", "--cert", "both", "--purpose", "new", "--data", dir, "--issuer", "gateway"}, exitUsage, "--gateway-url"},
		{bothPINs, append(base, "--cert", "both", "--today", "2026-13-01"), exitUsage, "--today"},
		{"basic:1234\nauth:5678\n", append(base, "--cert", "both"), exitUsage, "sign:PIN missing"},
		{"auth:5678\nsign:NEWPIN42\n", append(base, "--cert", "both"), exitUsage, "basic:PIN missing"},
		{"basic:1234\nauth:5678\nsign:NEWPIN42\n", append(base, "--cert", "auth"), exitUsage, `"sign" is not needed`},
		{"basic:1234\nauth:5678\nauth:5678\n", append(base, "--cert", "auth"), exitUsage, "twice"},
		{"1234\n", append(base, "--cert", "auth"), exitUsage, "label:PIN"},
		{"basic:1234\nauth:567\nsign:NEWPIN42\n", append(base, "--cert", "both"), exitRefused, `"PIN_FORMAT"`},
		{"basic:1234\nauth:5678\nsign:newpin42\n", append(base, "--cert", "both"), exitRefused, `"PIN_FORMAT"`},
		{"basic:12345\nauth:5678\n", append(base, "--cert", "auth"), exitRefused, `"PIN_FORMAT"`},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, tt.stdin, tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("%v with %q: %d %s %s; want %d with %q", tt.args, tt.stdin, code, out, errOut, tt.code, tt.want)
		}
		for _, pin := range []string{"5678", "NEWPIN42", "newpin42", "567"} {
			if strings.Contains(out+errOut, pin) {
				t.Errorf("%v: output shows PIN %q", tt.args, pin)
			}
		}
	}
	if *connects != 0 {
		t.Errorf("the card was touched %d times", *connects)
	}
}

func TestIssueCommandOtherCards(t *testing.T) {
	dir := issueDataDir(t)
	withIssueCard(t, vcard.PersonaJuki, dir)
	if code, out, _ := runCLI(t, "basic:1234\nsign:NEWPIN42\n", "issue", "--cert", "sign", "--purpose", "new", "--data", dir, "--json"); code != exitRefused || !strings.Contains(out, `"JUKI_CARD"`) {
		t.Errorf("住基カード: %d %s", code, out)
	}
	_, p, _ := withIssueCard(t, vcard.PersonaRenewable, dir)
	if code, out, _ := runCLI(t, "basic:9999\nauth:5678\n", "issue", "--cert", "auth", "--purpose", "renew", "--data", dir, "--json"); code != exitRefused || !strings.Contains(out, `"PIN_INCORRECT"`) {
		t.Errorf("wrong basic PIN: %d %s", code, out)
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	if code, out, _ := runCLI(t, "basic:1234\nauth:5678\n", "issue", "--cert", "auth", "--purpose", "renew", "--data", dir, "--card-expiry", yesterday, "--json"); code != exitRefused || !strings.Contains(out, `"CARD_EXPIRED"`) {
		t.Errorf("expired card: %d %s", code, out)
	}
	_ = p
}

// A card pulled in the middle of the write is reported with the step to
// resume; the same command with the card back completes the issuance.
func TestIssueCommandInterruptedThenResumed(t *testing.T) {
	dir := issueDataDir(t)
	vc, _, _ := withIssueCard(t, vcard.PersonaRenewable, dir)
	updates := 0
	vc.SetFault(func(n int, apdu []byte) vcard.FaultAction {
		if len(apdu) > 1 && apdu[1] == 0xD6 {
			if updates++; updates == 15 {
				return vcard.FaultRemoveBefore
			}
		}
		return vcard.FaultNone
	})
	code, out, _ := runCLI(t, bothPINs, "issue", "--cert", "both", "--purpose", "renew", "--data", dir, "--json")
	var eo errObj
	decode(t, out, &eo)
	if code != exitRefused || eo.Error != "ISSUANCE_INTERRUPTED" || eo.Details["journal_id"] == "" ||
		!strings.Contains(eo.Details["resume"].(string), "sign: generate key, write certificate") {
		t.Fatalf("interrupted: %d %s", code, out)
	}
	vc.SetFault(nil)
	vc.Insert()
	code, out, _ = runCLI(t, bothPINs, "issue", "--cert", "both", "--purpose", "renew", "--data", dir, "--json")
	var res issueResult
	decode(t, out, &res)
	if code != exitOK || len(res.Certificates) != 2 || !res.Certificates[0].Resumed || res.Certificates[1].Resumed {
		t.Fatalf("resume: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "NEWPIN42\n", "pin", "verify", "--which", "sign", "--json"); code != exitOK {
		t.Errorf("new sign PIN after resume: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "5678\n", "pin", "verify", "--which", "auth", "--json"); code != exitOK {
		t.Errorf("new auth PIN after resume: %d %s", code, out)
	}
}

// issueTLSFiles writes a throw-away TLS PKI for a loopback gateway: server
// and kiosk certificates with their CAs, as PEM files in dir.
func issueTLSFiles(t *testing.T, dir string) (server tls.Certificate, clientCAs *x509.CertPool) {
	t.Helper()
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if parent == nil {
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, k
	}
	ca := func(cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
		return mk(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour),
			NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	}
	leaf := func(cn string, eku x509.ExtKeyUsage, p *x509.Certificate, pk *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		return mk(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour),
			NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{eku}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
			KeyUsage: x509.KeyUsageDigitalSignature}, p, pk)
	}
	sca, sk := ca("gateway CA")
	cca, ck := ca("kiosk CA")
	sc, sck := leaf("gateway", x509.ExtKeyUsageServerAuth, sca, sk)
	cc, cck := leaf("kiosk", x509.ExtKeyUsageClientAuth, cca, ck)
	write := func(name, typ string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ckDER, _ := x509.MarshalPKCS8PrivateKey(cck)
	write("kiosk.crt", "CERTIFICATE", cc.Raw)
	write("kiosk.key", "PRIVATE KEY", ckDER)
	write("gateway-ca.crt", "CERTIFICATE", sca.Raw)
	clientCAs = x509.NewCertPool()
	clientCAs.AddCert(cca)
	return tls.Certificate{Certificate: [][]byte{sc.Raw}, PrivateKey: sck}, clientCAs
}

// kioskctl issue --issuer gateway against the reference gateway handler on
// loopback, mutual TLS, with the training CA of another data directory
// behind it (the gateway's), and the card trusting that issuer.
func TestIssueCommandGateway(t *testing.T) {
	gwData := issueDataDir(t) // the gateway's CA and issuer key
	ca, err := issue.OpenCA(gwData)
	if err != nil {
		t.Fatal(err)
	}
	tlsDir := t.TempDir()
	serverCert, clientCAs := issueTLSFiles(t, tlsDir)
	srv := httptest.NewUnstartedServer(issue.NewGatewayHandler(ca))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below is expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs}
	srv.StartTLS()
	defer srv.Close()

	kioskData := filepath.Join(t.TempDir(), "kiosk") // the kiosk's journal only
	vc, p, _ := withIssueCard(t, vcard.PersonaRenewable, gwData)
	args := []string{"issue", "--cert", "both", "--purpose", "renew", "--issuer", "gateway", "--data", kioskData,
		"--gateway-url", srv.URL, "--gateway-cert", filepath.Join(tlsDir, "kiosk.crt"), "--gateway-key", filepath.Join(tlsDir, "kiosk.key"),
		"--gateway-ca", filepath.Join(tlsDir, "gateway-ca.crt"), "--card-expiry", p.CardExpiry.Format(time.DateOnly), "--json"}
	code, out, errOut := runCLI(t, bothPINs, args...)
	if code != exitOK {
		t.Fatalf("issue via gateway: %d %s %s", code, out, errOut)
	}
	var res issueResult
	decode(t, out, &res)
	if res.Issuer != "gateway" || len(res.Certificates) != 2 || res.Certificates[1].NotAfter != expectedExpiry(p).String() {
		t.Fatalf("result %s", out)
	}
	cert, err := x509.ParseCertificate(vc.File(vcard.EFAuthCert))
	if err != nil || cert.SerialNumber.String() != res.Certificates[0].Serial {
		t.Fatalf("card auth certificate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(kioskData, issue.FileAuthCAKey)); err == nil {
		t.Error("the gateway issuer made a CA in the kiosk's data directory")
	}

	// Without the pinned CA file the command refuses before the card.
	bad := slices.Clone(args)
	bad[slices.Index(bad, "--gateway-ca")+1] = filepath.Join(tlsDir, "kiosk.key")
	if code, out, _ := runCLI(t, bothPINs, bad...); code != exitRefused || !strings.Contains(out, `"ISSUER_UNAVAILABLE"`) {
		t.Errorf("bad CA file: %d %s", code, out)
	}
}
