package jlis

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"
)

// The SHA-256 fingerprints published with the roots (../shared/jlis-roots/README.md).
var fingerprints = map[string]string{
	"auth_ca_2015.pem": "4D:CF:C4:CA:0A:AF:9F:B2:A3:08:1B:3F:0C:99:1C:32:0B:3A:CC:00:86:67:A3:41:EE:AE:C5:AF:1D:58:CA:7D",
	"auth_ca_2023.pem": "64:11:4F:29:62:0C:24:ED:26:31:D4:64:76:A0:40:E7:EE:74:0D:95:60:89:C0:0B:03:6A:6A:81:18:C3:22:B5",
	"sign_ca_2015.pem": "19:64:54:05:A1:FE:14:37:74:34:BD:55:95:76:28:AC:40:38:55:7C:54:24:03:A2:24:3F:21:C7:06:FC:93:55",
	"sign_ca_2023.pem": "D2:27:F6:CD:E1:1D:35:C5:25:21:78:F1:06:F8:43:D2:46:51:94:49:75:41:3B:53:9F:A2:FB:68:DB:FA:36:5F",
}

func TestRootFingerprints(t *testing.T) {
	roots := Roots()
	if len(roots) != len(fingerprints) {
		t.Fatalf("%d roots embedded, want %d", len(roots), len(fingerprints))
	}
	for _, r := range roots {
		sum := sha256.Sum256(r.Cert.Raw)
		got := strings.ToUpper(hex.EncodeToString(sum[:]))
		want := strings.ReplaceAll(fingerprints[r.File], ":", "")
		if got != want {
			t.Errorf("%s: fingerprint %s, want %s", r.File, got, want)
		}
		wantGen := 2015
		if strings.Contains(r.File, "2023") {
			wantGen = 2023
		}
		if r.Generation != wantGen || !r.Cert.IsCA {
			t.Errorf("%s: generation %d IsCA %v", r.File, r.Generation, r.Cert.IsCA)
		}
	}
}

var jlisName = pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI"},
	OrganizationalUnit: []string{"JPKI for user authentication", "Japan Agency for Local Authority Information Systems"}}

func newCA(t *testing.T, name pkix.Name) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: name, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestCheck(t *testing.T) {
	testRoot, testKey := newCA(t, jlisName)
	imitation, imitationKey := newCA(t, jlisName) // same names, another key
	training, trainingKey := newCA(t, pkix.Name{CommonName: "training CA"})
	k := Checker{Roots: []Root{{File: "test", Cert: testRoot, Generation: 2023}}, Training: []*x509.Certificate{training}}
	for _, c := range []struct {
		name string
		cert *x509.Certificate
		want Result
	}{
		{"signed by the root", leaf(t, testRoot, testKey), Result{JLIS, 2023}},
		{"names copied from J-LIS", leaf(t, imitation, imitationKey), Result{Verdict: NotJLIS}},
		{"training CA", leaf(t, training, trainingKey), Result{Verdict: Training}},
		{"the root itself is not a card certificate of another root", imitation, Result{Verdict: NotJLIS}},
		{"nil", nil, Result{Verdict: NotJLIS}},
	} {
		if got := k.Check(c.cert); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	if got := k.CheckDER([]byte{0x30, 0x03, 1, 2, 3}); got.Verdict != NotJLIS {
		t.Errorf("garbage: %+v", got)
	}
	// The embedded production roots do not accept the test leaf.
	if got := Default(training).Check(leaf(t, testRoot, testKey)); got.Verdict != NotJLIS {
		t.Errorf("production roots accepted a test certificate: %+v", got)
	}
	if s := (Result{JLIS, 2023}).String(); s != "J-LIS (2023)" {
		t.Errorf("String %q", s)
	}
}
