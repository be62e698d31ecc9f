package flow

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
)

// CardSlot is the card in the reader as the kiosk's flow sees it: the flow's
// CardPort and Issuer over whatever card connection is current. Each
// Connect builds a fresh card.Card and, when an issuer is set, a fresh
// IssueAdapter for that connection (docs/ISSUANCE.md: one adapter per card
// connection), so that holder data and the issuer's card session never
// outlive the card. Without a connection every method answers
// ErrCardRemoved.
//
// It is also the issue.EventSink to give the issuer (Client.SetEvents): the
// issuer's steps go to the current adapter's audit events. Use Recorder to
// wrap the flow's recorder so that holder data is wiped when a session
// starts or ends.
type CardSlot struct {
	// Issuer is the issuance backend; nil: Issue fails (no issuance).
	Issuer issue.Issuer
	// Audit receives the issuer's steps (IssueAdapter.Events); nil: none.
	Audit Recorder
	// OnAuditError hears Audit failures; may be nil.
	OnAuditError func(error)
	// Location is the zone of birth dates on the card; UTC if nil.
	Location *time.Location
	// Genuine checks the auth certificate at identification (see
	// CardAdapter.Genuine); nil: not checked.
	Genuine func(der []byte) (verdict string, generation int)

	mu   sync.Mutex
	t    card.Transmitter
	c    *card.Card
	port CardPort
	ia   *IssueAdapter
}

var (
	_ CardPort        = (*CardSlot)(nil)
	_ Issuer          = (*CardSlot)(nil)
	_ issue.EventSink = (*CardSlot)(nil)
)

// ErrNoIssuer: the kiosk was started without an issuance backend.
var ErrNoIssuer = errors.New("no issuance backend configured")

// Connect makes t the current card connection (wiping the previous one's
// holder data) and returns the card.Card the flow uses over it.
func (s *CardSlot) Connect(t card.Transmitter) *card.Card {
	c := card.New(t)
	ca := &CardAdapter{Card: c, Location: s.Location, Genuine: s.Genuine}
	var port CardPort = ca
	var ia *IssueAdapter
	if s.Issuer != nil {
		// The issuer relays through the session's Card (card.Card.Transmit),
		// which keeps its selection cache true.
		ia = NewIssueAdapter(s.Issuer, c)
		ia.Location = s.Location
		port = ia.CardPort(ca)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ia != nil {
		s.ia.Wipe()
	}
	s.t, s.c, s.port, s.ia = t, c, port, ia
	return c
}

// Disconnect forgets the current connection and wipes its holder data.
func (s *CardSlot) Disconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ia != nil {
		s.ia.Wipe()
	}
	s.t, s.c, s.port, s.ia = nil, nil, nil, nil
}

// Wipe drops the holder data kept for a signature certificate (the
// connection stays).
func (s *CardSlot) Wipe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ia != nil {
		s.ia.Wipe()
	}
}

// Conn returns the current connection's card and transmitter (for staff
// card work at the counter); false when no card is connected.
func (s *CardSlot) Conn() (*card.Card, card.Transmitter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c, s.t, s.c != nil
}

// SetStaffID records the approving clerk with the next issuances of this
// connection (IssueAdapter.StaffID).
func (s *CardSlot) SetStaffID(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ia != nil {
		s.ia.StaffID = id
	}
}

// BirthDate returns the birth date read from the current card in this
// session (IssueAdapter.BirthDate); false when unknown.
func (s *CardSlot) BirthDate() (time.Time, bool) {
	_, ia, err := s.current()
	if err != nil || ia == nil {
		return time.Time{}, false
	}
	return ia.BirthDate()
}

func (s *CardSlot) current() (CardPort, *IssueAdapter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.port == nil {
		return nil, nil, ErrCardRemoved
	}
	return s.port, s.ia, nil
}

// Identify implements CardPort.
func (s *CardSlot) Identify(ctx context.Context) (CardInfo, error) {
	p, _, err := s.current()
	if err != nil {
		return CardInfo{}, err
	}
	return p.Identify(ctx)
}

// VerifyPIN implements CardPort.
func (s *CardSlot) VerifyPIN(ctx context.Context, which PIN, pin []byte, confirm bool) error {
	p, _, err := s.current()
	if err != nil {
		return err
	}
	return p.VerifyPIN(ctx, which, pin, confirm)
}

// ChangePIN implements CardPort.
func (s *CardSlot) ChangePIN(ctx context.Context, which PIN, old, new []byte, confirm bool) error {
	p, _, err := s.current()
	if err != nil {
		return err
	}
	return p.ChangePIN(ctx, which, old, new, confirm)
}

// ReadSignCert implements CardPort.
func (s *CardSlot) ReadSignCert(ctx context.Context, pin []byte, confirm bool) (*CertInfo, error) {
	p, _, err := s.current()
	if err != nil {
		return nil, err
	}
	return p.ReadSignCert(ctx, pin, confirm)
}

// ReadBirthDate implements CardPort; with an issuer it also keeps the
// holder data for a signature certificate until the session ends.
func (s *CardSlot) ReadBirthDate(ctx context.Context, pin []byte, confirm bool) (time.Time, error) {
	p, _, err := s.current()
	if err != nil {
		return time.Time{}, err
	}
	return p.ReadBirthDate(ctx, pin, confirm)
}

// SetPIN implements CardPort: through the issuer right after Issue.
func (s *CardSlot) SetPIN(ctx context.Context, which PIN, pin []byte) error {
	p, _, err := s.current()
	if err != nil {
		return err
	}
	return p.SetPIN(ctx, which, pin)
}

// Issue implements Issuer through the current connection's IssueAdapter.
func (s *CardSlot) Issue(ctx context.Context, req IssueRequest) (IssueResult, error) {
	_, ia, err := s.current()
	if err != nil {
		return IssueResult{}, err
	}
	if ia == nil {
		return IssueResult{}, ErrNoIssuer
	}
	return ia.Issue(ctx, req)
}

// IssuanceEvent implements issue.EventSink: the step goes into the audit
// trail of the session running the issuance (IssueAdapter.Events).
func (s *CardSlot) IssuanceEvent(ctx context.Context, e issue.Event) {
	_, ia, err := s.current()
	if err != nil || ia == nil || s.Audit == nil {
		return
	}
	ia.Events(s.Audit, s.OnAuditError).IssuanceEvent(ctx, e)
}

// Recorder wraps r so that the slot's holder data is wiped when a session
// starts and when it ends (timeout, cancel, card removed, done).
func (s *CardSlot) Recorder(r Recorder) Recorder { return wipingRecorder{Recorder: r, w: s} }

type wipingRecorder struct {
	Recorder
	w interface{ Wipe() }
}

func (r wipingRecorder) StartSession(ctx context.Context, at time.Time) (string, error) {
	r.w.Wipe()
	return r.Recorder.StartSession(ctx, at)
}

func (r wipingRecorder) EndSession(ctx context.Context, id string, end SessionEnd) error {
	r.w.Wipe()
	return r.Recorder.EndSession(ctx, id, end)
}
