package card

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// fakePCSC behaves like pcsc-lite's SCardGetStatusChange: it returns at
// once when a caller's CurrentState differs from the reader's state (event
// counter included), and otherwise waits for a change or the timeout.
type fakePCSC struct {
	mu      sync.Mutex
	readers map[string]*fakeReader
	order   []string
	down    bool
	wake    chan struct{}
	calls   int
}

type fakeReader struct {
	present bool
	counter int
}

func newFakePCSC() *fakePCSC {
	return &fakePCSC{readers: map[string]*fakeReader{}, wake: make(chan struct{})}
}

// change applies f under the lock and wakes waiting calls.
func (f *fakePCSC) change(fn func()) {
	f.mu.Lock()
	fn()
	close(f.wake)
	f.wake = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakePCSC) addReader(name string, present bool) {
	f.change(func() {
		f.readers[name] = &fakeReader{present: present}
		if present {
			f.readers[name].counter = 1
		}
		f.order = append(f.order, name)
	})
}

func (f *fakePCSC) setCard(name string, present bool) {
	f.change(func() {
		r := f.readers[name]
		r.present = present
		r.counter++
	})
}

// swap removes and inserts a card between two calls: present before and
// after, only the event counter tells.
func (f *fakePCSC) swap(name string) {
	f.change(func() { f.readers[name].counter += 2 })
}

func (f *fakePCSC) setDown(down bool) { f.change(func() { f.down = down }) }

func (f *fakePCSC) establish() (statusContext, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, scard.ErrNoService
	}
	return &fakeContext{f: f}, nil
}

type fakeContext struct {
	f         *fakePCSC
	cancelled chan struct{}
	once      sync.Once
}

func (c *fakeContext) cancelCh() chan struct{} {
	c.once.Do(func() { c.cancelled = make(chan struct{}) })
	return c.cancelled
}

func (c *fakeContext) ListReaders() ([]string, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.f.down {
		return nil, scard.ErrServiceStopped
	}
	if len(c.f.order) == 0 {
		return nil, scard.ErrNoReadersAvailable
	}
	return slices.Clone(c.f.order), nil
}

func (c *fakeContext) state(name string) scard.StateFlag {
	if name == pnpNotification {
		return scard.StateFlag(len(c.f.order)) << eventCounterShift
	}
	r := c.f.readers[name]
	if r == nil {
		return scard.StateUnknown
	}
	s := scard.StateFlag(r.counter) << eventCounterShift
	if r.present {
		return s | scard.StatePresent
	}
	return s | scard.StateEmpty
}

func (c *fakeContext) GetStatusChange(states []scard.ReaderState, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		c.f.mu.Lock()
		c.f.calls++
		if c.f.down {
			c.f.mu.Unlock()
			return scard.ErrServiceStopped
		}
		changed := false
		for i := range states {
			actual := c.state(states[i].Reader)
			if states[i].CurrentState != actual {
				states[i].EventState = actual | scard.StateChanged
				changed = true
			} else {
				states[i].EventState = actual
			}
		}
		wake := c.f.wake
		c.f.mu.Unlock()
		if changed {
			return nil
		}
		select {
		case <-wake:
		case <-deadline:
			return scard.ErrTimeout
		case <-c.cancelCh():
			return scard.ErrCancelled
		}
	}
}

func (c *fakeContext) Cancel() error {
	select {
	case <-c.cancelCh():
	default:
		close(c.cancelCh())
	}
	return nil
}

func (c *fakeContext) Release() error { return nil }

// expect reads events until it has seen want in order (nothing else in between).
func expect(t *testing.T, ch <-chan Event, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed, want %s", w)
			}
			if got := fmt.Sprintf("%v %s", e.Kind, e.Reader); got != w && e.Kind.String() != w {
				t.Fatalf("event %q, want %q", got, w)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("no event, want %s", w)
		}
	}
}

func quiet(t *testing.T, ch <-chan Event) {
	t.Helper()
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %v %s", e.Kind, e.Reader)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestMonitor(t *testing.T) {
	f := newFakePCSC()
	f.addReader("R1", true)
	m := &Monitor{Retry: 10 * time.Millisecond, Wait: time.Second, establish: f.establish}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := m.Run(ctx)

	expect(t, ch, "reader-added R1", "card-inserted R1")
	quiet(t, ch)
	f.setCard("R1", false)
	expect(t, ch, "card-removed R1")
	f.setCard("R1", true)
	expect(t, ch, "card-inserted R1")
	f.swap("R1") // only the carried event counter shows this
	expect(t, ch, "card-removed R1", "card-inserted R1")
	f.addReader("R2", false)
	expect(t, ch, "reader-added R2")
	quiet(t, ch)

	f.setDown(true)
	expect(t, ch, "card-removed R1", "reader-removed R1", "reader-removed R2", "service-lost")
	quiet(t, ch)
	f.setDown(false)
	expect(t, ch, "service-restored", "reader-added R1", "reader-added R2", "card-inserted R1")
	quiet(t, ch)

	f.mu.Lock()
	calls := f.calls
	f.mu.Unlock()
	if calls > 100 {
		t.Errorf("%d GetStatusChange calls: the monitor spins", calls)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			for range ch {
			}
		}
	case <-time.After(2 * time.Second):
		t.Fatal("channel not closed after cancel")
	}
}

// A service that is not there at start is reported, then found.
func TestMonitorServiceAbsentAtStart(t *testing.T) {
	f := newFakePCSC()
	f.setDown(true)
	m := &Monitor{Retry: 10 * time.Millisecond, Wait: time.Second, establish: f.establish}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := m.Run(ctx)
	select {
	case e := <-ch:
		if e.Kind != ServiceLost || !errors.Is(e.Err, ErrNoService) {
			t.Fatalf("first event %v (%v), want service-lost with ErrNoService", e.Kind, e.Err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no service-lost event")
	}
	f.addReader("R1", false)
	f.setDown(false)
	expect(t, ch, "service-restored", "reader-added R1")
}
