package card

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// removeReader unplugs a reader.
func (f *fakePCSC) removeReader(name string) {
	f.change(func() {
		delete(f.readers, name)
		for i, n := range f.order {
			if n == name {
				f.order = append(f.order[:i], f.order[i+1:]...)
				break
			}
		}
	})
}

// establishCount wraps f.establish and counts the attempts.
func (f *fakePCSC) establishCount(n *int) func() (statusContext, error) {
	return func() (statusContext, error) {
		f.mu.Lock()
		*n++
		f.mu.Unlock()
		return f.establish()
	}
}

// Windows stops the Smart Card service (SCardSvr) when the last reader is
// unplugged: the reader goes first (SCARD_E_NO_READERS_AVAILABLE), then the
// waiting SCardGetStatusChange fails with SCARD_E_SERVICE_STOPPED and every
// SCardEstablishContext with SCARD_E_NO_SERVICE until a reader is plugged
// in again and the service starts. The monitor must report the reader
// lost, then the service lost, keep trying at its Retry pace (no spin), and
// find the reader and its card again on a new context.
func TestMonitorSCardSvrStopsWithLastReader(t *testing.T) {
	f := newFakePCSC()
	f.addReader("ACS ACR39U ICC Reader 0", true)
	var attempts int
	m := &Monitor{Retry: 20 * time.Millisecond, Wait: time.Second, establish: f.establishCount(&attempts)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := m.Run(ctx)
	expect(t, ch, "reader-added ACS ACR39U ICC Reader 0", "card-inserted ACS ACR39U ICC Reader 0")

	f.removeReader("ACS ACR39U ICC Reader 0")
	expect(t, ch, "card-removed ACS ACR39U ICC Reader 0", "reader-removed ACS ACR39U ICC Reader 0")
	quiet(t, ch)
	f.setDown(true) // SCardSvr stops a moment later
	select {
	case e := <-ch:
		if e.Kind != ServiceLost || !errors.Is(e.Err, ErrNoService) {
			t.Fatalf("event %v (%v), want service-lost with ErrNoService", e.Kind, e.Err)
		}
		var pe *PCSCError
		if !errors.As(e.Err, &pe) || scard.Error(pe.Code) != scard.ErrServiceStopped {
			t.Errorf("service-lost error %v, want SCARD_E_SERVICE_STOPPED", e.Err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no service-lost event")
	}
	f.mu.Lock()
	attempts = 0
	f.mu.Unlock()
	time.Sleep(200 * time.Millisecond)
	quiet(t, ch) // service-lost once, however many attempts fail
	f.mu.Lock()
	n := attempts
	f.mu.Unlock()
	if n < 3 || n > 20 {
		t.Errorf("%d SCardEstablishContext attempts in ~300 ms with Retry 20 ms: want a steady pace", n)
	}

	f.addReader("ACS ACR39U ICC Reader 0", true) // plugged in again: the service starts
	f.setDown(false)
	expect(t, ch, "service-restored", "reader-added ACS ACR39U ICC Reader 0", "card-inserted ACS ACR39U ICC Reader 0")
	quiet(t, ch)
}

// The return codes Windows gives when its service goes away, as raw
// numbers (winscard.h), end the context and map to ErrNoService; the codes
// of an ordinary quiet wait do not.
func TestServiceGoneCodes(t *testing.T) {
	tests := []struct {
		code uint32
		gone bool
	}{
		{0x8010001D, true},  // SCARD_E_NO_SERVICE
		{0x8010001E, true},  // SCARD_E_SERVICE_STOPPED
		{0x80100003, true},  // SCARD_E_INVALID_HANDLE (a context from before a restart)
		{0x8010000A, false}, // SCARD_E_TIMEOUT
		{0x80100002, false}, // SCARD_E_CANCELLED
		{0x8010002E, false}, // SCARD_E_NO_READERS_AVAILABLE
		{0x80100009, false}, // SCARD_E_UNKNOWN_READER
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%08x", tc.code), func(t *testing.T) {
			err := scard.Error(tc.code)
			if got := serviceGone(err); got != tc.gone {
				t.Errorf("serviceGone = %v, want %v", got, tc.gone)
			}
			if got := errors.Is(pcscErr("SCardGetStatusChange", err), ErrNoService); got != tc.gone {
				t.Errorf("errors.Is(ErrNoService) = %v, want %v", got, tc.gone)
			}
		})
	}
}
