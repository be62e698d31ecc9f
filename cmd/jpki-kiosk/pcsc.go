package main

import (
	"context"
	"sync"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// pcscPort holds the exclusive PC/SC connection to the card in a real
// reader while it is in, and makes it the current connection of the flow's
// card slot (which answers ErrCardRemoved when there is none).
type pcscPort struct {
	slot *flow.CardSlot
	mu   sync.Mutex
	conn *card.Conn
}

func (p *pcscPort) connect(reader string) error {
	conn, err := card.Connect(reader)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		p.conn.Close()
	}
	p.conn = conn
	p.slot.Connect(conn)
	return nil
}

func (p *pcscPort) disconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slot.Disconnect()
	if p.conn != nil {
		p.conn.Close()
	}
	p.conn = nil
}

// watchReaders follows the PC/SC readers: the kiosk shows "reader missing"
// while there is none, and a card going in or out becomes a flow event. It
// returns the function that stops watching.
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
				if err := p.connect(ev.Reader); err == nil {
					k.CardInserted()
				}
			case card.CardRemoved:
				p.disconnect()
				k.CardRemoved()
			}
			k.SetReaderPresent(len(readers) > 0)
		}
	}()
	return func() { cancel(); p.disconnect() }
}
