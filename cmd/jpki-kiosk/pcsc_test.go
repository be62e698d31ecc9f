package main

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/card/pcsctest"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// TestCardToStatusThroughPCSC measures the figure the kiosk issue asks for
// through the real PC/SC stack: pcscd with the vpcd driver, a virtual card
// served over vpcd from this process, the kiosk's own reader watcher and
// connection (pcsc.go: card.Monitor, card.Connect, the flow's CardSlot),
// the real flow with goroutine card tasks, and a headless Fyne kiosk. Each
// round inserts the card (vpcd reports it to pcscd) and times until the
// STATUS screen is rendered, then removes it and waits for INSERT_CARD.
// Skipped without pcscd/vpcd unless KIOSK_REQUIRE_INTEGRATION=1;
// KIOSK_PCSC_ROUNDS sets the rounds (default 5).
func TestCardToStatusThroughPCSC(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	d := pcsctest.Start(t)
	per, err := vcard.NewPersona(vcard.PersonaAdult, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := per.NewCard(vcard.Options{})
	d.Insert(t, vc) // pcscd sees the vpcd reader with the card
	vc.Remove()
	if _, err := pcsctest.WaitCard(false, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1920, 1080))
	cheap := store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}
	p, err := assemble(a, w, config{profile: "moriya", lang: "ja", data: t.TempDir()}, seams{argon2: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	rendered := make(chan string, 64)
	p.k.OnRender(func(id string) { rendered <- id })
	stop := watchReaders(p.k, p.pcsc, "")
	defer stop()

	waitFor := func(want string) time.Time {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case id := <-rendered:
				if id == want {
					return time.Now()
				}
			case <-deadline:
				t.Fatalf("no %s screen within 30 s (screen %s)", want, p.k.ScreenID())
			}
		}
	}
	rounds := 5
	if v := os.Getenv("KIOSK_PCSC_ROUNDS"); v != "" {
		if _, err := fmt.Sscan(v, &rounds); err != nil {
			t.Fatal(err)
		}
	}
	var toReading, toStatus []time.Duration
	for i := 0; i < rounds; i++ {
		t0 := time.Now()
		vc.Insert()
		tr := waitFor(flow.StateReading.String())
		ts := waitFor(flow.StateStatus.String())
		toReading = append(toReading, tr.Sub(t0))
		toStatus = append(toStatus, ts.Sub(t0))
		if s := p.k.Snapshot(); s.Tries.Auth != 3 || !s.Auth.Present {
			t.Fatalf("status %+v", s)
		}
		vc.Remove()
		waitFor(flow.StateInsertCard.String())
	}
	med := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2]
	}
	t.Logf("card inserted → reading screen: median %v, min %v, max %v (%d rounds)", med(toReading).Round(time.Millisecond),
		slices.Min(toReading).Round(time.Millisecond), slices.Max(toReading).Round(time.Millisecond), rounds)
	t.Logf("card inserted → status screen:  median %v, min %v, max %v", med(toStatus).Round(time.Millisecond),
		slices.Min(toStatus).Round(time.Millisecond), slices.Max(toStatus).Round(time.Millisecond))
	t.Logf("all: %v", toStatus)
}
