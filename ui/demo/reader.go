// Package demo runs the kiosk without hardware: an in-process virtual card
// reader holding virtual JPKI cards (package card/vcard), a temporary
// database, and an operator panel window to insert and remove any persona
// and to act as the clerk. It is the only part of the UI allowed to import
// card/vcard.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Reader is an in-process card reader with at most one virtual card in it.
// It is the card layer's transmitter (card.Transmitter) and the flow's
// CardPort. A persona's card keeps its state (PINs, tries, new
// certificates) when it is taken out and put back; Reset forgets it.
type Reader struct {
	mu      sync.Mutex
	now     func() time.Time
	opts    vcard.Options
	cards   map[string]*vcard.Card
	current string
	slot    *flow.CardSlot
}

var (
	_ card.Transmitter = (*Reader)(nil)
	_ flow.CardPort    = (*Reader)(nil)
)

// NewReader makes an empty reader. Personas are built for the date now()
// returns when first inserted; opts go to every card (the training issuer's
// key, so that issuance works: see TrainingOptions).
func NewReader(now func() time.Time, opts vcard.Options) *Reader {
	return NewIssuingReader(now, opts, &flow.CardSlot{})
}

// NewIssuingReader is NewReader whose cards are reached through slot: each
// insertion is a new card connection of the slot (a fresh card.Card and,
// when slot.Issuer is set, a fresh flow.IssueAdapter), each removal ends it.
// Give the flow the reader as CardPort and the slot (or a guard around it)
// as Issuer.
func NewIssuingReader(now func() time.Time, opts vcard.Options, slot *flow.CardSlot) *Reader {
	return &Reader{now: now, opts: opts, cards: map[string]*vcard.Card{}, slot: slot}
}

// Slot returns the card slot the reader connects its cards through.
func (r *Reader) Slot() *flow.CardSlot { return r.slot }

// TrainingOptions are the card options for demo mode with the training
// issuer whose data directory is dataDir (issue.NewTraining(dataDir) must
// have run): the cards trust its issuer key (vcard.IssuerKeyFile).
func TrainingOptions(dataDir string) (vcard.Options, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, vcard.IssuerKeyFile))
	if err != nil {
		return vcard.Options{}, fmt.Errorf("demo: the training issuer's key: %w", err)
	}
	k, err := vcard.ParseIssuerKey(b)
	if err != nil {
		return vcard.Options{}, err
	}
	return vcard.Options{IssuerKey: k}, nil
}

// Personas lists the personas the reader can take.
func Personas() []vcard.Info { return vcard.List() }

// Insert puts persona's card into the reader (taking out any other card).
func (r *Reader) Insert(persona string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cards[persona]
	if !ok {
		p, err := vcard.NewPersona(persona, r.now())
		if err != nil {
			return err
		}
		c = p.NewCard(r.opts)
		r.cards[persona] = c
	}
	if cur := r.cards[r.current]; cur != nil && r.current != persona {
		cur.Remove()
	}
	c.Insert()
	r.slot.Connect(r)
	r.current = persona
	return nil
}

// Remove takes the card out (no-op when empty).
func (r *Reader) Remove() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.cards[r.current]; c != nil {
		c.Remove()
	}
	r.current = ""
	r.slot.Disconnect()
}

// Reset forgets every card's state: the next insertion builds a fresh card.
func (r *Reader) Reset() {
	r.Remove()
	r.mu.Lock()
	r.cards = map[string]*vcard.Card{}
	r.mu.Unlock()
}

// Current returns the persona in the reader, "" when empty.
func (r *Reader) Current() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// Transmit sends an APDU to the card in the reader.
func (r *Reader) Transmit(apdu []byte) ([]byte, error) {
	r.mu.Lock()
	c := r.cards[r.current]
	r.mu.Unlock()
	if c == nil {
		return nil, card.ErrNoCard
	}
	return c.Transmit(apdu)
}

// The CardPort methods delegate to the flow's adapter over this reader.

// Identify implements flow.CardPort.
func (r *Reader) Identify(ctx context.Context) (flow.CardInfo, error) { return r.slot.Identify(ctx) }

// VerifyPIN implements flow.CardPort.
func (r *Reader) VerifyPIN(ctx context.Context, which flow.PIN, pin []byte, confirm bool) error {
	return r.slot.VerifyPIN(ctx, which, pin, confirm)
}

// ChangePIN implements flow.CardPort.
func (r *Reader) ChangePIN(ctx context.Context, which flow.PIN, old, new []byte, confirm bool) error {
	return r.slot.ChangePIN(ctx, which, old, new, confirm)
}

// ReadSignCert implements flow.CardPort.
func (r *Reader) ReadSignCert(ctx context.Context, pin []byte, confirm bool) (*flow.CertInfo, error) {
	return r.slot.ReadSignCert(ctx, pin, confirm)
}

// ReadBirthDate implements flow.CardPort.
func (r *Reader) ReadBirthDate(ctx context.Context, pin []byte, confirm bool) (time.Time, error) {
	return r.slot.ReadBirthDate(ctx, pin, confirm)
}

// SetPIN implements flow.CardPort.
func (r *Reader) SetPIN(ctx context.Context, which flow.PIN, pin []byte) error {
	return r.slot.SetPIN(ctx, which, pin)
}
