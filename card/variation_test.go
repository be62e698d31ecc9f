package card

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// variationCert makes a certificate (ECDSA, so quickly) whose issuer name
// is long enough to push the validity past the first 255 bytes when long.
func variationCert(t *testing.T, long bool, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issuer := pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI"}}
	if long {
		issuer.OrganizationalUnit = []string{strings.Repeat("Japan Agency for Local Authority Information Systems ", 5)}
	}
	serial := new(big.Int).Lsh(big.NewInt(1), 150) // a 20-byte serial
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "x"}, Issuer: issuer,
		NotBefore: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter}
	parent := &x509.Certificate{Subject: issuer, SerialNumber: big.NewInt(1)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func hx(b []byte) string { return hex.EncodeToString(b) }

// statusSteps is the APDU script of Card.Status on a My Number card, with
// the auth certificate reads and the PIN answers given.
func statusSteps(certReads []step, auth, sign, basic []step) []step {
	s := []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok}, {cmd: "00 B0 00 00 A0", resp: tokenResp(tokenMyNumber)}}
	s = append(s, availBoth...)
	s = append(s, step{cmd: selAuthCrt, resp: ok})
	s = append(s, certReads...)
	s = append(s, auth...)
	s = append(s, sign...)
	return append(s, basic...)
}

func pinSteps(sel string, answer string) []step {
	return []step{{cmd: sel, resp: ok}, {cmd: verifyNone, resp: answer}}
}

func TestStatusRealCardVariations(t *testing.T) {
	notAfter := time.Date(2031, 8, 20, 14, 59, 59, 0, time.UTC)
	short := variationCert(t, false, notAfter)
	long := variationCert(t, true, notAfter)
	// GeneralizedTime (after 2049) instead of UTCTime.
	gen := variationCert(t, false, time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(long) < 300 {
		t.Fatalf("long certificate of %d bytes", len(long))
	}
	if _, err := ParseCertPrefix(long[:255]); err == nil {
		t.Fatal("the long certificate's validity fits the first chunk: the test proves nothing")
	}
	read := func(off, n int, der []byte) step {
		cmd := Command{INS: INSReadBinary, P1: byte(off >> 8), P2: byte(off), Le: n}
		b, _ := cmd.Bytes()
		end := min(off+n, len(der))
		return step{cmd: hx(b), resp: hx(der[off:end]) + "9000"}
	}
	authOK, signOK := pinSteps(selAuthPIN, "63C3"), pinSteps(selSignPIN, "63C5")
	basicOK := append([]step{{cmd: selBasic, resp: ok}}, pinSteps(selBasicPN, "63C3")...)
	tests := []struct {
		name        string
		steps       []step
		wantAfter   time.Time
		noCert      bool
		wantRetries map[PIN]int
	}{
		{name: "usual", steps: statusSteps([]step{read(0, 255, short)}, authOK, signOK, basicOK),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "validity past the first chunk", steps: statusSteps([]step{read(0, 255, long), read(255, min(255, len(long)-255), long)}, authOK, signOK, basicOK),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "GeneralizedTime", steps: statusSteps([]step{read(0, 255, gen)}, authOK, signOK, basicOK),
			wantAfter: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "short reads continue from the new offset", steps: statusSteps([]step{
			{cmd: "00 B0 00 00 FF", resp: hx(long[:100]) + "9000"},
			read(100, 255, long), read(355, min(255, len(long)-355), long)}, authOK, signOK, basicOK),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "6Cxx on READ BINARY", steps: statusSteps([]step{
			{cmd: "00 B0 00 00 FF", resp: "6CC8"},
			{cmd: "00 B0 00 00 C8", resp: hx(short[:200]) + "9000"}}, authOK, signOK, basicOK),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "locked PINs as 6984, 6983, 63C0", steps: statusSteps([]step{read(0, 255, short)},
			pinSteps(selAuthPIN, "6984"), pinSteps(selSignPIN, "6983"), append([]step{{cmd: selBasic, resp: ok}}, pinSteps(selBasicPN, "63C0")...)),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 0, PINSign: 0, PINBasicInfo: 0}},
		{name: "absent PINs as 6A88 and 6A82, verified as 9000", steps: statusSteps([]step{read(0, 255, short)},
			pinSteps(selAuthPIN, "9000"), pinSteps(selSignPIN, "6A88"), []step{{cmd: selBasic, resp: "6A82"}}),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3}},
		{name: "sign PIN EF missing", steps: statusSteps([]step{read(0, 255, short)},
			authOK, []step{{cmd: selSignPIN, resp: "6A82"}}, basicOK),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINBasicInfo: 3}},
		{name: "empty cert EF answering 6282 with no data", steps: statusSteps([]step{{cmd: "00 B0 00 00 FF", resp: "6282"}}, authOK, signOK, basicOK),
			noCert: true, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "empty cert EF of FF bytes", steps: statusSteps([]step{{cmd: "00 B0 00 00 FF", resp: strings.Repeat("FF", 255) + "9000"}}, authOK, signOK, basicOK),
			noCert: true, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
		{name: "SELECT answering FCI through 61xx", steps: append([]step{
			{cmd: selJPKI, resp: "6112"}, {cmd: "00 C0 00 00 12", resp: "6F10840AD392F00026010000000100000000" + "9000"},
			{cmd: selToken, resp: "6F00 9000"}, {cmd: "00 B0 00 00 A0", resp: tokenResp(tokenMyNumber + "\x00\x00")},
			{cmd: selAvail, resp: "6A82"},
			{cmd: selAuthCrt, resp: ok}, read(0, 255, short)}, append(append(authOK, signOK...), basicOK...)...),
			wantAfter: notAfter, wantRetries: map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newScript(t, tc.steps...)
			st, err := New(s).Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.Type != TypeMyNumber {
				t.Errorf("type %v", st.Type)
			}
			switch {
			case tc.noCert && st.AuthCert != nil:
				t.Errorf("auth cert %+v, want none", st.AuthCert)
			case !tc.noCert && (st.AuthCert == nil || !st.AuthCert.NotAfter.Equal(tc.wantAfter)):
				t.Errorf("auth cert %+v, want not after %v", st.AuthCert, tc.wantAfter)
			}
			if len(st.Retries) != len(tc.wantRetries) {
				t.Errorf("retries %v, want %v", st.Retries, tc.wantRetries)
			}
			for p, n := range tc.wantRetries {
				if got, ok := st.Retries[p]; !ok || got != n {
					t.Errorf("%s retries %d (%v), want %d", p, got, ok, n)
				}
			}
			if len(tc.steps) > 16 {
				t.Errorf("%d APDUs, budget 16", len(tc.steps))
			}
		})
	}
}

func TestCertLengthForms(t *testing.T) {
	for _, tc := range []struct {
		hdr  string
		want int
	}{{"30 7F", 0x81}, {"30 81 F0", 0xF3}, {"30 82 04 A0", 0x4A4}, {"30 83 00 04 A0", 0x4A5}} {
		if n, err := CertLength(h(tc.hdr)); err != nil || n != tc.want {
			t.Errorf("%s: %d %v, want %d", tc.hdr, n, err, tc.want)
		}
	}
	for _, bad := range []string{"FF FF", "00 00"} {
		if _, err := CertLength(h(bad)); !errors.Is(err, ErrNoCertificate) {
			t.Errorf("%s: %v, want ErrNoCertificate", bad, err)
		}
	}
	if _, err := CertLength(h("30 84 00 00 04 A0")); !errors.Is(err, ErrMalformed) {
		t.Errorf("30 84: %v", err)
	}
}
