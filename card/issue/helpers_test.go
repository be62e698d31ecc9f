package issue

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
)

// Test keys: the virtual card's public pool (slots 0..19 are the personas',
// 20..23 serve as "newly generated" card keys) and two CA keys made once per
// test binary, so that no test pays for RSA key generation more than once.
var (
	poolOnce sync.Once
	pool     []*rsa.PrivateKey
	caOnce   sync.Once
	caKeys   [2]*rsa.PrivateKey
	nextKey  atomic.Int64
)

func poolKeys(t testing.TB) []*rsa.PrivateKey {
	t.Helper()
	poolOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("..", "vcard", "testkeys.pem"))
		if err != nil {
			return
		}
		for {
			var blk *pem.Block
			if blk, b = pem.Decode(b); blk == nil {
				break
			}
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return
			}
			pool = append(pool, k.(*rsa.PrivateKey))
		}
	})
	if len(pool) < 24 {
		t.Fatalf("vcard test key pool: %d keys", len(pool))
	}
	return pool
}

// keyGen hands out pool keys 20..23 in turn as the card's new keys.
func keyGen(t testing.TB) func() (*rsa.PrivateKey, error) {
	keys := poolKeys(t)
	return func() (*rsa.PrivateKey, error) {
		return keys[20+int(nextKey.Add(1)%4)], nil
	}
}

// newDataDir makes a kiosk data directory whose training CA uses the shared
// test CA keys (the certificates and the issuer key are made by OpenCA).
func newDataDir(t testing.TB) string {
	t.Helper()
	caOnce.Do(func() {
		for i := range caKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			caKeys[i] = k
		}
	})
	dir := filepath.Join(t.TempDir(), "data")
	if err := ensureDir(dir); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{FileAuthCAKey, FileSignCAKey} {
		if err := writeKey(filepath.Join(dir, name), caKeys[i]); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newTraining returns a training issuer in a fresh data directory.
func newTraining(t testing.TB) (*Client, *CA) {
	t.Helper()
	c, err := NewTraining(newDataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	return c, c.Backend().(*CA)
}

// persona builds a persona for today and its card trusting ca's issuer key.
func persona(t testing.TB, name string, ca *CA) (*vcard.Persona, *vcard.Card) {
	t.Helper()
	p, err := vcard.NewPersona(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	opts := vcard.Options{KeyGen: keyGen(t)}
	if ca != nil {
		opts.IssuerKey = ca.IssuerPublicKey()
	}
	return p, p.NewCard(opts)
}

// request asks for certs of p with the expiry policy computes for today.
func request(p *vcard.Persona, purpose Purpose, certs ...Cert) Request {
	today := policy.DateOf(time.Now())
	dob := policy.DateOf(p.Holder.Birth)
	req := Request{Purpose: purpose, Approval: Approval{ID: "AP-1", StaffID: "S001", Ticket: "12"}, Now: time.Now()}
	for _, c := range certs {
		cur := p.AuthExpiry
		if c == Sign {
			cur = p.SignExpiry
		}
		var curD policy.Date
		if !cur.IsZero() {
			curD = policy.DateOf(cur)
		}
		exp, _, _ := policy.NewExpiry(dob, today, curD, policy.DateOf(p.CardExpiry))
		req.Certs = append(req.Certs, CertRequest{Cert: c, NotAfter: exp})
	}
	if len(certs) > 0 {
		req.Holder = &Holder{Name: p.Holder.Name, Sex: p.Holder.Sex, BirthDate: p.Holder.Birth.Format("20060102"), Address: p.Holder.Address}
	}
	return req
}

// recorder is a card.Transmitter that records the commands it passes on.
type recorder struct {
	next interface{ Transmit([]byte) ([]byte, error) }
	cmds [][]byte
}

func (r *recorder) Transmit(apdu []byte) ([]byte, error) {
	r.cmds = append(r.cmds, append([]byte(nil), apdu...))
	return r.next.Transmit(apdu)
}

// events collects issuance events.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) IssuanceEvent(_ context.Context, ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) steps() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		s := ev.Step
		if ev.Cert != "" {
			s += ":" + string(ev.Cert)
		}
		if ev.Status != "" {
			s += ":" + string(ev.Status)
		}
		out = append(out, s)
	}
	return out
}
