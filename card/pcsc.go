package card

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ebfe/scard"
)

// statusMu serialises SCardGetStatusChange: github.com/ebfe/scard keeps the
// reader names of every call in one package-level map, unguarded.
var statusMu sync.Mutex

// ReaderStatus is a reader and whether a card is in it.
type ReaderStatus struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"card_present"`
}

// ListReaders lists the PC/SC readers and whether each holds a card. No
// reader is an empty list; a stopped service is ErrNoService.
func ListReaders() ([]ReaderStatus, error) {
	ctx, err := scard.EstablishContext()
	if err != nil {
		return nil, pcscErr("SCardEstablishContext", err)
	}
	defer ctx.Release()
	return listReaders(ctx)
}

func listReaders(ctx *scard.Context) ([]ReaderStatus, error) {
	names, err := ctx.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return []ReaderStatus{}, nil
	}
	if err != nil {
		return nil, pcscErr("SCardListReaders", err)
	}
	states := make([]scard.ReaderState, len(names))
	for i, n := range names {
		states[i] = scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware}
	}
	statusMu.Lock()
	err = ctx.GetStatusChange(states, 0)
	statusMu.Unlock()
	if err != nil && !errors.Is(err, scard.ErrTimeout) {
		return nil, pcscErr("SCardGetStatusChange", err)
	}
	out := make([]ReaderStatus, len(names))
	for i, s := range states {
		out[i] = ReaderStatus{Name: s.Reader, CardPresent: s.EventState&scard.StatePresent != 0}
	}
	return out, nil
}

// Conn is a card held exclusively (SCARD_SHARE_EXCLUSIVE) in one reader. It
// is a Transmitter and a Reconnecter. Close it when the operation is done.
type Conn struct {
	mu     sync.Mutex
	ctx    *scard.Context
	card   *scard.Card
	reader string
}

// Connect opens the card in the named reader exclusively, T=0 or T=1. An
// empty name picks the first reader that holds a card. Errors match
// ErrNoService, ErrNoReader, ErrNoCard or ErrCardInUse.
func Connect(reader string) (*Conn, error) {
	ctx, err := scard.EstablishContext()
	if err != nil {
		return nil, pcscErr("SCardEstablishContext", err)
	}
	if reader == "" {
		if reader, err = firstWithCard(ctx); err != nil {
			ctx.Release()
			return nil, err
		}
	}
	// T=0 or T=1, whichever the card and reader negotiate; ebfe/scard
	// transmits with the protocol SCardConnect reports as active. (A T=0
	// card answers 61 xx where T=1 would return data: transmit follows it.)
	card, err := ctx.Connect(reader, scard.ShareExclusive, scard.ProtocolT0|scard.ProtocolT1)
	if err != nil {
		ctx.Release()
		return nil, fmt.Errorf("connecting to %q: %w", reader, pcscErr("SCardConnect", err))
	}
	return &Conn{ctx: ctx, card: card, reader: reader}, nil
}

// firstWithCard names the first reader holding a card.
func firstWithCard(ctx *scard.Context) (string, error) {
	readers, err := listReaders(ctx)
	if err != nil {
		return "", err
	}
	if len(readers) == 0 {
		return "", ErrNoReader
	}
	for _, r := range readers {
		if r.CardPresent {
			return r.Name, nil
		}
	}
	return "", ErrNoCard
}

// Reader names the reader the card is in.
func (c *Conn) Reader() string { return c.reader }

// Transmit sends one APDU (SCardTransmit).
func (c *Conn) Transmit(apdu []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return nil, fmt.Errorf("transmit: %w", ErrClosed)
	}
	resp, err := c.card.Transmit(apdu)
	if err != nil {
		return nil, pcscErr("SCardTransmit", err)
	}
	return resp, nil
}

// Reconnect re-opens the card after a reset by another party, keeping it
// exclusive (SCardReconnect, leaving the card as it is).
func (c *Conn) Reconnect() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return fmt.Errorf("reconnect: %w", ErrClosed)
	}
	return pcscErr("SCardReconnect", c.card.Reconnect(scard.ShareExclusive, scard.ProtocolT0|scard.ProtocolT1, scard.LeaveCard))
}

// ATR returns the card's answer to reset. It is for diagnostics only: the
// card type comes from the token (Card.Identify), never from the ATR.
func (c *Conn) ATR() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return nil, fmt.Errorf("status: %w", ErrClosed)
	}
	st, err := c.card.Status()
	if err != nil {
		return nil, pcscErr("SCardStatus", err)
	}
	return st.Atr, nil
}

// Close resets the card, so that no verified PIN outlives the session, and
// releases the reader and the PC/SC context.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.card == nil {
		return nil
	}
	err := c.card.Disconnect(scard.ResetCard)
	c.card = nil
	if rerr := c.ctx.Release(); err == nil {
		err = rerr
	}
	return pcscErr("SCardDisconnect", err)
}
