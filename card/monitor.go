package card

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/ebfe/scard"
)

// pnpNotification is the pseudo-reader whose state changes when readers
// come and go (PC/SC part 5; pcsc-lite and WinSCard both support it).
const pnpNotification = `\\?PnP?\Notification`

// eventCounterShift: the upper 16 bits of dwEventState count card events
// in that reader; carried into the next dwCurrentState so that a card
// swapped between two calls is still seen (DESIGN.md §4, PC/SC habits).
const eventCounterShift = 16

// EventKind is the kind of a Monitor event.
type EventKind int

// Monitor events.
const (
	ReaderAdded     EventKind = iota + 1 // a reader appeared (also for each reader at start)
	ReaderRemoved                        // a reader went away
	CardInserted                         // a card is in the reader (also at start)
	CardRemoved                          // the card left the reader
	ServiceLost                          // the PC/SC service went away; readers are reported removed first
	ServiceRestored                      // the PC/SC service is back; readers follow as ReaderAdded
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case ReaderAdded:
		return "reader-added"
	case ReaderRemoved:
		return "reader-removed"
	case CardInserted:
		return "card-inserted"
	case CardRemoved:
		return "card-removed"
	case ServiceLost:
		return "service-lost"
	case ServiceRestored:
		return "service-restored"
	}
	return "unknown"
}

// Event is a change in the readers or their cards.
type Event struct {
	Kind   EventKind
	Reader string // empty for ServiceLost and ServiceRestored
	ATR    []byte // CardInserted: the answer to reset (diagnostics only)
	Err    error  // ServiceLost: why
}

// statusContext is the part of a PC/SC context the monitor uses;
// *scard.Context implements it, tests fake it.
type statusContext interface {
	ListReaders() ([]string, error)
	GetStatusChange(states []scard.ReaderState, timeout time.Duration) error
	Cancel() error
	Release() error
}

// Monitor watches readers and cards with SCardGetStatusChange, and
// re-establishes its PC/SC context when the service goes away (pcscd
// restarted; Windows stops its smart-card service when the last reader is
// unplugged).
type Monitor struct {
	// Retry is the pause between attempts to reach a lost service.
	Retry time.Duration
	// Wait bounds one SCardGetStatusChange call; changes still end a call at once.
	Wait time.Duration

	establish func() (statusContext, error)
}

// NewMonitor returns a Monitor on the system's PC/SC service.
func NewMonitor() *Monitor {
	return &Monitor{
		Retry: 250 * time.Millisecond,
		Wait:  time.Second,
		establish: func() (statusContext, error) {
			ctx, err := scard.EstablishContext()
			if err != nil {
				return nil, err
			}
			return ctx, nil
		},
	}
}

// readerSeen is what the monitor knows of one reader.
type readerSeen struct {
	state   scard.StateFlag // last dwEventState without SCARD_STATE_CHANGED, counter included
	known   bool            // state came from the service
	present bool
}

// Run watches until ctx is done, then closes the channel. The first events
// describe the readers and cards present at start.
func (m *Monitor) Run(ctx context.Context) <-chan Event {
	out := make(chan Event)
	go m.run(ctx, out)
	return out
}

type monitorRun struct {
	m       *Monitor
	ctx     context.Context
	out     chan<- Event
	readers map[string]*readerSeen
	order   []string
	pnp     scard.StateFlag
	lost    bool // ServiceLost reported and not yet restored
}

func (m *Monitor) run(ctx context.Context, out chan<- Event) {
	defer close(out)
	r := &monitorRun{m: m, ctx: ctx, out: out, readers: map[string]*readerSeen{}}
	for ctx.Err() == nil {
		sc, err := m.establish()
		if err != nil {
			r.serviceLost("SCardEstablishContext", err)
			r.sleep(m.Retry)
			continue
		}
		if r.lost {
			r.lost = false
			r.emit(Event{Kind: ServiceRestored})
		}
		stop := context.AfterFunc(ctx, func() { _ = sc.Cancel() })
		err = r.watch(sc)
		stop()
		_ = sc.Release()
		if ctx.Err() != nil {
			return
		}
		r.serviceLost("SCardGetStatusChange", err)
		r.sleep(m.Retry)
	}
}

// watch follows one context until it fails or ctx is done.
func (r *monitorRun) watch(sc statusContext) error {
	r.pnp = scard.StateUnaware
	for r.ctx.Err() == nil {
		names, err := sc.ListReaders()
		if errors.Is(err, scard.ErrNoReadersAvailable) {
			names, err = nil, nil
		}
		if err != nil {
			if serviceGone(err) {
				return err
			}
			r.sleep(r.m.Retry)
			continue
		}
		r.sync(names)

		states := make([]scard.ReaderState, 0, len(r.order)+1)
		for _, n := range r.order {
			states = append(states, scard.ReaderState{Reader: n, CurrentState: r.readers[n].state})
		}
		states = append(states, scard.ReaderState{Reader: pnpNotification, CurrentState: r.pnp})
		statusMu.Lock()
		err = sc.GetStatusChange(states, r.m.Wait)
		statusMu.Unlock()
		switch {
		case err == nil:
			r.update(states)
		case errors.Is(err, scard.ErrTimeout), errors.Is(err, scard.ErrCancelled),
			errors.Is(err, scard.ErrUnknownReader):
			// Nothing changed, we are stopping, or a reader vanished: look again.
		case serviceGone(err):
			return err
		default:
			r.sleep(r.m.Retry)
		}
	}
	return nil
}

// serviceGone tells the errors after which the context must be re-established.
func serviceGone(err error) bool {
	return errors.Is(err, scard.ErrNoService) || errors.Is(err, scard.ErrServiceStopped) ||
		errors.Is(err, scard.ErrInvalidHandle) || errors.Is(err, scard.ErrShutdown)
}

// sync reports readers that appeared or went away.
func (r *monitorRun) sync(names []string) {
	for _, n := range slices.Clone(r.order) {
		if !slices.Contains(names, n) {
			r.drop(n)
		}
	}
	for _, n := range names {
		if _, ok := r.readers[n]; !ok && n != pnpNotification {
			r.readers[n] = &readerSeen{}
			r.order = append(r.order, n)
			r.emit(Event{Kind: ReaderAdded, Reader: n})
		}
	}
}

func (r *monitorRun) drop(name string) {
	if rs := r.readers[name]; rs != nil && rs.present {
		r.emit(Event{Kind: CardRemoved, Reader: name})
	}
	delete(r.readers, name)
	r.order = slices.DeleteFunc(r.order, func(s string) bool { return s == name })
	r.emit(Event{Kind: ReaderRemoved, Reader: name})
}

// update turns the answer of SCardGetStatusChange into events.
func (r *monitorRun) update(states []scard.ReaderState) {
	for _, s := range states {
		if s.Reader == pnpNotification {
			r.pnp = s.EventState &^ scard.StateChanged
			continue
		}
		rs := r.readers[s.Reader]
		if rs == nil || s.EventState&scard.StateChanged == 0 {
			continue
		}
		if s.EventState&(scard.StateUnknown|scard.StateIgnore) != 0 {
			continue // the reader is gone; the next ListReaders reports it
		}
		present := s.EventState&scard.StatePresent != 0
		swapped := rs.known && rs.present && present &&
			(s.EventState>>eventCounterShift)-(rs.state>>eventCounterShift) >= 2
		if rs.present && (!present || swapped) {
			r.emit(Event{Kind: CardRemoved, Reader: s.Reader})
		}
		if present && (!rs.present || swapped) {
			r.emit(Event{Kind: CardInserted, Reader: s.Reader, ATR: bytes.Clone(s.Atr)})
		}
		rs.state, rs.known, rs.present = s.EventState&^scard.StateChanged, true, present
	}
}

// serviceLost reports the readers gone and the service lost, once.
func (r *monitorRun) serviceLost(op string, err error) {
	if r.lost || r.ctx.Err() != nil {
		return
	}
	for _, n := range slices.Clone(r.order) {
		r.drop(n)
	}
	r.lost = true
	r.emit(Event{Kind: ServiceLost, Err: pcscErr(op, err)})
}

func (r *monitorRun) emit(e Event) {
	select {
	case r.out <- e:
	case <-r.ctx.Done():
	}
}

func (r *monitorRun) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
	}
}
