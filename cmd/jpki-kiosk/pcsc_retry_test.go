package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ebfe/scard"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

type vcConn struct{ *vcard.Card }

func (vcConn) Close() error { return nil }

// flaky fails the first n connects with code, then connects to vc.
type flaky struct {
	mu    sync.Mutex
	n     int
	code  scard.Error
	vc    *vcard.Card
	tries int
}

func (f *flaky) connect(string) (cardConn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.tries <= f.n {
		return nil, &card.PCSCError{Op: "SCardConnect", Code: uint32(f.code)}
	}
	return vcConn{f.vc}, nil
}

func fastRetries(t *testing.T, total time.Duration) {
	oldFor, oldEvery := connectFor, connectEvery
	connectFor, connectEvery = total, 10*time.Millisecond
	t.Cleanup(func() { connectFor, connectEvery = oldFor, oldEvery })
}

// TestInsertionRetried: a sharing violation or a mute card right after
// insertion is retried; a card that never answers becomes
// flow.ErrCardUnreadable (a message for the resident), never silence; a
// card taken out while retrying ends as removed.
func TestInsertionRetried(t *testing.T) {
	per, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		n    int
		code scard.Error
		want error
	}{
		{"sharing violation, then the card", 3, scard.ErrSharingViolation, nil},
		{"mute for a moment", 2, scard.ErrUnresponsiveCard, nil},
		{"mute for good", 1 << 30, scard.ErrUnresponsiveCard, flow.ErrCardUnreadable},
		{"held by another program for good", 1 << 30, scard.ErrSharingViolation, flow.ErrCardUnreadable},
		{"gone at once", 1, scard.ErrNoSmartcard, flow.ErrCardRemoved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fastRetries(t, 300*time.Millisecond)
			f := &flaky{n: tc.n, code: tc.code, vc: per.NewCard(vcard.Options{})}
			p := newPCSCPort(&flow.CardSlot{})
			p.connectFn = f.connect
			p.inserted("Test Reader 00")
			info, err := p.Identify(context.Background())
			if tc.want == nil {
				if err != nil || info.Type != flow.CardMyNumber {
					t.Fatalf("Identify = %+v, %v after %d tries", info, err, f.tries)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Identify: %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("taken out while retrying", func(t *testing.T) {
		fastRetries(t, 5*time.Second)
		f := &flaky{n: 1 << 30, code: scard.ErrSharingViolation}
		p := newPCSCPort(&flow.CardSlot{})
		p.connectFn = f.connect
		p.inserted("Test Reader 00")
		time.AfterFunc(50*time.Millisecond, p.disconnect)
		start := time.Now()
		if _, err := p.Identify(context.Background()); !errors.Is(err, flow.ErrCardRemoved) || time.Since(start) > 2*time.Second {
			t.Fatalf("Identify: %v after %v", err, time.Since(start))
		}
	})
}
