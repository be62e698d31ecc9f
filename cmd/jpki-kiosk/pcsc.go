package main

import (
	"context"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// pcscPort is the flow's CardPort for the card in a real reader: it holds
// the exclusive connection while a card is in, and answers ErrCardRemoved
// when there is none.
type pcscPort struct {
	mu   sync.Mutex
	conn *card.Conn
	port *flow.CardAdapter
}

func (p *pcscPort) current() (*flow.CardAdapter, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.port == nil {
		return nil, flow.ErrCardRemoved
	}
	return p.port, nil
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
	p.conn, p.port = conn, flow.NewCardPort(card.New(conn))
	return nil
}

func (p *pcscPort) disconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		p.conn.Close()
	}
	p.conn, p.port = nil, nil
}

func (p *pcscPort) Identify(ctx context.Context) (flow.CardInfo, error) {
	a, err := p.current()
	if err != nil {
		return flow.CardInfo{}, err
	}
	return a.Identify(ctx)
}

func (p *pcscPort) VerifyPIN(ctx context.Context, which flow.PIN, pin []byte, confirm bool) error {
	a, err := p.current()
	if err != nil {
		return err
	}
	return a.VerifyPIN(ctx, which, pin, confirm)
}

func (p *pcscPort) ChangePIN(ctx context.Context, which flow.PIN, old, new []byte, confirm bool) error {
	a, err := p.current()
	if err != nil {
		return err
	}
	return a.ChangePIN(ctx, which, old, new, confirm)
}

func (p *pcscPort) ReadSignCert(ctx context.Context, pin []byte, confirm bool) (*flow.CertInfo, error) {
	a, err := p.current()
	if err != nil {
		return nil, err
	}
	return a.ReadSignCert(ctx, pin, confirm)
}

func (p *pcscPort) ReadBirthDate(ctx context.Context, pin []byte, confirm bool) (time.Time, error) {
	a, err := p.current()
	if err != nil {
		return time.Time{}, err
	}
	return a.ReadBirthDate(ctx, pin, confirm)
}

func (p *pcscPort) SetPIN(ctx context.Context, which flow.PIN, pin []byte) error {
	a, err := p.current()
	if err != nil {
		return err
	}
	return a.SetPIN(ctx, which, pin)
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
