package flow

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/policy"
)

// IssueAdapter is the flow's Issuer over a card/issue backend (training CA
// or gateway) for one card session. Build one per card connection, with the
// same transmitter (the session's *card.Trace) the card.Card uses, and give
// the flow the CardPort returned by CardPort: its ReadBirthDate also keeps
// the holder data a signature certificate needs (in memory, until Wipe),
// and its SetPIN sets the new PIN through the issuer, in the
// issuer-authenticated card session, journalled.
type IssueAdapter struct {
	Issuer   issue.Issuer
	Card     *card.Card     // the session's card; the issuer relays through it (card.Card.Relay keeps its selection cache true)
	StaffID  string         // the approving clerk, recorded with the issuance when known
	Location *time.Location // zone of the birth date, as CardAdapter.Location; UTC if nil

	mu      sync.Mutex
	holder  *issue.Holder
	session string // the flow session of the running issuance, for events
}

// NewIssueAdapter wraps an issuer for the card session of c.
func NewIssueAdapter(iss issue.Issuer, c *card.Card) *IssueAdapter {
	return &IssueAdapter{Issuer: iss, Card: c}
}

var _ Issuer = (*IssueAdapter)(nil)

// Issue issues one certificate: the issuer authenticates, the card makes
// the key pair, the certificate is written. The flow then sets the PIN with
// the CardPort from a.CardPort.
func (a *IssueAdapter) Issue(ctx context.Context, req IssueRequest) (IssueResult, error) {
	c, err := issueCert(req.Cert)
	if err != nil {
		return IssueResult{}, err
	}
	ir := issue.Request{
		Purpose:  issuePurpose(req.Purpose),
		Certs:    []issue.CertRequest{{Cert: c, NotAfter: policy.DateIn(req.NotAfter, time.UTC)}},
		Approval: issue.Approval{ID: req.ApprovalID, StaffID: a.StaffID},
	}
	if req.Ticket > 0 {
		ir.Approval.Ticket = strconv.Itoa(req.Ticket)
	}
	if c == issue.Sign {
		a.mu.Lock()
		if a.holder != nil {
			h := *a.holder
			ir.Holder = &h
		}
		a.mu.Unlock()
		defer ir.Holder.Wipe()
	}
	a.mu.Lock()
	a.session = req.SessionID
	a.mu.Unlock()
	res, err := a.Issuer.Issue(ctx, a.Card, ir)
	if err != nil {
		return IssueResult{}, mapIssueErr(err)
	}
	for _, ic := range res.Certs {
		if ic.Cert == c {
			return IssueResult{Cert: CertInfo{Serial: hexSerial(ic.Serial), NotBefore: ic.NotBefore, NotAfter: ic.NotAfter}}, nil
		}
	}
	return IssueResult{}, errors.New("issuer returned no certificate")
}

// BirthDate returns the holder's birth date read at ReadBirthDate in this
// card session (false when not read, or wiped since).
func (a *IssueAdapter) BirthDate() (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.holder == nil {
		return time.Time{}, false
	}
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("20060102", a.holder.BirthDate, loc)
	return t, err == nil
}

// Wipe drops the holder data kept for the signature certificate.
func (a *IssueAdapter) Wipe() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.holder.Wipe()
	a.holder = nil
}

// CardPort wraps p for issuance: ReadBirthDate keeps the holder data, and
// SetPIN goes through the issuer.
func (a *IssueAdapter) CardPort(p CardPort) CardPort { return &issueCardPort{CardPort: p, a: a} }

type issueCardPort struct {
	CardPort
	a *IssueAdapter
}

// ReadBirthDate verifies the basic-info PIN, returns the birth date and
// keeps name, sex, birth date and address for a signature certificate.
func (p *issueCardPort) ReadBirthDate(ctx context.Context, pin []byte, confirmLastTry bool) (time.Time, error) {
	bi, birth, err := readBasicInfo(ctx, p.a.Card, pin, confirmLastTry, p.a.Location)
	if err != nil {
		return time.Time{}, err
	}
	defer func() { *bi = card.BasicInfo{} }()
	p.a.mu.Lock()
	p.a.holder.Wipe()
	p.a.holder = &issue.Holder{Name: bi.Name, Sex: bi.Sex, BirthDate: bi.BirthDate, Address: bi.Address}
	p.a.mu.Unlock()
	return birth, nil
}

// SetPIN sets the new PIN through the issuer right after Issue, in the same
// issuer-authenticated card session.
func (p *issueCardPort) SetPIN(ctx context.Context, which PIN, pin []byte) error {
	cert, ok := which.Cert()
	if !ok {
		return fmt.Errorf("no issuance pin %s", which)
	}
	c, err := issueCert(cert)
	if err != nil {
		return err
	}
	return mapIssueErr(p.a.Issuer.SetPIN(ctx, p.a.Card, c, pin))
}

// issueCert and issuePurpose are the one converter between the flow's words
// (policy's) and card/issue's wire-level ones (its JSON with the gateway and
// its journal: docs/FLOW.md, "Vocabulary").
func issueCert(c Cert) (issue.Cert, error) {
	switch c {
	case CertAuth:
		return issue.Auth, nil
	case CertSign:
		return issue.Sign, nil
	}
	return "", fmt.Errorf("no such certificate %q", string(c))
}

func issuePurpose(p Purpose) issue.Purpose {
	switch p {
	case PurposeRenew:
		return issue.Renew
	case PurposeNew:
		return issue.New
	}
	return issue.Purpose(p) // no purpose of an issuance: card/issue refuses it
}

// mapIssueErr keeps the flow's card-removed signal visible.
func mapIssueErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, card.ErrCardRemoved) || errors.Is(err, card.ErrNoCard) || errors.Is(err, card.ErrNoReader) || errors.Is(err, card.ErrNoService) {
		return fmt.Errorf("%w: %v", ErrCardRemoved, err)
	}
	return err
}

// hexSerial turns card/issue's decimal serial into the flow's upper-case
// hexadecimal (as CardAdapter shows serials).
func hexSerial(dec string) string {
	n, ok := new(big.Int).SetString(dec, 10)
	if !ok {
		return dec
	}
	return strings.ToUpper(n.Text(16))
}

// Events returns an issue.EventSink (for issue.Client.SetEvents) that
// records the issuer's steps in r as transitions of the running session:
// kind ISSUANCE_<STEP> (OPEN, GENERATE_KEY, WRITE_CA_CERTIFICATE,
// WRITE_CERTIFICATE, SET_PIN, DONE, INTERRUPTED, FAILED) with the codes
// CERT_AUTH|CERT_SIGN, STEP_SENT|STEP_DONE and JOURNAL_<id>, so that the
// audit trail shows which step of which certificate is done. No PIN, no
// personal data, no free text. onErr (may be nil) gets recorder failures.
func (a *IssueAdapter) Events(r Recorder, onErr func(error)) issue.EventSink {
	return issueEvents{a: a, r: r, onErr: onErr}
}

type issueEvents struct {
	a     *IssueAdapter
	r     Recorder
	onErr func(error)
}

// IssuanceEvent implements issue.EventSink.
func (s issueEvents) IssuanceEvent(ctx context.Context, e issue.Event) {
	s.a.mu.Lock()
	session := s.a.session
	s.a.mu.Unlock()
	if session == "" || s.r == nil {
		return
	}
	t := Transition{At: e.Time, Kind: "ISSUANCE_" + strings.ToUpper(e.Step), From: StateIssuing, To: StateIssuing}
	if e.Cert != "" {
		t.Reasons = append(t.Reasons, "CERT_"+strings.ToUpper(string(e.Cert)))
	}
	if e.Status != "" {
		t.Reasons = append(t.Reasons, "STEP_"+strings.ToUpper(string(e.Status)))
	}
	if e.JournalID != "" {
		t.Reasons = append(t.Reasons, "JOURNAL_"+e.JournalID)
	}
	if err := s.r.Record(ctx, session, t); err != nil && s.onErr != nil {
		s.onErr(err)
	}
}
