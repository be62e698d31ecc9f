//go:build linux

package pcsctest_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ebfe/scard"
	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

var selectJPKI = []byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}

// readToken connects to the reader and reads the token EF through PC/SC.
func readToken(t *testing.T, reader string) []byte {
	t.Helper()
	ctx, err := scard.EstablishContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Release()
	c, err := ctx.Connect(reader, scard.ShareExclusive, scard.ProtocolAny)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Disconnect(scard.ResetCard)
	for _, apdu := range [][]byte{selectJPKI, {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06}} {
		r, err := c.Transmit(apdu)
		if err != nil || !bytes.Equal(r, []byte{0x90, 0x00}) {
			t.Fatalf("transmit % X: % X %v", apdu, r, err)
		}
	}
	r, err := c.Transmit([]byte{0x00, 0xB0, 0x00, 0x00, 0xA0})
	if err != nil || len(r) != 162 {
		t.Fatalf("read token: % X %v", r, err)
	}
	return r[:160]
}

func TestInsertRemoveRestart(t *testing.T) {
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	card := p.NewCard(vcard.Options{})
	reader := d.Insert(t, card)
	if tok := readToken(t, reader); !bytes.HasPrefix(tok, []byte(vcard.TokenMyNumber+" ")) {
		t.Fatalf("token %q", tok[:32])
	}

	card.Remove()
	if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
		t.Fatalf("after Remove: %v", err)
	}
	card.Insert()
	if _, err := pcsctest.WaitCard(true, 10*time.Second); err != nil {
		t.Fatalf("after Insert: %v", err)
	}

	old := d.PID()
	d.Restart(t)
	if d.PID() == old || d.PID() == 0 {
		t.Fatalf("pid %d after restart (was %d)", d.PID(), old)
	}
	reader, err = pcsctest.WaitCard(true, 15*time.Second)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if tok := readToken(t, reader); !bytes.Contains(tok, []byte(card.Serial())) {
		t.Fatalf("token after restart %q", tok)
	}
}

// TestWaitCardBesideAMonitor runs a card.Monitor while WaitCard polls, as
// the kiosk's pcscd tests do: under -race this fails if the two call
// SCardGetStatusChange without one shared lock (github.com/ebfe/scard
// writes a package-level map in it).
func TestWaitCardBesideAMonitor(t *testing.T) {
	d := pcsctest.Start(t)
	p, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{})
	d.Insert(t, vc)
	ctx, cancel := context.WithCancel(context.Background())
	m := card.NewMonitor()
	m.Wait = 20 * time.Millisecond
	events := m.Run(ctx)
	seen := make(chan int)
	go func() {
		n := 0
		for range events {
			n++
		}
		seen <- n
	}()
	for range 2 {
		vc.Remove()
		if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		vc.Insert()
		if _, err := pcsctest.WaitCard(true, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if n := <-seen; n == 0 {
		t.Error("the monitor reported nothing: it did not run beside WaitCard")
	}
}
