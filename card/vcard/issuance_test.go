package vcard

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"testing"
)

// issuer is a test issuer: its key, and the card set up to trust it.
type issuer struct {
	key *ecdsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &issuer{key: k}
}

// poolKeyGen hands out pool keys so that tests need no key generation.
func poolKeyGen(t testing.TB, i int) func() (*rsa.PrivateKey, error) {
	return func() (*rsa.PrivateKey, error) { return poolKey(i) }
}

// authenticate runs GET CHALLENGE and EXTERNAL AUTHENTICATE with key.
func (is *issuer) authenticate(t testing.TB, c *Card, key *ecdsa.PrivateKey) uint16 {
	t.Helper()
	ch, sw := tx(t, c, "00 84 00 00 08")
	if sw != 0x9000 || len(ch) != 8 {
		t.Fatalf("get challenge: % X %04X", ch, sw)
	}
	sig, err := ecdsa.SignASN1(rand.Reader, key, IssuerAuthDigest(ch, []byte(c.Serial())))
	if err != nil {
		t.Fatal(err)
	}
	_, sw = txb(t, c, append([]byte{0x00, 0x82, 0x00, 0x00, byte(len(sig))}, sig...))
	return sw
}

// generate runs GENERATE ASYMMETRIC KEY PAIR and collects the 7F49 template
// through GET RESPONSE.
func generate(t testing.TB, c *Card, keyEF uint16) ([]byte, uint16) {
	t.Helper()
	out, sw := txb(t, c, []byte{0x00, 0x46, 0x00, 0x00, 0x02, byte(keyEF >> 8), byte(keyEF), 0x00})
	for sw&0xFF00 == 0x6100 {
		var more []byte
		more, sw = txb(t, c, []byte{0x00, 0xC0, 0x00, 0x00, byte(sw)})
		out = append(out, more...)
	}
	return out, sw
}

// certFor issues a certificate for pub from a throwaway CA.
func certFor(t testing.TB, pub *rsa.PublicKey) []byte {
	t.Helper()
	ca, err := poolKey(0)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "NEW"},
		NotBefore: testNow, NotAfter: testNow.AddDate(5, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, pub, ca)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// write selects an EF and writes data in chunks with UPDATE BINARY.
func write(t testing.TB, c *Card, ef uint16, data []byte) uint16 {
	t.Helper()
	if _, sw := tx(t, c, selEF(ef)); sw != 0x9000 {
		return sw
	}
	for off := 0; off < len(data); off += 255 {
		chunk := data[off:min(off+255, len(data))]
		apdu := append([]byte{0x00, 0xD6, byte(off >> 8), byte(off), byte(len(chunk))}, chunk...)
		if _, sw := txb(t, c, apdu); sw != 0x9000 {
			return sw
		}
	}
	return 0x9000
}

func parseTemplate(t testing.TB, tmpl []byte) *rsa.PublicKey {
	t.Helper()
	// 7F49 82 LL LL 81 82 01 00 <n> 82 03 <e>
	if !bytes.HasPrefix(tmpl, []byte{0x7F, 0x49, 0x82}) || len(tmpl) != 5+(int(tmpl[3])<<8|int(tmpl[4])) {
		t.Fatalf("bad 7F49 header % X", tmpl[:min(8, len(tmpl))])
	}
	body := tmpl[5:]
	if !bytes.HasPrefix(body, []byte{0x81, 0x82, 0x01, 0x00}) {
		t.Fatalf("bad modulus header % X", body[:4])
	}
	n := new(big.Int).SetBytes(body[4:260])
	e := body[260:]
	if e[0] != 0x82 || int(e[1]) != len(e)-2 {
		t.Fatalf("bad exponent % X", e)
	}
	return &rsa.PublicKey{N: n, E: int(new(big.Int).SetBytes(e[2:]).Int64())}
}

func TestIssuanceFlow(t *testing.T) {
	for _, tt := range []struct {
		persona      string
		key, cert    uint16
		pinEF        uint16
		newPIN       string
		certReadable func(c *Card)
	}{
		{PersonaNoCerts, EFAuthKey, EFAuthCert, EFAuthPIN, "9876", nil},
		{PersonaNoCerts, EFSignKey, EFSignCert, EFSignPIN, "NEWPIN99", nil},
		{PersonaRenewable, EFSignKey, EFSignCert, EFSignPIN, "RENEW2027", nil},
		{PersonaExpired, EFAuthKey, EFAuthCert, EFAuthPIN, "4321", nil},
	} {
		t.Run(fmt.Sprintf("%s/%04X", tt.persona, tt.key), func(t *testing.T) {
			is := newIssuer(t)
			p := mustPersona(t, tt.persona)
			c := p.NewCard(Options{IssuerKey: &is.key.PublicKey, KeyGen: poolKeyGen(t, 23)})
			tx(t, c, selJPKI)
			// Nothing before issuer authentication.
			if _, sw := tx(t, c, "00 46 00 00 02 00 17 00"); sw != 0x6982 {
				t.Fatalf("generate unauthenticated: %04X", sw)
			}
			if sw := is.authenticate(t, c, is.key); sw != 0x9000 {
				t.Fatalf("external authenticate: %04X", sw)
			}
			tmpl, sw := generate(t, c, tt.key)
			if sw != 0x9000 {
				t.Fatalf("generate: %04X", sw)
			}
			pub := parseTemplate(t, tmpl)
			if !pub.Equal(c.PublicKey(tt.key)) {
				t.Fatal("template is not the card's new key")
			}
			// The certificate EF is pending until the matching certificate is there.
			if tt.cert == EFSignCert {
				tx(t, c, selEF(EFSignPIN))
				txb(t, c, verifyAPDU(defaultSignPIN))
			}
			tx(t, c, selEF(tt.cert))
			if _, sw := tx(t, c, "00 B0 00 00 04"); sw != 0x6985 {
				t.Fatalf("read pending EF: %04X, want 6985", sw)
			}
			other := certFor(t, p.AuthCA.PublicKey.(*rsa.PublicKey))
			if sw := write(t, c, tt.cert, other); sw != 0x9000 {
				t.Fatalf("write non-matching: %04X", sw)
			}
			if _, sw := tx(t, c, "00 B0 00 00 04"); sw != 0x6985 {
				t.Fatalf("read after non-matching cert: %04X, want 6985", sw)
			}
			newCert := certFor(t, pub)
			if sw := write(t, c, tt.cert, newCert); sw != 0x9000 {
				t.Fatalf("write certificate: %04X", sw)
			}
			tx(t, c, selEF(tt.pinEF))
			if _, sw := txb(t, c, append([]byte{0x00, 0x2C, 0x02, 0x80, byte(len(tt.newPIN))}, tt.newPIN...)); sw != 0x9000 {
				t.Fatalf("reset retry counter: %04X", sw)
			}
			if !bytes.Equal(c.File(tt.cert), newCert) {
				t.Fatal("certificate EF does not hold the new certificate")
			}
			// A new session: the holder verifies the new PIN, reads and signs.
			c.Reset()
			tx(t, c, selJPKI)
			tx(t, c, selEF(tt.pinEF))
			if _, sw := txb(t, c, verifyAPDU(tt.newPIN)); sw != 0x9000 {
				t.Fatalf("verify new PIN: %04X", sw)
			}
			tx(t, c, selEF(tt.cert))
			got, sw := readAll(t, c)
			if sw != 0x9000 || !bytes.Equal(got, newCert) {
				t.Fatalf("read new certificate: %04X", sw)
			}
			tx(t, c, selEF(tt.key))
			if _, sw := tx(t, c, "80 2A 00 80 03 01 02 03 00"); sw != 0x9000 {
				t.Fatalf("sign with new key: %04X", sw)
			}
		})
	}
}

func TestIssuanceRefusals(t *testing.T) {
	is := newIssuer(t)
	wrong := newIssuer(t)
	p := mustPersona(t, PersonaAdult)
	newCard := func() *Card {
		c := p.NewCard(Options{IssuerKey: &is.key.PublicKey, KeyGen: poolKeyGen(t, 22)})
		tx(t, c, selJPKI)
		return c
	}
	t.Run("no challenge", func(t *testing.T) {
		c := newCard()
		if _, sw := tx(t, c, "00 82 00 00 02 30 00"); sw != 0x6985 {
			t.Errorf("%04X", sw)
		}
	})
	t.Run("wrong issuer, then challenge used up", func(t *testing.T) {
		c := newCard()
		if sw := is.authenticate(t, c, wrong.key); sw != 0x6982 {
			t.Fatalf("%04X", sw)
		}
		if _, sw := tx(t, c, "00 82 00 00 02 30 00"); sw != 0x6985 {
			t.Errorf("second try on one challenge: %04X", sw)
		}
	})
	t.Run("challenge needs the JPKI AP and Le 8", func(t *testing.T) {
		c := newCard()
		if _, sw := tx(t, c, "00 84 00 00 10"); sw != 0x6C08 {
			t.Errorf("Le 16: %04X", sw)
		}
		tx(t, c, selBasic)
		if _, sw := tx(t, c, "00 84 00 00 08"); sw != 0x6985 {
			t.Errorf("in basic AP: %04X", sw)
		}
	})
	t.Run("no issuer key", func(t *testing.T) {
		c := p.NewCard(Options{})
		tx(t, c, selJPKI)
		if sw := is.authenticate(t, c, is.key); sw != 0x6982 {
			t.Errorf("%04X", sw)
		}
	})
	for _, tt := range []struct {
		name  string
		clear func(c *Card)
	}{
		{"reset", func(c *Card) { c.Reset(); tx(t, c, selJPKI) }},
		{"reselect", func(c *Card) { tx(t, c, selJPKI) }},
		{"remove", func(c *Card) { c.Remove(); c.Insert(); tx(t, c, selJPKI) }},
	} {
		t.Run("cleared by "+tt.name, func(t *testing.T) {
			c := newCard()
			if sw := is.authenticate(t, c, is.key); sw != 0x9000 {
				t.Fatal(sw)
			}
			tt.clear(c)
			for _, apdu := range []string{"00 46 00 00 02 00 17 00", selEF(EFAuthCert), "00 D6 00 00 01 30", selEF(EFAuthPIN), "00 2C 02 80 04 31 31 31 31"} {
				if _, sw := tx(t, c, apdu); sw != 0x6982 && sw != 0x9000 {
					t.Errorf("%s: %04X", apdu, sw)
				} else if sw == 0x9000 && apdu[3:5] != "A4" {
					t.Errorf("%s accepted without issuer authentication", apdu)
				}
			}
		})
	}
	t.Run("write rules", func(t *testing.T) {
		c := newCard()
		is.authenticate(t, c, is.key)
		tx(t, c, selEF(EFToken))
		if _, sw := tx(t, c, "00 D6 00 00 01 30"); sw != 0x6986 {
			t.Errorf("token write: %04X", sw)
		}
		tx(t, c, selEF(EFAuthCert))
		if _, sw := tx(t, c, "00 D6 7F 00 01 30"); sw != 0x6B00 {
			t.Errorf("write past the end: %04X", sw)
		}
		big := make([]byte, MaxCertSize)
		for off := 0; off < MaxCertSize; off += 255 {
			n := min(255, MaxCertSize-off)
			if _, sw := txb(t, c, append([]byte{0x00, 0xD6, byte(off >> 8), byte(off), byte(n)}, big[off:off+n]...)); sw != 0x9000 {
				t.Fatalf("fill at %d: %04X", off, sw)
			}
		}
		if _, sw := tx(t, c, "00 D6 10 00 01 30"); sw != 0x6A84 {
			t.Errorf("write beyond 4096: %04X", sw)
		}
		tx(t, c, selEF(EFSignPIN))
		if _, sw := tx(t, c, "00 2C 02 80 03 41 42 43"); sw != 0x6A80 {
			t.Errorf("short sign PIN: %04X", sw)
		}
		if _, sw := tx(t, c, "00 46 00 00 02 00 0A 00"); sw != 0x6A88 {
			t.Errorf("generate on a cert EF: %04X", sw)
		}
	})
	t.Run("new sign key unusable until its PIN is set", func(t *testing.T) {
		c := newCard()
		is.authenticate(t, c, is.key)
		tmpl, _ := generate(t, c, EFSignKey)
		pub := parseTemplate(t, tmpl)
		if sw := write(t, c, EFSignCert, certFor(t, pub)); sw != 0x9000 {
			t.Fatal(sw)
		}
		tx(t, c, selEF(EFSignPIN))
		txb(t, c, verifyAPDU(defaultSignPIN))
		tx(t, c, selEF(EFSignKey))
		if _, sw := tx(t, c, "80 2A 00 80 03 01 02 03 00"); sw != 0x6985 {
			t.Errorf("sign before PIN set: %04X", sw)
		}
		tx(t, c, selEF(EFSignCert))
		if _, sw := tx(t, c, "00 B0 00 00 04"); sw != 0x6985 {
			t.Errorf("read sign cert before PIN set: %04X", sw)
		}
		// the auth side is untouched
		tx(t, c, selEF(EFAuthCert))
		if d, _ := tx(t, c, "00 B0 00 00 04"); !bytes.Equal(d, p.AuthCert.Raw[:4]) {
			t.Errorf("auth certificate changed")
		}
	})
	t.Run("reset retry counter unlocks", func(t *testing.T) {
		c := mustPersona(t, PersonaAuthLocked).NewCard(Options{IssuerKey: &is.key.PublicKey})
		tx(t, c, selJPKI)
		is.authenticate(t, c, is.key)
		tx(t, c, selEF(EFAuthPIN))
		if _, sw := tx(t, c, "00 2C 02 80 04 35 35 35 35"); sw != 0x9000 {
			t.Fatal(sw)
		}
		if n, _ := c.Retries(EFAuthPIN); n != MaxAuthTries {
			t.Errorf("retries %d", n)
		}
		if _, sw := txb(t, c, verifyAPDU("5555")); sw != 0x9000 {
			t.Errorf("verify reset PIN: %04X", sw)
		}
	})
}

func TestGetResponseChunks(t *testing.T) {
	is := newIssuer(t)
	c := mustPersona(t, PersonaAdult).NewCard(Options{IssuerKey: &is.key.PublicKey, KeyGen: poolKeyGen(t, 21)})
	tx(t, c, selJPKI)
	is.authenticate(t, c, is.key)
	first, sw := tx(t, c, "00 46 00 00 02 00 17 00")
	if len(first) != 256 || sw != 0x610E {
		t.Fatalf("generate: %d bytes, %04X; want 256 and 610E", len(first), sw)
	}
	if _, sw := tx(t, c, "00 C0 00 00 20"); sw != 0x6C0E {
		t.Fatalf("GET RESPONSE too long: %04X", sw)
	}
	rest, sw := tx(t, c, "00 C0 00 00 0A")
	if len(rest) != 10 || sw != 0x6104 {
		t.Fatalf("partial GET RESPONSE: %d, %04X", len(rest), sw)
	}
	tx(t, c, selEF(EFToken)) // another command drops the rest
	if _, sw := tx(t, c, "00 C0 00 00 04"); sw != 0x6985 {
		t.Fatalf("GET RESPONSE after another command: %04X", sw)
	}
}
