package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// testNow is a fixed date so that persona dates are stable in tests.
var testNow = time.Date(2026, time.March, 10, 10, 0, 0, 0, jst)

func mustPersona(t testing.TB, name string) *Persona {
	t.Helper()
	p, err := NewPersona(name, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newTestCard(t testing.TB, name string) *Card {
	t.Helper()
	return mustPersona(t, name).NewCard(Options{})
}

// h parses hex with spaces.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// tx sends an APDU given in hex and returns data and status word.
func tx(t testing.TB, c *Card, apdu string) ([]byte, uint16) {
	t.Helper()
	return txb(t, c, h(apdu))
}

func txb(t testing.TB, c *Card, apdu []byte) ([]byte, uint16) {
	t.Helper()
	r, err := c.Transmit(apdu)
	if err != nil {
		t.Fatalf("transmit % X: %v", apdu, err)
	}
	if len(r) < 2 {
		t.Fatalf("transmit % X: short response % X", apdu, r)
	}
	return r[:len(r)-2], uint16(r[len(r)-2])<<8 | uint16(r[len(r)-1])
}

const (
	selJPKI  = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
	selBasic = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
)

func selEF(id uint16) string {
	return "00 A4 02 0C 02 " + hex.EncodeToString([]byte{byte(id >> 8), byte(id)})
}

func verifyAPDU(pin string) []byte {
	return append([]byte{0x00, 0x20, 0x00, 0x80, byte(len(pin))}, pin...)
}

// readAll reads a certificate EF the way DESIGN.md section 4 says: size
// from the first 4 bytes, then chunks.
func readAll(t testing.TB, c *Card) ([]byte, uint16) {
	t.Helper()
	head, sw := tx(t, c, "00 B0 00 00 04")
	if sw != 0x9000 {
		return nil, sw
	}
	size := int(head[2])<<8 | int(head[3]) + 4
	var out []byte
	for off := 0; off < size; {
		n := min(size-off, 255)
		d, sw := txb(t, c, []byte{0, 0xB0, byte(off >> 8), byte(off), byte(n)})
		if sw != 0x9000 {
			return nil, sw
		}
		out = append(out, d...)
		off += n
	}
	return out, 0x9000
}

func TestSequences(t *testing.T) {
	type step struct {
		apdu string
		sw   uint16
	}
	tests := []struct {
		name    string
		persona string
		steps   []step
	}{
		{"select JPKI and token", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFToken), 0x9000}, {"00 B0 00 00 A0", 0x9000}}},
		{"EF before application", PersonaAdult, []step{{selEF(EFToken), 0x6A82}, {"00 B0 00 00 04", 0x6986}}},
		{"unknown AID", PersonaAdult, []step{{"00 A4 04 0C 05 A0 00 00 03 08", 0x6A82}}},
		{"select with FCI not supported", PersonaAdult, []step{{"00 A4 04 00 0A D3 92 F0 00 26 01 00 00 00 01", 0x6A86}}},
		{"unknown EF", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(0x1234), 0x6A82}}},
		{"unknown instruction", PersonaAdult, []step{{"00 FF 00 00", 0x6D00}}},
		{"bad class", PersonaAdult, []step{{"A0 B0 00 00 04", 0x6E00}}},
		{"secure messaging", PersonaAdult, []step{{"0C B0 00 00 04", 0x6882}}},
		{"chaining", PersonaAdult, []step{{"10 B0 00 00 04", 0x6884}}},
		{"malformed length", PersonaAdult, []step{{"00 A4 04 0C 0A D3 92", 0x6700}}},
		{"extended length", PersonaAdult, []step{{"00 B0 00 00 00 01 00", 0x6700}}},
		{"read token too long", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFToken), 0x9000}, {"00 B0 00 00 00", 0x6CA0}, {"00 B0 00 90 20", 0x6C10}, {"00 B0 00 A0 01", 0x6B00}}},
		{"read binary SFI", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 B0 86 00 04", 0x9000}, {"00 B0 00 00 04", 0x9000}}},
		{"read binary SFI of no EF", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 B0 9F 00 04", 0x6A82}, {"00 B0 A6 00 04", 0x6A86}}},
		{"read binary SFI individual number needs PIN", PersonaAdult, []step{{selBasic, 0x9000}, {"00 B0 81 00 04", 0x6982}}},
		{"select by AID prefix", PersonaAdult, []step{{"00 A4 04 0C 05 D3 92 10 00 31", 0x9000}, {selEF(EFBasicPIN), 0x9000}, {"00 A4 04 0C 03 D3 92 F0", 0x9000}, {selEF(EFToken), 0x9000}}},
		{"select by wrong AID prefix", PersonaAdult, []step{{"00 A4 04 0C 03 D3 92 11", 0x6A82}}},
		{"select EF with P1 00", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 A4 00 0C 02 00 06", 0x9000}, {"00 B0 00 00 04", 0x9000}}},
		{"availability", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAvail), 0x9000}, {"00 B0 00 00 03", 0x9000}}},
		{"read a PIN EF", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 B0 00 00 04", 0x6981}}},
		{"auth cert free", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthCert), 0x9000}, {"00 B0 00 00 04", 0x9000}}},
		{"sign cert needs PIN", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFSignCert), 0x9000}, {"00 B0 00 00 04", 0x6982},
			{selEF(EFSignPIN), 0x9000}, {"00 20 00 80 06 41 42 43 31 32 33", 0x9000}, {selEF(EFSignCert), 0x9000}, {"00 B0 00 00 04", 0x9000}}},
		{"retries then verify", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80", 0x63C3},
			{"00 20 00 80 04 39 39 39 39", 0x63C2}, {"00 20 00 80", 0x63C2}, {"00 20 00 80 04 31 32 33 34", 0x9000},
			{"00 20 00 80", 0x9000}}},
		{"lockout", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000},
			{"00 20 00 80 04 30 30 30 30", 0x63C2}, {"00 20 00 80 04 30 30 30 30", 0x63C1}, {"00 20 00 80 04 30 30 30 30", 0x63C0},
			{"00 20 00 80 04 31 32 33 34", 0x6984}, {"00 20 00 80", 0x63C0}}},
		{"auth locked persona", PersonaAuthLocked, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80", 0x63C0}, {"00 20 00 80 04 31 32 33 34", 0x6984}}},
		{"sign one try left", PersonaSignOneTryLeft, []step{{selJPKI, 0x9000}, {selEF(EFSignPIN), 0x9000}, {"00 20 00 80", 0x63C1},
			{"00 20 00 80 06 41 42 43 31 32 33", 0x9000}, {"00 20 00 80", 0x9000}, {"00 20 00 80 06 41 42 43 31 32 34", 0x63C4}}},
		{"sign locked persona", PersonaSignLocked, []step{{selJPKI, 0x9000}, {selEF(EFSignPIN), 0x9000}, {"00 20 00 80 06 41 42 43 31 32 33", 0x6984}}},
		{"verify without EF", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 20 00 80", 0x6986}}},
		{"verify on cert EF", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthCert), 0x9000}, {"00 20 00 80", 0x6981}}},
		{"verify via key EF", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthKey), 0x9000}, {"00 20 00 80", 0x63C3}}},
		{"verify wrong P2", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 A0", 0x6A86}, {"00 20 00 00", 0x6A86}}},
		{"verify by SFI", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 20 00 98", 0x63C3}, {"00 20 00 81", 0x6981}}},
		{"reselect other AP clears", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80 04 31 32 33 34", 0x9000},
			{selBasic, 0x9000}, {selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80", 0x63C3}}},
		{"reselect same AP clears", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80 04 31 32 33 34", 0x9000},
			{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80", 0x63C3}}},
		{"selecting an EF keeps", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80 04 31 32 33 34", 0x9000},
			{selEF(EFToken), 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80", 0x9000}}},
		{"change PIN needs verify", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 24 01 80 04 35 36 37 38", 0x6982},
			{"00 20 00 80 04 31 32 33 34", 0x9000}, {"00 24 01 80 03 35 36 37", 0x6A80}, {"00 24 01 80 04 35 36 37 38", 0x9000},
			{"00 20 00 80 04 31 32 33 34", 0x63C2}, {"00 20 00 80 04 35 36 37 38", 0x9000}}},
		{"change sign PIN format", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFSignPIN), 0x9000}, {"00 20 00 80 06 41 42 43 31 32 33", 0x9000},
			{"00 24 01 80 06 61 62 63 31 32 33", 0x6A80}, {"00 24 00 80 06 41 42 43 31 32 33", 0x6A86}, {"00 24 01 80 07 58 59 5A 39 38 37 36", 0x9000}}},
		{"sign needs PIN", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthKey), 0x9000}, {"80 2A 00 80 03 01 02 03 00", 0x6982}}},
		{"sign wrong class", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthKey), 0x9000}, {"00 2A 00 80 03 01 02 03 00", 0x6D00}}},
		{"sign without key EF", PersonaAdult, []step{{selJPKI, 0x9000}, {selEF(EFAuthPIN), 0x9000}, {"00 20 00 80 04 31 32 33 34", 0x9000}, {"80 2A 00 80 03 01 02 03 00", 0x6981}}},
		{"child has no signature EFs", PersonaChild, []step{{selJPKI, 0x9000}, {selEF(EFSignCert), 0x6A82}, {selEF(EFSignPIN), 0x6A82}, {selEF(EFSignKey), 0x6A82},
			{selEF(EFAuthCert), 0x9000}, {"00 B0 00 00 04", 0x9000}, {selEF(EFSignCA), 0x9000}}},
		{"juki has no auth EFs", PersonaJuki, []step{{selJPKI, 0x9000}, {selEF(EFAuthCert), 0x6A82}, {selEF(EFAuthPIN), 0x6A82}, {selEF(EFSignPIN), 0x9000}, {"00 20 00 80", 0x63C5}, {selBasic, 0x6A82}}},
		{"no-certs empty EFs", PersonaNoCerts, []step{{selJPKI, 0x9000}, {selEF(EFAuthCert), 0x9000}, {"00 B0 00 00 04", 0x6B00},
			{selEF(EFAuthKey), 0x9000}, {"00 20 00 80 04 31 32 33 34", 0x9000}, {"80 2A 00 80 03 01 02 03 00", 0x6A88}}},
		{"basic info needs PIN", PersonaAdult, []step{{selBasic, 0x9000}, {selEF(EFBasicInfo), 0x9000}, {"00 B0 00 00 04", 0x6982},
			{selEF(EFBasicNumber), 0x9000}, {"00 B0 00 00 0C", 0x6982}, {selEF(EFBasicPIN), 0x9000}, {"00 20 00 80", 0x63C3},
			{"00 20 00 80 04 31 32 33 34", 0x9000}, {selEF(EFBasicInfo), 0x9000}, {"00 B0 00 00 04", 0x9000}}},
		{"select MF leaves the AP", PersonaAdult, []step{{selJPKI, 0x9000}, {"00 A4 00 0C 02 3F 00", 0x9000}, {selEF(EFToken), 0x6A82}}},
		{"get response without pending", PersonaAdult, []step{{"00 C0 00 00 10", 0x6985}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t, tt.persona)
			for i, s := range tt.steps {
				if _, sw := tx(t, c, s.apdu); sw != s.sw {
					t.Fatalf("step %d %s: SW %04X, want %04X", i, s.apdu, sw, s.sw)
				}
			}
		})
	}
}

func TestToken(t *testing.T) {
	for _, tt := range []struct{ persona, label string }{{PersonaAdult, TokenMyNumber}, {PersonaJuki, TokenJuki}} {
		c := newTestCard(t, tt.persona)
		tx(t, c, selJPKI)
		tx(t, c, selEF(EFToken))
		d, sw := tx(t, c, "00 B0 00 00 A0")
		if sw != 0x9000 || len(d) != TokenSize {
			t.Fatalf("%s: token % X %04X", tt.persona, d, sw)
		}
		want := tt.label + strings.Repeat(" ", 32-len(tt.label))
		if string(d[:32]) != want {
			t.Errorf("%s: label %q, want %q", tt.persona, d[:32], want)
		}
		if got := string(d[SerialOffset : SerialOffset+SerialSize]); got != c.Serial() || len(strings.TrimSpace(got)) != SerialSize {
			t.Errorf("%s: serial %q, card says %q", tt.persona, got, c.Serial())
		}
		// A real card's CK_TOKEN_INFO: the manufacturerID is the same on every card.
		if got := strings.TrimSpace(string(d[32:64])); got != TokenManufacturer {
			t.Errorf("%s: manufacturerID %q", tt.persona, got)
		}
		if got := strings.TrimSpace(string(d[64:80])); got != TokenModel || d[99] != 0x0D {
			t.Errorf("%s: model %q flags % X", tt.persona, got, d[96:100])
		}
	}
}

func TestAvailability(t *testing.T) {
	for _, tt := range []struct {
		persona string
		want    string
		sw      uint16
	}{
		{PersonaAdult, "8F8F00", 0x9000}, {PersonaRenewable, "8F8F00", 0x9000},
		{PersonaChild, "008F00", 0x9000}, {PersonaNoCerts, "008F00", 0x9000},
		{PersonaJuki, "", 0x6A82}, // an old 住基カード has no EF 0008
	} {
		c := newTestCard(t, tt.persona)
		tx(t, c, selJPKI)
		if _, sw := tx(t, c, selEF(EFAvail)); sw != tt.sw {
			t.Fatalf("%s: select EF 0008: %04X, want %04X", tt.persona, sw, tt.sw)
		}
		if tt.sw != 0x9000 {
			continue
		}
		d, sw := tx(t, c, "00 B0 00 00 03")
		if got := fmt.Sprintf("%X", d); sw != 0x9000 || got != tt.want {
			t.Errorf("%s: EF 0008 = %s %04X, want %s", tt.persona, got, sw, tt.want)
		}
	}
}

// TestReadCertificates reads all four certificates and checks they chain.
func TestReadCertificates(t *testing.T) {
	p := mustPersona(t, PersonaAdult)
	c := p.NewCard(Options{})
	tx(t, c, selJPKI)
	read := func(ef uint16) *x509.Certificate {
		t.Helper()
		tx(t, c, selEF(ef))
		d, sw := readAll(t, c)
		if sw != 0x9000 {
			t.Fatalf("reading %04X: %04X", ef, sw)
		}
		cert, err := x509.ParseCertificate(d)
		if err != nil {
			t.Fatalf("parsing %04X: %v", ef, err)
		}
		return cert
	}
	auth, authCA := read(EFAuthCert), read(EFAuthCA)
	signCA := read(EFSignCA)
	tx(t, c, selEF(EFSignPIN))
	txb(t, c, verifyAPDU(defaultSignPIN))
	sign := read(EFSignCert)
	for _, pair := range []struct{ leaf, ca *x509.Certificate }{{auth, authCA}, {sign, signCA}} {
		if err := pair.leaf.CheckSignatureFrom(pair.ca); err != nil {
			t.Errorf("%s not signed by %s: %v", pair.leaf.Subject, pair.ca.Subject, err)
		}
	}
	if !bytes.Equal(auth.Raw, p.AuthCert.Raw) || !bytes.Equal(sign.Raw, p.SignCert.Raw) {
		t.Error("card certificates differ from the persona's")
	}
}

func TestComputeSignature(t *testing.T) {
	for _, tt := range []struct {
		key, pinEF uint16
		pin        string
	}{{EFAuthKey, EFAuthPIN, defaultAuthPIN}, {EFSignKey, EFSignPIN, defaultSignPIN}} {
		p := mustPersona(t, PersonaAdult)
		c := p.NewCard(Options{})
		tx(t, c, selJPKI)
		tx(t, c, selEF(tt.pinEF))
		if _, sw := txb(t, c, verifyAPDU(tt.pin)); sw != 0x9000 {
			t.Fatalf("verify: %04X", sw)
		}
		tx(t, c, selEF(tt.key))
		digest := sha256.Sum256([]byte("hello"))
		di := append(h("3031300d060960864801650304020105000420"), digest[:]...)
		apdu := append(append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...), 0x00)
		sig, sw := txb(t, c, apdu)
		if sw != 0x9000 || len(sig) != 256 {
			t.Fatalf("sign %04X: %04X, %d bytes", tt.key, sw, len(sig))
		}
		pub := &p.AuthKey.PublicKey
		if tt.key == EFSignKey {
			pub = &p.SignKey.PublicKey
		}
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Errorf("signature of %04X does not verify: %v", tt.key, err)
		}
		if _, sw := txb(t, c, append(apdu[:len(apdu)-1], 0x80)); sw != 0x6C00 {
			t.Errorf("sign with Le 0x80: %04X, want 6C00", sw)
		}
	}
}

func TestSessionCleared(t *testing.T) {
	for _, tt := range []struct {
		name string
		act  func(c *Card)
	}{
		{"reset", func(c *Card) { c.Reset() }},
		{"remove and insert", func(c *Card) { c.Remove(); c.Insert() }},
		{"other AP", func(c *Card) { c.Transmit(h(selBasic)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCard(t, PersonaAdult)
			tx(t, c, selJPKI)
			tx(t, c, selEF(EFAuthPIN))
			if _, sw := txb(t, c, verifyAPDU("1234")); sw != 0x9000 {
				t.Fatal(sw)
			}
			tt.act(c)
			tx(t, c, selJPKI)
			tx(t, c, selEF(EFAuthPIN))
			if _, sw := tx(t, c, "00 20 00 80"); sw != 0x63C3 {
				t.Errorf("after %s: %04X, want 63C3", tt.name, sw)
			}
		})
	}
}

func TestRemoveAndFaults(t *testing.T) {
	c := newTestCard(t, PersonaAdult)
	c.Remove()
	if _, err := c.Transmit(h(selJPKI)); !errors.Is(err, ErrNoCard) {
		t.Fatalf("removed card: %v", err)
	}
	c.Insert()
	c.SetFault(FailAt(c.APDUCount()+2, FaultRemoveBefore))
	if _, err := c.Transmit(h(selJPKI)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transmit(h(selEF(EFToken))); !errors.Is(err, ErrNoCard) || c.Present() {
		t.Fatalf("fault: %v, present %v", err, c.Present())
	}
	c.Insert()
	c.SetFault(FailAt(c.APDUCount()+1, FaultError))
	if _, err := c.Transmit(h(selJPKI)); !errors.Is(err, ErrFault) || !c.Present() {
		t.Fatalf("error fault: %v, present %v", err, c.Present())
	}
	// FaultRemoveAfter: the wrong PIN is counted although no answer came.
	c.SetFault(nil)
	tx(t, c, selJPKI)
	tx(t, c, selEF(EFAuthPIN))
	c.SetFault(FailAt(c.APDUCount()+1, FaultRemoveAfter))
	if _, err := c.Transmit(verifyAPDU("0000")); !errors.Is(err, ErrNoCard) {
		t.Fatalf("remove after: %v", err)
	}
	if n, _ := c.Retries(EFAuthPIN); n != 2 {
		t.Errorf("retries after pulled VERIFY: %d, want 2", n)
	}
}

func TestConcurrentTransmit(t *testing.T) {
	c := newTestCard(t, PersonaAdult)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := c.Transmit(h(selJPKI)); err != nil {
					t.Error(err)
				}
				c.Transmit(h(selEF(EFToken)))
				c.Transmit(h("00 B0 00 00 20"))
			}
		})
	}
	wg.Wait()
	if c.APDUCount() != 8*50*3 {
		t.Errorf("count %d", c.APDUCount())
	}
}

func TestErrNoCardIsCardRemoved(t *testing.T) {
	p, err := NewPersona("adult", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c := p.NewCard(Options{})
	c.Remove()
	_, err = c.Transmit([]byte{0x00, 0xA4, 0x04, 0x0C, 0x00})
	if !errors.Is(err, card.ErrCardRemoved) {
		t.Fatalf("Transmit on a removed card: %v, want card.ErrCardRemoved", err)
	}
}
