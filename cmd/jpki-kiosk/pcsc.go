package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// How long an insertion's connect is retried, and how often (DESIGN.md §4:
// right after insertion an exclusive connect can fail with
// SCARD_E_SHARING_VIOLATION while the system probes the card, or the card
// is mute for a moment on a contactless reader).
var (
	connectFor   = 4 * time.Second
	connectEvery = 200 * time.Millisecond
)

// cardConn is an open exclusive connection (card.Conn; a fake in tests).
type cardConn interface {
	card.Transmitter
	Close() error
}

// pcscPort holds the exclusive PC/SC connection to the card in a real
// reader while it is in, and makes it the current connection of the flow's
// card slot (which answers ErrCardRemoved when there is none). It is the
// flow's CardPort: the slot's, except that Identify waits for the
// insertion's connect (retried for a few seconds while the reading
// indicator is up) and reports a card that never answered as
// flow.ErrCardUnreadable, so an insertion is never ignored.
type pcscPort struct {
	*flow.CardSlot
	// connectFn opens the reader; card.Connect if nil.
	connectFn func(reader string) (cardConn, error)

	mu      sync.Mutex
	conn    cardConn
	pending chan struct{}      // closed when the current insertion's connect ended
	err     error              // its outcome
	cancel  context.CancelFunc // stops its retries
}

func newPCSCPort(slot *flow.CardSlot) *pcscPort { return &pcscPort{CardSlot: slot} }

func (p *pcscPort) open(reader string) (cardConn, error) {
	if p.connectFn != nil {
		return p.connectFn(reader)
	}
	c, err := card.Connect(reader)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// retryable reports whether a failed connect right after insertion is
// worth retrying: the card is held by someone else for a moment, or mute.
func retryable(err error) bool {
	return errors.Is(err, card.ErrCardInUse) || errors.Is(err, card.ErrCardMute)
}

// inserted starts connecting to the card just inserted in reader,
// retrying for connectFor; Identify waits for it.
func (p *pcscPort) inserted(reader string) {
	p.mu.Lock()
	if p.cancel != nil {
		p.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectFor)
	done := make(chan struct{})
	p.pending, p.cancel, p.err = done, cancel, nil
	p.mu.Unlock()
	go func() {
		defer cancel()
		err := p.connectRetry(ctx, reader)
		p.mu.Lock()
		if p.pending == done {
			p.err = err
		}
		p.mu.Unlock()
		close(done)
	}()
}

func (p *pcscPort) connectRetry(ctx context.Context, reader string) error {
	for {
		conn, err := p.open(reader)
		if err == nil {
			p.mu.Lock()
			defer p.mu.Unlock()
			if ctx.Err() != nil { // removed (or replaced) meanwhile
				conn.Close()
				return ctx.Err()
			}
			if p.conn != nil {
				p.conn.Close()
			}
			p.conn = conn
			p.CardSlot.Connect(conn)
			return nil
		}
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return ctx.Err() // taken out (or another insertion) while retrying
			}
			return fmt.Errorf("%w: %v", flow.ErrCardUnreadable, err)
		case <-time.After(connectEvery):
		}
	}
}

// Identify waits for the insertion's connect, then reads the card.
func (p *pcscPort) Identify(ctx context.Context) (flow.CardInfo, error) {
	p.mu.Lock()
	done := p.pending
	p.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return flow.CardInfo{}, ctx.Err()
		}
		p.mu.Lock()
		err := p.err
		p.mu.Unlock()
		switch {
		case errors.Is(err, flow.ErrCardUnreadable):
			return flow.CardInfo{}, err
		case errors.Is(err, card.ErrNoCard), errors.Is(err, card.ErrCardRemoved), errors.Is(err, context.Canceled):
			return flow.CardInfo{}, fmt.Errorf("%w: %v", flow.ErrCardRemoved, err)
		case err != nil:
			return flow.CardInfo{}, err
		}
	}
	return p.CardSlot.Identify(ctx)
}

func (p *pcscPort) disconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.CardSlot.Disconnect()
	if p.conn != nil {
		p.conn.Close()
	}
	p.conn = nil
}

// watchReaders follows the PC/SC readers: the kiosk shows "reader missing"
// while there is none, and a card going in or out becomes a flow event. An
// insertion always becomes one: the flow shows its reading indicator while
// the connect is retried (see pcscPort), then the card or a clear message.
// It returns the function that stops watching.
func watchReaders(k *ui.Kiosk, p *pcscPort, want string) func() {
	ctx, cancel := context.WithCancel(context.Background())
	k.SetReaderPresent(false)
	events := card.NewMonitor().Run(ctx)
	go func() {
		readers := map[string]bool{}
		for ev := range events {
			ops.cardEvent(ev)
			if want != "" && ev.Reader != "" && ev.Reader != want {
				continue
			}
			switch ev.Kind {
			case card.ReaderAdded:
				readers[ev.Reader] = true
			case card.ReaderRemoved:
				delete(readers, ev.Reader)
			case card.ServiceLost:
				readers = map[string]bool{}
			case card.CardInserted:
				p.inserted(ev.Reader)
				k.CardInserted()
			case card.CardRemoved:
				p.disconnect()
				k.CardRemoved()
			}
			k.SetReaderPresent(len(readers) > 0)
		}
	}()
	return func() { cancel(); p.disconnect() }
}
