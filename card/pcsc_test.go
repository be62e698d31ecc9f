//go:build linux

package card_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// The card package through the real PC/SC stack: pcscd with the vpcd
// driver, the virtual card served from this process (card/pcsctest).

func TestPCSCOperations(t *testing.T) {
	d := pcsctest.Start(t)
	p := persona(t, vcard.PersonaAdult)
	vc := p.NewCard(vcard.Options{})
	reader := d.Insert(t, vc)

	readers, err := card.ListReaders()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range readers {
		if r.Name == reader {
			found = r.CardPresent
		}
	}
	if !found {
		t.Fatalf("ListReaders = %+v, want %q with a card", readers, reader)
	}

	conn, err := card.Connect("") // the first reader holding a card
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.Reader() != reader {
		t.Errorf("Connect picked %q, want %q", conn.Reader(), reader)
	}
	if atr, err := conn.ATR(); err != nil || len(atr) == 0 {
		t.Errorf("ATR = % X, %v", atr, err)
	}

	// Exclusive: nobody else gets the card during the session.
	if other, err := card.Connect(reader); !errors.Is(err, card.ErrCardInUse) {
		if other != nil {
			other.Close()
		}
		t.Errorf("second Connect = %v, want ErrCardInUse", err)
	}

	before := vc.APDUCount()
	tr := card.NewTrace(conn, 0)
	c := card.New(tr)
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != card.TypeMyNumber || st.AuthCert == nil || st.AuthCert.Serial.Cmp(p.AuthCert.SerialNumber) != 0 ||
		st.Retries[card.PINAuth] != 3 || st.Retries[card.PINSign] != 5 || st.Retries[card.PINBasicInfo] != 3 {
		t.Errorf("Status = %+v", st)
	}
	if n := vc.APDUCount() - before; n != tr.Count() || n > 16 {
		t.Errorf("status: trace counted %d APDUs, card saw %d; budget 16", tr.Count(), n)
	}

	s, err := c.Signer(card.KeySign, func() ([]byte, error) { return []byte("ABC123"), nil })
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("through pcscd"))
	sig, err := s.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&p.SignKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("signature through PC/SC: %v", err)
	}
	info, err := c.ReadBasicInfo([]byte("1234"))
	if err != nil || info.Name != p.Holder.Name {
		t.Errorf("ReadBasicInfo = %+v, %v", info, err)
	}

	// Close resets the card: the verified sign PIN does not outlive the session.
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Transmit([]byte{0x00, 0xA4, 0x04, 0x0C}); !errors.Is(err, card.ErrClosed) {
		t.Errorf("Transmit after Close = %v, want ErrClosed", err)
	}
	conn2, err := card.Connect(reader)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	c2 := card.New(conn2)
	asked := 0
	if _, err := c2.Signer(card.KeySign, func() ([]byte, error) { asked++; return []byte("ABC123"), nil }); err != nil || asked != 1 {
		t.Errorf("new session: PIN asked %d times (%v), want once", asked, err)
	}

	// The card pulled during a session.
	vc.Remove()
	if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Status(); !errors.Is(err, card.ErrCardRemoved) {
		t.Errorf("Status after removal = %v, want ErrCardRemoved", err)
	}
	if _, err := card.Connect(""); !errors.Is(err, card.ErrNoCard) {
		t.Errorf("Connect with an empty reader = %v, want ErrNoCard", err)
	}
}

// The monitor reports the reader and card again within 5 s after pcscd is
// killed and restarted.
func TestMonitorPCSCDRestart(t *testing.T) {
	d := pcsctest.Start(t)
	vc := persona(t, vcard.PersonaAdult).NewCard(vcard.Options{})
	reader := d.Insert(t, vc)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := card.NewMonitor().Run(ctx)
	waitEvent(t, ch, card.CardInserted, reader, 5*time.Second)

	vc.Remove()
	waitEvent(t, ch, card.CardRemoved, reader, 5*time.Second)
	vc.Insert()
	waitEvent(t, ch, card.CardInserted, reader, 5*time.Second)

	start := time.Now()
	d.Restart(t)
	waitEvent(t, ch, card.ServiceLost, "", 5*time.Second)
	waitEvent(t, ch, card.CardInserted, reader, 5*time.Second)
	t.Logf("card reported again %v after pcscd was killed", time.Since(start).Round(time.Millisecond))
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("card reported again after %v, want within 5s", el)
	}
	cancel()
	for range ch {
	}
}

// waitEvent reads events until one of that kind (and reader, if given)
// arrives, or fails after timeout.
func waitEvent(t *testing.T, ch <-chan card.Event, kind card.EventKind, reader string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("monitor stopped while waiting for %v", kind)
			}
			t.Logf("event %v %q", e.Kind, e.Reader)
			if e.Kind == kind && (reader == "" || e.Reader == reader) {
				return
			}
		case <-deadline:
			t.Fatalf("no %v %q within %v", kind, reader, timeout)
		}
	}
}
