package card_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// Every operation of package card against the in-memory virtual card's
// personas (card/vcard).

var now = time.Now()

func persona(t testing.TB, name string) *vcard.Persona {
	t.Helper()
	p, err := vcard.NewPersona(name, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// open returns a Card over a fresh virtual card of the persona, the trace
// in between, and the virtual card.
func open(t testing.TB, name string, opts vcard.Options) (*card.Card, *card.Trace, *vcard.Card, *vcard.Persona) {
	t.Helper()
	p := persona(t, name)
	vc := p.NewCard(opts)
	tr := card.NewTrace(vc, 0)
	return card.New(tr), tr, vc, p
}

func TestVCardStatus(t *testing.T) {
	tests := []struct {
		persona  string
		typ      card.Type
		authCert bool
		retries  map[card.PIN]int
	}{
		{vcard.PersonaAdult, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 3, card.PINSign: 5, card.PINBasicInfo: 3}},
		{vcard.PersonaRenewable, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 3, card.PINSign: 5, card.PINBasicInfo: 3}},
		{vcard.PersonaExpired, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 3, card.PINSign: 5, card.PINBasicInfo: 3}},
		{vcard.PersonaChild, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 3, card.PINBasicInfo: 3}},
		{vcard.PersonaAuthLocked, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 0, card.PINSign: 5, card.PINBasicInfo: 3}},
		{vcard.PersonaSignOneTryLeft, card.TypeMyNumber, true, map[card.PIN]int{card.PINAuth: 3, card.PINSign: 1, card.PINBasicInfo: 3}},
		{vcard.PersonaJuki, card.TypeJuki, false, nil},
		{vcard.PersonaNoCerts, card.TypeMyNumber, false, map[card.PIN]int{card.PINAuth: 3, card.PINSign: 5, card.PINBasicInfo: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.persona, func(t *testing.T) {
			c, tr, vc, p := open(t, tt.persona, vcard.Options{})
			st, err := c.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.Type != tt.typ {
				t.Errorf("type %v, want %v", st.Type, tt.typ)
			}
			if (st.AuthCert != nil) != tt.authCert {
				t.Fatalf("auth cert %+v, want present=%v", st.AuthCert, tt.authCert)
			}
			if st.AuthCert != nil {
				if st.AuthCert.Serial.Cmp(p.AuthCert.SerialNumber) != 0 || !st.AuthCert.NotAfter.Equal(p.AuthCert.NotAfter) ||
					!st.AuthCert.NotBefore.Equal(p.AuthCert.NotBefore) {
					t.Errorf("auth cert %+v, want serial %v until %v", st.AuthCert, p.AuthCert.SerialNumber, p.AuthCert.NotAfter)
				}
			}
			if tt.retries != nil {
				if len(st.Retries) != len(tt.retries) {
					t.Errorf("retries %v, want %v", st.Retries, tt.retries)
				}
				for pin, n := range tt.retries {
					if got, ok := st.Retries[pin]; !ok || got != n {
						t.Errorf("retries[%v] = %d (%v), want %d", pin, got, ok, n)
					}
				}
			}
			if tt.typ == card.TypeJuki {
				if _, ok := st.Retries[card.PINAuth]; ok || st.Retries[card.PINSign] != 5 {
					t.Errorf("juki retries %v, want no auth PIN and 5 sign tries", st.Retries)
				}
			}
			t.Logf("%s: %d APDUs", tt.persona, tr.Count())
			if tr.Count() > 16 || vc.APDUCount() != tr.Count() {
				t.Errorf("status took %d APDUs (card counted %d), budget 16", tr.Count(), vc.APDUCount())
			}
		})
	}
}

func TestVCardCertificates(t *testing.T) {
	c, _, _, p := open(t, vcard.PersonaAdult, vcard.Options{})
	auth, err := c.ReadCertificate(card.CertAuth)
	if err != nil || !bytes.Equal(auth.Raw, p.AuthCert.Raw) {
		t.Fatalf("auth certificate: %v", err)
	}
	authCA, err := c.ReadCertificate(card.CertAuthCA)
	if err != nil || !bytes.Equal(authCA.Raw, p.AuthCA.Raw) {
		t.Fatalf("auth CA certificate: %v", err)
	}
	if err := auth.CheckSignatureFrom(authCA); err != nil {
		t.Errorf("auth certificate not signed by the auth CA read from the card: %v", err)
	}
	signCA, err := c.ReadCertificate(card.CertSignCA)
	if err != nil || !bytes.Equal(signCA.Raw, p.SignCA.Raw) {
		t.Fatalf("sign CA certificate: %v", err)
	}
	if _, err := c.ReadSignCertificate([]byte("ABC124")); !errors.Is(err, card.ErrWrongPIN) {
		t.Fatalf("sign certificate with a wrong PIN: %v", err)
	}
	sign, err := c.ReadSignCertificate([]byte("ABC123"))
	if err != nil || !bytes.Equal(sign.Raw, p.SignCert.Raw) {
		t.Fatalf("sign certificate: %v", err)
	}
	subj, err := card.ParseSignatureSubject(sign)
	if err != nil {
		t.Fatal(err)
	}
	want := card.SignatureSubject{Name: p.Holder.Name, Sex: p.Holder.Sex, Era: card.EraShowa,
		BirthDate: p.Holder.Birth.Format("20060102"), Address: p.Holder.Address}
	if *subj != want {
		t.Errorf("signature subject %+v, want %+v", *subj, want)
	}
}

func TestVCardIdentifyJuki(t *testing.T) {
	c, _, _, _ := open(t, vcard.PersonaJuki, vcard.Options{})
	// The 住基カード persona carries the My Number card's ATR: the type comes from the token.
	if typ, err := c.Identify(); err != nil || typ != card.TypeJuki {
		t.Fatalf("Identify = %v, %v", typ, err)
	}
	tok, err := c.ReadToken()
	if err != nil || tok.Label != vcard.TokenJuki || len(tok.Serial) != vcard.SerialSize {
		t.Fatalf("ReadToken = %+v, %v", tok, err)
	}
}

func TestVCardVerify(t *testing.T) {
	c, _, vc, _ := open(t, vcard.PersonaAdult, vcard.Options{})
	var pe *card.PINError
	if err := c.Verify(card.PINAuth, []byte("9999")); !errors.As(err, &pe) || pe.Retries != 2 {
		t.Fatalf("wrong auth PIN: %v", err)
	}
	if err := c.Verify(card.PINAuth, []byte("9999")); !errors.As(err, &pe) || pe.Retries != 1 {
		t.Fatalf("second wrong auth PIN: %v", err)
	}
	// One try left: refused without confirmation, and no try spent.
	if err := c.Verify(card.PINAuth, []byte("1234")); !errors.Is(err, card.ErrLastTry) {
		t.Fatalf("last try without confirmation: %v", err)
	}
	if n, _ := vc.Retries(vcard.EFAuthPIN); n != 1 {
		t.Fatalf("card counter %d after a refused last try, want 1", n)
	}
	if err := c.Verify(card.PINAuth, []byte("1234"), card.ConfirmLastTry()); err != nil {
		t.Fatalf("correct PIN on the last try: %v", err)
	}
	if n, err := c.Retries(card.PINAuth); err != nil || n != 3 {
		t.Fatalf("retries after a correct PIN: %d, %v", n, err)
	}
	if err := c.Verify(card.PINBasicInfo, []byte("1234")); err != nil {
		t.Fatalf("basic-info PIN: %v", err)
	}
	if err := c.Verify(card.PINSign, []byte("ABC123")); err != nil {
		t.Fatalf("sign PIN: %v", err)
	}
}

func TestVCardLockedAndLastTry(t *testing.T) {
	c, _, vc, _ := open(t, vcard.PersonaAuthLocked, vcard.Options{})
	if err := c.Verify(card.PINAuth, []byte("1234"), card.ConfirmLastTry()); !errors.Is(err, card.ErrAuthBlocked) {
		t.Fatalf("locked auth PIN: %v", err)
	}
	c, _, vc, _ = open(t, vcard.PersonaSignOneTryLeft, vcard.Options{})
	for _, op := range []func() error{
		func() error { return c.Verify(card.PINSign, []byte("XXX999")) },
		func() error { return c.ChangePIN(card.PINSign, []byte("XXX999"), []byte("NEW123")) },
		func() error { _, err := c.ReadSignCertificate([]byte("XXX999")); return err },
		func() error {
			_, err := c.Signer(card.KeySign, func() ([]byte, error) { return []byte("XXX999"), nil })
			return err
		},
	} {
		if err := op(); !errors.Is(err, card.ErrLastTry) {
			t.Errorf("operation on the last sign try: %v, want ErrLastTry", err)
		}
	}
	if n, _ := vc.Retries(vcard.EFSignPIN); n != 1 {
		t.Fatalf("sign counter %d, want 1 (no try spent)", n)
	}
	err := c.Verify(card.PINSign, []byte("XXX999"), card.ConfirmLastTry())
	if !errors.Is(err, card.ErrAuthBlocked) || !errors.Is(err, card.ErrWrongPIN) {
		t.Fatalf("wrong PIN on the confirmed last try: %v", err)
	}
}

func TestVCardChangePIN(t *testing.T) {
	c, _, _, _ := open(t, vcard.PersonaAdult, vcard.Options{})
	if err := c.ChangePIN(card.PINAuth, []byte("1234"), []byte("4321")); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangePIN(card.PINSign, []byte("ABC123"), []byte("KIOSK2025")); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(card.PINAuth, []byte("4321")); err != nil {
		t.Errorf("new auth PIN: %v", err)
	}
	if err := c.Verify(card.PINSign, []byte("KIOSK2025")); err != nil {
		t.Errorf("new sign PIN: %v", err)
	}
	if err := c.Verify(card.PINAuth, []byte("1234")); !errors.Is(err, card.ErrWrongPIN) {
		t.Errorf("old auth PIN still accepted: %v", err)
	}
	// The card refuses a new PIN outside its format (auth: 4 digits).
	if err := c.ChangePIN(card.PINAuth, []byte("4321"), []byte("12AB")); !errors.Is(err, card.ErrWrongData) {
		t.Errorf("change to a malformed PIN: %v, want ErrWrongData", err)
	}
}

func TestVCardSigner(t *testing.T) {
	c, _, _, p := open(t, vcard.PersonaAdult, vcard.Options{})
	calls := 0
	pinFn := func(pin string) card.PINFunc {
		return func() ([]byte, error) { calls++; return []byte(pin), nil }
	}
	for _, k := range []struct {
		key  card.Key
		pin  string
		cert *x509.Certificate
	}{{card.KeyAuth, "1234", p.AuthCert}, {card.KeySign, "ABC123", p.SignCert}} {
		calls = 0
		s, err := c.Signer(k.key, pinFn(k.pin))
		if err != nil {
			t.Fatalf("%v signer: %v", k.key, err)
		}
		if !bytes.Equal(s.Certificate().Raw, k.cert.Raw) {
			t.Errorf("%v signer holds the wrong certificate", k.key)
		}
		for _, hash := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			hh := hash.New()
			hh.Write([]byte("申請書"))
			digest := hh.Sum(nil)
			sig, err := s.Sign(nil, digest, hash)
			if err != nil {
				t.Fatalf("%v %v: %v", k.key, hash, err)
			}
			if err := rsa.VerifyPKCS1v15(s.Public().(*rsa.PublicKey), hash, digest, sig); err != nil {
				t.Errorf("%v %v: signature does not verify: %v", k.key, hash, err)
			}
		}
		if calls != 1 {
			t.Errorf("%v: PIN asked %d times, want once per card session", k.key, calls)
		}
		if _, err := s.Sign(nil, make([]byte, 32), &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, card.ErrNotSupported) {
			t.Errorf("PSS: %v, want ErrNotSupported", err)
		}
	}
}

func TestVCardBasicInfo(t *testing.T) {
	c, tr, _, p := open(t, vcard.PersonaAdult, vcard.Options{})
	if _, err := c.ReadBasicInfo([]byte("0000")); !errors.Is(err, card.ErrWrongPIN) {
		t.Fatalf("wrong basic-info PIN: %v", err)
	}
	info, err := c.ReadBasicInfo([]byte("1234"))
	if err != nil {
		t.Fatal(err)
	}
	want := card.BasicInfo{Name: p.Holder.Name, Address: p.Holder.Address,
		BirthDate: p.Holder.Birth.Format("20060102"), Sex: p.Holder.Sex}
	if *info != want {
		t.Errorf("basic info %+v, want %+v", *info, want)
	}
	for _, e := range tr.Entries() {
		if bytes.Contains([]byte(e.Response), []byte(hexOf(p.Holder.Birth.Format("20060102")))) {
			t.Errorf("trace holds the birth date: %s", e.Response)
		}
	}
}

func hexOf(s string) string {
	const digits = "0123456789ABCDEF"
	var b []byte
	for i := range len(s) {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[s[i]>>4], digits[s[i]&0xF])
	}
	return string(b)
}

var (
	keyOnce sync.Once
	newKey  *rsa.PrivateKey
)

func cardKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { newKey, _ = rsa.GenerateKey(rand.Reader, 2048) })
	return newKey, nil
}

// issuerAuth runs GET CHALLENGE and EXTERNAL AUTHENTICATE with the issuer key.
func issuerAuth(t *testing.T, c *card.Card, issuer *ecdsa.PrivateKey) {
	t.Helper()
	tok, err := c.ReadToken()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.GetChallenge()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ecdsa.SignASN1(rand.Reader, issuer, vcard.IssuerAuthDigest(ch, tok.Serial))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ExternalAuthenticate(sig); err != nil {
		t.Fatalf("issuer authentication: %v", err)
	}
}

// The issuance commands, as an issuer would drive them, on an empty card.
func TestVCardIssuance(t *testing.T) {
	issuer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, _, vc, _ := open(t, vcard.PersonaNoCerts, vcard.Options{IssuerKey: &issuer.PublicKey, KeyGen: cardKey})

	if _, err := c.GenerateKeyPair(card.KeyAuth); !errors.Is(err, card.ErrSecurityStatus) {
		t.Fatalf("key generation without issuer authentication: %v, want ErrSecurityStatus", err)
	}
	if err := c.SelectJPKI(); err != nil {
		t.Fatal(err)
	}
	// A bad signature is refused.
	if _, err := c.GetChallenge(); err != nil {
		t.Fatal(err)
	}
	if err := c.ExternalAuthenticate([]byte{0x30, 0x00}); !errors.Is(err, card.ErrSecurityStatus) {
		t.Fatalf("bad issuer signature: %v", err)
	}
	issuerAuth(t, c, issuer)
	pub, err := c.GenerateKeyPair(card.KeyAuth)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(vc.PublicKey(vcard.EFAuthKey)) {
		t.Fatal("public key from 7F49 differs from the card's key")
	}
	if _, err := c.ReadCertificate(card.CertAuth); !errors.Is(err, card.ErrNoCertificate) {
		t.Fatalf("pending certificate: %v, want ErrNoCertificate", err)
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "training CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(20250401), Subject: pkix.Name{CommonName: "auth"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCertificate(card.CertAuth, der); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetRetryCounter(card.PINAuth, []byte("5678")); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status()
	if err != nil || st.AuthCert == nil || st.AuthCert.Serial.Int64() != 20250401 || st.Retries[card.PINAuth] != 3 {
		t.Fatalf("status after issuance: %+v, %v", st, err)
	}
	s, err := c.Signer(card.KeyAuth, func() ([]byte, error) { return []byte("5678"), nil })
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("login"))
	sig, err := s.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature with the new key: %v", err)
	}
	if err := c.WriteCertificate(card.CertAuthCA, der); !errors.Is(err, card.ErrWrongParameters) {
		t.Errorf("writing a CA file: %v", err)
	}
	if err := c.ResetRetryCounter(card.PINBasicInfo, []byte("1234")); !errors.Is(err, card.ErrWrongParameters) {
		t.Errorf("resetting the basic-info PIN: %v", err)
	}
}

// BenchmarkStatus measures Card.Status on the in-memory virtual card (no
// PC/SC): the package's own cost, and the APDUs per status check.
func BenchmarkStatus(b *testing.B) {
	vc := persona(b, vcard.PersonaAdult).NewCard(vcard.Options{})
	tr := card.NewTrace(vc, 1)
	c := card.New(tr)
	for b.Loop() {
		if _, err := c.Status(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(tr.Count())/float64(b.N), "apdus/op")
}
