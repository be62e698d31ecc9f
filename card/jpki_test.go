package card

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  Type
	}{
		{"my number card", []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok},
			{cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN2")}}, TypeMyNumber},
		{"juki card", []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok},
			{cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN")}}, TypeJuki},
		{"other token", []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok},
			{cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN3")}}, TypeUnknown},
		{"no jpki application", []step{{cmd: selJPKI, resp: "6A 82"}}, TypeUnknown},
		{"no token", []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: "6A 82"}}, TypeUnknown},
		{"short token", []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok},
			{cmd: "00 B0 00 00 A0", resp: "4A 50 90 00"}}, TypeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(newScript(t, tt.steps...)).Identify()
			if err != nil || got != tt.want {
				t.Fatalf("Identify = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseToken(t *testing.T) {
	tok, err := ParseToken(h(tokenRespSerial("JPKIAPICCTOKEN2", "0000000020500003"))[:160])
	if err != nil || tok.Label != "JPKIAPICCTOKEN2" || string(tok.Serial) != "0000000020500003" || tok.Type() != TypeMyNumber ||
		tok.ManufacturerID != "0000000000000001" || tok.Model != "E16R01NJ" || tok.Flags != 0x0000040D {
		t.Fatalf("ParseToken = %+v, %v", tok, err)
	}
	for label, want := range map[string]Type{"JPKIAPGPSETOKEN": TypeSmartphone, "JPKIAPIOSTOKEN": TypeSmartphone,
		"JPKIAPICCTOKEN": TypeJuki, "JPKIAPICCTOKEN3": TypeUnknown} {
		tok, err := ParseToken(h(tokenResp(label))[:160])
		if err != nil || tok.Type() != want {
			t.Errorf("%s: %v, %v; want %v", label, tok, err, want)
		}
	}
	if _, err := ParseToken(make([]byte, 95)); !errors.Is(err, ErrMalformed) {
		t.Errorf("95-byte token: %v", err)
	}
	if tok, err := ParseToken(h(tokenResp("JPKIAPICCTOKEN2"))[:96]); err != nil || tok.Flags != 0 {
		t.Errorf("96-byte token: %+v %v", tok, err)
	}
}

// TestCardRef: two cards that differ only in the token's serialNumber (and
// share the manufacturerID, as all real cards do) have different
// references; a card's reference is stable; the auth serial wins.
func TestCardRef(t *testing.T) {
	status := func(serial string, withCert bool) *Status {
		t.Helper()
		steps := []step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok},
			{cmd: "00 B0 00 00 A0", resp: tokenRespSerial("JPKIAPICCTOKEN2", serial)},
			{cmd: selAvail, resp: ok}, {cmd: readAvail, resp: "008F00 9000"}}
		if withCert {
			steps = append(steps, step{cmd: selAuthCrt, resp: ok})
			steps = append(steps, readSteps(testCert(t, 0x2A))[:1]...)
		} else {
			steps = append(steps, step{cmd: selAuthCrt, resp: "6A82"})
		}
		steps = append(steps, step{cmd: selAuthPIN, resp: "6A82"}, step{cmd: selSignPIN, resp: "6A82"}, step{cmd: selBasic, resp: "6A82"})
		st, err := New(newScript(t, steps...)).Status()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a, a2, b := status("0000000020500003", false), status("0000000020500003", false), status("0000000020500004", false)
	if a.Ref == "" || a.Ref != a2.Ref || a.Ref == b.Ref {
		t.Errorf("refs %q %q %q: want stable and distinct", a.Ref, a2.Ref, b.Ref)
	}
	if !a.NoSignCert() || a.Avail != AvailNoSign {
		t.Errorf("availability %v", a.Avail)
	}
	for _, r := range []string{a.Ref, b.Ref} {
		if strings.Contains(r, "0000000000000001") || strings.Contains(r, "2050000") {
			t.Errorf("ref %q shows the token", r)
		}
	}
	if c := status("0000000020500003", true); c.Ref != "auth:2a" {
		t.Errorf("ref with an auth cert %q", c.Ref)
	}
	if r := TokenRef(&Token{Serial: []byte("                ")}); r != "" {
		t.Errorf("blank serial ref %q", r)
	}
}

func TestParseAvailability(t *testing.T) {
	for in, want := range map[string]Availability{"8F8F00": AvailBoth, "008F00": AvailNoSign, "000000": AvailUnknown,
		"8F8F": AvailUnknown, "8F8F0000": AvailUnknown, "": AvailUnknown, "8F0000": AvailUnknown} {
		if got := ParseAvailability(h(in)); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
}

func TestStatusSmartphone(t *testing.T) {
	for _, label := range []string{"JPKIAPGPSETOKEN", "JPKIAPIOSTOKEN"} {
		st, err := New(newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: selToken, resp: ok},
			step{cmd: "00 B0 00 00 A0", resp: tokenRespSerial(label, "PHONE00000000001")})).Status()
		if err != nil || st.Type != TypeSmartphone || st.Type.String() != "smartphone" || st.Ref == "" {
			t.Errorf("%s: %+v %v", label, st, err)
		}
	}
}

// testCert makes a small certificate (ECDSA keeps it under 512 bytes).
func testCert(t testing.TB, serial int64) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "test", Country: []string{"JP"}},
		NotBefore:    time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2029, 4, 12, 14, 59, 59, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// readSteps are the READ BINARY commands for a file of that content.
func readSteps(content []byte) []step {
	var steps []step
	for off := 0; off < len(content); off += 255 {
		n := min(255, len(content)-off)
		cmd := fmt.Sprintf("00 B0 %02X %02X %02X", off>>8, off&0xFF, n)
		if off == 0 && n < 255 {
			cmd = "00 B0 00 00 FF"
			steps = append(steps, step{cmd: cmd, resp: fmt.Sprintf("6C %02X", n)})
			cmd = fmt.Sprintf("00 B0 %02X %02X %02X", off>>8, off&0xFF, n)
		}
		steps = append(steps, step{cmd: cmd, resp: hex.EncodeToString(content[off:off+n]) + "9000"})
	}
	return steps
}

func TestReadCertificate(t *testing.T) {
	der := testCert(t, 4242)
	steps := append([]step{{cmd: selJPKI, resp: ok}, {cmd: selAuthCrt, resp: ok}}, readSteps(der)...)
	cert, err := New(newScript(t, steps...)).ReadCertificate(CertAuth)
	if err != nil || cert.SerialNumber.Int64() != 4242 {
		t.Fatalf("ReadCertificate = %v, %v", cert, err)
	}
}

func TestReadCertificateAbsent(t *testing.T) {
	tests := map[string][]step{
		"file not found": {{cmd: selJPKI, resp: ok}, {cmd: selAuthCrt, resp: "6A 82"}},
		"pending":        {{cmd: selJPKI, resp: ok}, {cmd: selAuthCrt, resp: ok}, {cmd: "00 B0 00 00 FF", resp: "69 85"}},
		"empty file":     {{cmd: selJPKI, resp: ok}, {cmd: selAuthCrt, resp: ok}, {cmd: "00 B0 00 00 FF", resp: "6B 00"}},
		"erased file":    {{cmd: selJPKI, resp: ok}, {cmd: selAuthCrt, resp: ok}, {cmd: "00 B0 00 00 FF", resp: "FF FF FF FF 90 00"}},
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := New(newScript(t, steps...)).ReadCertificate(CertAuth)
			if !errors.Is(err, ErrNoCertificate) {
				t.Fatalf("ReadCertificate = %v, want ErrNoCertificate", err)
			}
		})
	}
	if _, err := New(newScript(t)).ReadCertificate(CertSign); !errors.Is(err, ErrSecurityStatus) {
		t.Errorf("ReadCertificate(CertSign) = %v, want ErrSecurityStatus without any APDU", err)
	}
}

func TestCertLength(t *testing.T) {
	tests := []struct {
		hdr  string
		want int
		err  error
	}{
		{"30 82 04 D2", 0x04D2 + 4, nil},
		{"30 82 01 07", 0x0107 + 4, nil},
		{"30 81 F0", 0xF0 + 3, nil},
		{"30 10", 0x12, nil},
		{"30 82 10 00", 0, ErrMalformed},
		{"30 83 00 01 00", 0x100 + 5, nil}, // BER long form with three length bytes, as some cards write
		{"30 84 00 00 01 00", 0, ErrMalformed},
		{"30 83 00 01", 0, ErrMalformed},
		{"30 82 01", 0, ErrMalformed},
		{"30", 0, ErrMalformed},
		{"FF FF FF FF", 0, ErrNoCertificate},
		{"00 00 00 00", 0, ErrNoCertificate},
	}
	for _, tt := range tests {
		n, err := CertLength(h(tt.hdr))
		if n != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("CertLength(%s) = %d, %v; want %d, %v", tt.hdr, n, err, tt.want, tt.err)
		}
	}
}

func TestParseCertPrefix(t *testing.T) {
	der := testCert(t, 77)
	cert, _ := x509.ParseCertificate(der)
	for _, n := range []int{len(der), 255, 200} {
		info, err := ParseCertPrefix(der[:min(n, len(der))])
		if err != nil {
			t.Fatalf("prefix of %d: %v", n, err)
		}
		if info.Serial.Int64() != 77 || !info.NotBefore.Equal(cert.NotBefore) || !info.NotAfter.Equal(cert.NotAfter) {
			t.Errorf("prefix of %d: %+v", n, info)
		}
	}
	if _, err := ParseCertPrefix(der[:40]); !errors.Is(err, ErrMalformed) {
		t.Errorf("prefix of 40 bytes: %v, want ErrMalformed", err)
	}
}

// Status reads token, the start of the auth certificate and three retry
// counters: 12 APDUs with a certificate whose validity is in its first 255 bytes.
func TestStatusAPDUs(t *testing.T) {
	der := testCert(t, 123456789)
	if len(der) <= 255 {
		t.Fatalf("test certificate of %d bytes should need two reads", len(der))
	}
	steps := []step{
		{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok}, {cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN2")},
		availBoth[0], availBoth[1],
		{cmd: selAuthCrt, resp: ok}, {cmd: "00 B0 00 00 FF", resp: hex.EncodeToString(der[:255]) + "9000"},
		{cmd: selAuthPIN, resp: ok}, {cmd: verifyNone, resp: "63 C3"},
		{cmd: selSignPIN, resp: ok}, {cmd: verifyNone, resp: "63 C1"},
		{cmd: selBasic, resp: ok}, {cmd: selBasicPN, resp: ok}, {cmd: verifyNone, resp: "69 84"},
	}
	tr := NewTrace(newScript(t, steps...), 0)
	st, err := New(tr).Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != TypeMyNumber || st.AuthCert == nil || st.AuthCert.Serial.Int64() != 123456789 {
		t.Errorf("Status = %+v", st)
	}
	want := map[PIN]int{PINAuth: 3, PINSign: 1, PINBasicInfo: 0}
	for p, n := range want {
		if st.Retries[p] != n {
			t.Errorf("retries %v = %d, want %d", p, st.Retries[p], n)
		}
	}
	if st.Avail != AvailBoth || st.Ref != "auth:75bcd15" {
		t.Errorf("Status availability %v ref %q", st.Avail, st.Ref)
	}
	if tr.Count() != 14 || tr.Count() > 16 {
		t.Errorf("Status used %d APDUs, want 14 (budget 16)", tr.Count())
	}
}

func TestStatusJukiWithoutBasicInfo(t *testing.T) {
	steps := []step{
		{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok}, {cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN")},
		{cmd: selAvail, resp: "6A 82"}, // an old card without EF 0008: unknown, no error
		{cmd: selAuthCrt, resp: "6A 82"},
		{cmd: selAuthPIN, resp: "6A 82"},
		{cmd: selSignPIN, resp: ok}, {cmd: verifyNone, resp: "63 C5"},
		{cmd: selBasic, resp: "6A 82"},
	}
	st, err := New(newScript(t, steps...)).Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != TypeJuki || st.AuthCert != nil || len(st.Retries) != 1 || st.Retries[PINSign] != 5 || st.Avail != AvailUnknown || st.NoSignCert() {
		t.Errorf("Status = %+v", st)
	}
}

func TestStatusUnknownCard(t *testing.T) {
	st, err := New(newScript(t, step{cmd: selJPKI, resp: "6A 82"})).Status()
	if err != nil || st.Type != TypeUnknown || st.AuthCert != nil || len(st.Retries) != 0 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
}

// The guard refuses to select EF 0001 in the basic-info application.
func TestPrivacyGuard(t *testing.T) {
	c := New(newScript(t, step{cmd: selBasic, resp: ok}))
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.selectApp(appBasicInfo); err != nil {
		t.Fatal(err)
	}
	if err := c.selectEF(efIndividNo); !errors.Is(err, ErrPrivacy) {
		t.Fatalf("selectEF(0001) in basic-info = %v, want ErrPrivacy", err)
	}
}
