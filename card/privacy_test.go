package card_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// numberGuard is a transmitter that follows the card's selections and
// fails the test on a SELECT of EF 0001 while the basic-info application
// is selected: the individual number is never read (DESIGN.md §4).
type numberGuard struct {
	violations []string
	next       card.Transmitter
	inBasic    bool
	selects    int
	basicSel   int
}

func (g *numberGuard) Transmit(apdu []byte) ([]byte, error) {
	if len(apdu) >= 5 && apdu[1] == 0xA4 {
		g.selects++
		data := apdu[5:]
		switch apdu[2] {
		case 0x04: // by AID
			g.inBasic = bytes.Equal(data, vcard.AIDBasicInfo)
			if g.inBasic {
				g.basicSel++
			}
		case 0x02, 0x00, 0x08, 0x09: // EF by id or path
			if g.inBasic && bytes.Contains(data, []byte{0x00, 0x01}) {
				g.violations = append(g.violations, fmt.Sprintf("% X", apdu))
			}
		}
	}
	return g.next.Transmit(apdu)
}

// Every operation of the package runs through the guard.
func TestNeverSelectsIndividualNumber(t *testing.T) {
	issuer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, name := range []string{vcard.PersonaAdult, vcard.PersonaNoCerts, vcard.PersonaJuki, vcard.PersonaChild} {
		p := persona(t, name)
		vc := p.NewCard(vcard.Options{IssuerKey: &issuer.PublicKey, KeyGen: cardKey})
		g := &numberGuard{next: vc}
		c := card.New(card.NewTrace(g, 0))
		pin := func(s string) card.PINFunc { return func() ([]byte, error) { return []byte(s), nil } }
		ops := []func() error{
			func() error { _, err := c.Identify(); return err },
			func() error { _, err := c.Status(); return err },
			func() error { _, err := c.ReadToken(); return err },
			func() error { _, err := c.ReadCertificate(card.CertAuth); return err },
			func() error { _, err := c.ReadCertificate(card.CertAuthCA); return err },
			func() error { _, err := c.ReadCertificate(card.CertSignCA); return err },
			func() error { _, err := c.ReadSignCertificate([]byte("ABC123")); return err },
			func() error { _, err := c.Retries(card.PINBasicInfo); return err },
			func() error { return c.Verify(card.PINBasicInfo, []byte("1234")) },
			func() error { _, err := c.ReadBasicInfo([]byte("1234")); return err },
			func() error { return c.Verify(card.PINAuth, []byte("1234")) },
			func() error { return c.ChangePIN(card.PINBasicInfo, []byte("1234"), []byte("1234")) },
			func() error { return c.ChangePIN(card.PINAuth, []byte("1234"), []byte("1234")) },
			func() error { return c.ChangePIN(card.PINSign, []byte("ABC123"), []byte("ABC123")) },
			func() error {
				s, err := c.Signer(card.KeyAuth, pin("1234"))
				if err != nil {
					return err
				}
				d := sha256.Sum256(nil)
				_, err = s.Sign(nil, d[:], crypto.SHA256)
				return err
			},
			func() error {
				s, err := c.Signer(card.KeySign, pin("ABC123"))
				if err != nil {
					return err
				}
				d := sha256.Sum256(nil)
				_, err = s.Sign(nil, d[:], crypto.SHA256)
				return err
			},
			func() error { _, err := c.ReadBasicInfo([]byte("1234")); return err },
			func() error { return c.SelectJPKI() },
			func() error { _, err := c.GetChallenge(); return err },
			func() error { return c.ExternalAuthenticate([]byte{1}) },
			func() error { _, err := c.GenerateKeyPair(card.KeySign); return err },
			func() error { return c.WriteCertificate(card.CertSign, []byte{0x30, 0}) },
			func() error { return c.ResetRetryCounter(card.PINSign, []byte("ABC123")) },
			func() error { _, err := c.ReadBasicInfo([]byte("1234")); return err },
		}
		for _, op := range ops {
			_ = op() // failures are fine (juki, child, no issuer auth); the guard watches the APDUs
		}
		if len(g.violations) > 0 {
			t.Errorf("%s: SELECT of the individual number: %q", name, g.violations)
		}
		if g.basicSel == 0 || g.selects < 20 {
			t.Errorf("%s: %d selects, %d of the basic-info application: the operations did not run", name, g.selects, g.basicSel)
		}
	}
}

// The guard itself sees a forbidden SELECT.
func TestNumberGuardCatches(t *testing.T) {
	g := &numberGuard{next: persona(t, vcard.PersonaAdult).NewCard(vcard.Options{})}
	sel := append([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A}, vcard.AIDBasicInfo...)
	for _, apdu := range [][]byte{sel, {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01}} {
		if _, err := g.Transmit(apdu); err != nil {
			t.Fatal(err)
		}
	}
	if len(g.violations) != 1 {
		t.Fatalf("guard saw %d violations, want 1", len(g.violations))
	}
}

// The only use of the individual-number file id in the package's code is
// the refusal in forbidden (selectEF and Relay use it).
func TestIndividualNumberOnlyRefused(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "efIndividNo" {
				uses++
			}
			return true
		})
		// The AID of the basic-info application appears once, as its constant.
		if bytes.Count(src, []byte("0x31, 0x00, 0x01, 0x01, 0x04, 0x08")) > 0 && f != "jpki.go" {
			t.Errorf("%s spells out the basic-info AID", f)
		}
	}
	if uses != 2 { // the declaration and the refusal
		t.Errorf("efIndividNo used %d times, want 2 (declaration and refusal)", uses)
	}
}
