package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
)

// Test PINs of the fake card (not real PINs of anyone).
const (
	authPIN  = "1234"
	signPIN  = "ABC123"
	basicPIN = "4321"
	wrongPIN = "0000"
	badPIN   = "12" // malformed for every PIN
	newAuth  = "2468"
	newSign  = "NEW2025"
)

var jst = time.FixedZone("JST", 9*3600)

// baseNow is the fake clock's start: Wednesday 2025-06-11 10:00 JST.
var baseNow = time.Date(2025, 6, 11, 10, 0, 0, 0, jst)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeCard is an in-memory card with the JPKI behaviour the flow relies on.
type fakeCard struct {
	mu       sync.Mutex
	ref      string // card reference (card.Ref)
	typ      CardType
	auth     *CertInfo
	sign     *CertInfo
	pins     map[PIN]string
	tries    map[PIN]int
	birth    time.Time
	failRead bool
	removed  bool
	verified map[PIN]bool
	calls    int
}

func maxTries(p PIN) int {
	if p == PINSign {
		return 5
	}
	return 3
}

func (c *fakeCard) check(which PIN, pin []byte, confirm bool) error {
	c.calls++
	if c.removed {
		return ErrCardRemoved
	}
	switch t := c.tries[which]; {
	case t == 0:
		return ErrPINLocked
	case t == 1 && !confirm:
		return ErrLastTry
	}
	if !bytes.Equal(pin, []byte(c.pins[which])) {
		c.tries[which]--
		return &PINError{PIN: which, Left: c.tries[which]}
	}
	c.tries[which] = maxTries(which)
	c.verified[which] = true
	return nil
}

func (c *fakeCard) Identify(context.Context) (CardInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.removed {
		return CardInfo{}, ErrCardRemoved
	}
	if c.failRead {
		return CardInfo{}, errors.New("transmit failed")
	}
	info := CardInfo{Type: c.typ, Retries: Retries{-1, -1, -1}, Ref: c.ref}
	if c.typ != CardMyNumber {
		return info, nil
	}
	if c.auth != nil {
		a := *c.auth
		info.Auth = &a
	}
	info.Retries = Retries{Auth: c.tries[PINAuth], Sign: c.tries[PINSign], BasicInfo: c.tries[PINBasicInfo]}
	return info, nil
}

func (c *fakeCard) VerifyPIN(_ context.Context, which PIN, pin []byte, confirm bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check(which, pin, confirm)
}

func (c *fakeCard) ChangePIN(_ context.Context, which PIN, old, new []byte, confirm bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(which, old, confirm); err != nil {
		return err
	}
	c.pins[which] = string(new)
	return nil
}

func (c *fakeCard) ReadSignCert(_ context.Context, pin []byte, confirm bool) (*CertInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(PINSign, pin, confirm); err != nil {
		return nil, err
	}
	if c.sign == nil {
		return nil, nil
	}
	s := *c.sign
	return &s, nil
}

func (c *fakeCard) ReadBirthDate(_ context.Context, pin []byte, confirm bool) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(PINBasicInfo, pin, confirm); err != nil {
		return time.Time{}, err
	}
	return c.birth, nil
}

func (c *fakeCard) SetPIN(_ context.Context, which PIN, pin []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return ErrCardRemoved
	}
	c.pins[which] = string(pin)
	c.tries[which] = maxTries(which)
	return nil
}

// persona builds a fake card like card/vcard's personas.
func persona(name string) *fakeCard {
	c := &fakeCard{
		ref:      "ref-" + name,
		typ:      CardMyNumber,
		pins:     map[PIN]string{PINAuth: authPIN, PINSign: signPIN, PINBasicInfo: basicPIN},
		tries:    map[PIN]int{PINAuth: 3, PINSign: 5, PINBasicInfo: 3},
		birth:    time.Date(1980, 9, 20, 0, 0, 0, 0, time.UTC),
		verified: map[PIN]bool{},
	}
	cert := func(notAfter time.Time) *CertInfo {
		return &CertInfo{Serial: "0A1B", NotBefore: notAfter.AddDate(-5, 0, 0), NotAfter: notAfter}
	}
	far := time.Date(2028, 9, 20, 0, 0, 0, 0, jst)
	c.auth, c.sign = cert(far), cert(far)
	switch name {
	case "adult":
	case "renewable":
		c.auth = cert(time.Date(2025, 7, 20, 0, 0, 0, 0, jst))
		c.sign = cert(time.Date(2025, 7, 20, 0, 0, 0, 0, jst))
	case "expired":
		c.auth = cert(time.Date(2025, 3, 1, 0, 0, 0, 0, jst))
		c.sign = cert(time.Date(2025, 3, 1, 0, 0, 0, 0, jst))
	case "child":
		c.birth = time.Date(2015, 4, 1, 0, 0, 0, 0, time.UTC)
		c.auth = cert(time.Date(2025, 7, 20, 0, 0, 0, 0, jst))
		c.sign = nil
	case "juki":
		c.typ = CardJuki
	case "unknown":
		c.typ = CardUnknown
	case "auth-locked":
		c.tries[PINAuth] = 0
	case "sign-one-try-left":
		c.tries[PINSign] = 1
	case "sign-locked":
		c.tries[PINSign] = 0
	case "basic-locked":
		c.tries[PINBasicInfo] = 0
	case "no-certs":
		c.auth, c.sign = nil, nil
	default:
		panic("unknown persona " + name)
	}
	return c
}

// fakeRules is a small stand-in for policy, enough to drive every route.
type fakeRules struct {
	closed  bool
	selfRun bool // the profile drops the approval step
}

func (fakeRules) PINFormat(which PIN) PINFormat {
	if which == PINSign {
		return PINFormat{MinLen: 6, MaxLen: 16, Rules: []string{"SIGN_PIN_FORMAT"}, MaxTries: 5}
	}
	return PINFormat{MinLen: 4, MaxLen: 4, DigitsOnly: true, Rules: []string{"FOUR_DIGITS"}, MaxTries: 3}
}

func (fakeRules) PINProblems(which PIN, pin []byte) []string {
	var out []string
	if which == PINSign {
		letter, digit := false, false
		for _, b := range pin {
			switch {
			case b >= 'A' && b <= 'Z':
				letter = true
			case b >= '0' && b <= '9':
				digit = true
			default:
				out = append(out, "SIGN_PIN_CHARSET")
			}
		}
		if len(pin) < 6 || len(pin) > 16 {
			out = append(out, "SIGN_PIN_LENGTH")
		}
		if !letter || !digit {
			out = append(out, "SIGN_PIN_MIX")
		}
		return out
	}
	ok := len(pin) == 4
	for _, b := range pin {
		ok = ok && b >= '0' && b <= '9'
	}
	if !ok {
		out = append(out, "FOUR_DIGITS")
	}
	return out
}

func (r fakeRules) Hours(time.Time) Hours {
	if r.closed {
		return Hours{Open: false, Reason: "OUTSIDE_HOURS", NextOpen: baseNow.Add(24 * time.Hour)}
	}
	return Hours{Open: true}
}

func (fakeRules) RenewalOpens(exp time.Time) time.Time { return exp.AddDate(0, -3, 0) }

// Quote answers per certificate as eligibility does and totals the chosen
// allowed ones (the strictest route, one fee, the most visits, documents
// united), as policy.CheckKiosk does.
func (r fakeRules) Quote(q QuoteQuery) Quote {
	var out Quote
	for _, c := range q.Certs {
		eq := fakeQuery{Today: q.Today, BirthDate: q.BirthDate, Cert: c.Cert, CardExpiry: q.CardExpiry,
			Purpose: policy.IssuePurpose(toDate(q.Today), toDate(c.Expiry))}
		if eq.Purpose == PurposeRenew {
			eq.CertExpiry = c.Expiry
		}
		ce := r.eligibility(eq)
		ce.Cert, ce.Purpose = c.Cert, eq.Purpose
		out.Certs = append(out.Certs, ce)
		if !c.Chosen || !ce.Allowed {
			continue
		}
		if out.Route == "" || ce.Route.Rank() > out.Route.Rank() {
			out.Route = ce.Route
		}
		out.FeeYen, out.Visits = max(out.FeeYen, ce.FeeYen), max(out.Visits, ce.Visits)
		for _, d := range ce.Documents {
			if !slices.Contains(out.Documents, d) {
				out.Documents = append(out.Documents, d)
			}
		}
	}
	return out
}

// fakeQuery is one certificate's question to the fake.
type fakeQuery struct {
	Today, BirthDate, CertExpiry, CardExpiry time.Time
	Cert                                     Cert
	Purpose                                  Purpose
}

func (r fakeRules) eligibility(q fakeQuery) CertEligibility {
	if q.BirthDate.IsZero() {
		panic("eligibility without a birth date")
	}
	age := q.Today.Year() - q.BirthDate.Year()
	if q.Today.YearDay() < q.BirthDate.YearDay() {
		age--
	}
	route := RouteApproval
	if r.selfRun {
		route = RouteSelf
	}
	el := CertEligibility{Route: route, Visits: 1, Documents: []string{"CARD"}, NewExpiry: q.Today.AddDate(5, 0, 0)}
	if q.Purpose == PurposeRenew && !q.CertExpiry.IsZero() {
		el.RenewalOpens = q.CertExpiry.AddDate(0, -3, 0)
		el.Documents = append(el.Documents, "EXPIRY_NOTICE")
		if q.Today.Before(el.RenewalOpens) {
			el.Reasons = []string{"NOT_YET_RENEWABLE"}
			return el
		}
	}
	if q.Cert == CertSign && age < 15 {
		el.Reasons = []string{"UNDER_15"}
		return el
	}
	if age < 15 {
		el.Route = RouteCounter
		el.Reasons = []string{"LEGAL_REP_REQUIRED"}
	}
	if !q.CardExpiry.IsZero() {
		if !q.CardExpiry.After(q.Today) {
			return CertEligibility{Route: RouteCounter, Reasons: []string{"CARD_EXPIRED"}}
		}
		if q.CardExpiry.Before(el.NewExpiry) {
			el.NewExpiry = q.CardExpiry
			el.Reasons = append(el.Reasons, "CARD_EXPIRES_FIRST")
		}
	}
	el.Allowed = true
	return el
}

// fakeRecorder keeps everything in memory and fails the test when a secret
// or personal datum reaches it.
type fakeRecorder struct {
	t        testing.TB
	mu       sync.Mutex
	n        int
	open     map[string]bool
	ends     []SessionEnd
	trans    []Transition
	tickets  []TicketRequest
	failTick bool
}

var secrets = []string{authPIN, signPIN, basicPIN, newAuth, newSign, "1980", "19800920", "2015"}

func (r *fakeRecorder) scan(s string) {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			r.t.Errorf("recorder received a secret or personal datum (pattern #%d)", indexOf(secrets, x))
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func (r *fakeRecorder) StartSession(_ context.Context, at time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	id := fmt.Sprintf("S%d", r.n)
	if r.open == nil {
		r.open = map[string]bool{}
	}
	r.open[id] = true
	return id, nil
}

func (r *fakeRecorder) Record(_ context.Context, id string, t Transition) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.open[id] {
		r.t.Errorf("transition %s→%s for a session that is not open", t.From, t.To)
	}
	r.scan(fmt.Sprintf("%v", t))
	r.trans = append(r.trans, t)
	return nil
}

func (r *fakeRecorder) TakeTicket(_ context.Context, id string, req TicketRequest) (Ticket, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failTick {
		return Ticket{}, errors.New("database is locked")
	}
	r.scan(fmt.Sprintf("%v", req))
	r.tickets = append(r.tickets, req)
	return Ticket{Number: len(r.tickets), Day: baseNow, ID: fmt.Sprintf("T%d", len(r.tickets))}, nil
}

func (r *fakeRecorder) EndSession(_ context.Context, id string, end SessionEnd) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.open[id] {
		r.t.Errorf("session %s ended twice or never opened", id)
	}
	delete(r.open, id)
	r.ends = append(r.ends, end)
	return nil
}

// fakeIssuer "writes" certificates onto the fake card.
type fakeIssuer struct {
	card *fakeCard
	fail bool
	reqs []IssueRequest
}

func (i *fakeIssuer) Issue(_ context.Context, req IssueRequest) (IssueResult, error) {
	i.reqs = append(i.reqs, req)
	if i.fail {
		return IssueResult{}, errors.New("issuer unreachable")
	}
	info := CertInfo{Serial: "NEW", NotBefore: baseNow, NotAfter: req.NotAfter}
	i.card.mu.Lock()
	if req.Cert == CertSign {
		i.card.sign = &info
	} else {
		i.card.auth = &info
	}
	i.card.mu.Unlock()
	return IssueResult{Cert: info}, nil
}

// rig is one machine with its fakes; send counts taps.
type rig struct {
	t      testing.TB
	m      *Machine
	q      *QueueExecutor
	card   *fakeCard
	rules  *fakeRules
	rec    *fakeRecorder
	clk    *fakeClock
	issuer *fakeIssuer
	taps   int
}

func newRig(t testing.TB, name string, opts ...func(*rig)) *rig {
	t.Helper()
	r := &rig{t: t, q: &QueueExecutor{}, card: persona(name), rules: &fakeRules{}, clk: &fakeClock{now: baseNow}}
	r.rec = &fakeRecorder{t: t}
	r.issuer = &fakeIssuer{card: r.card}
	for _, o := range opts {
		o(r)
	}
	m, err := New(Config{Card: r.card, Rules: r.rules, Recorder: r.rec, Issuer: r.issuer, Clock: r.clk, Exec: r.q,
		IdleAfter: 60 * time.Second, Countdown: 30 * time.Second, KioskID: "K1", Location: jst})
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	return r
}

// send handles ev and runs the card tasks it started.
func (r *rig) send(ev Event) Snapshot {
	r.t.Helper()
	r.post(ev)
	return r.q.Drain(r.m)
}

// post handles ev without running card tasks.
func (r *rig) post(ev Event) Snapshot {
	if IsTap(ev) {
		r.taps++
	}
	return r.m.Handle(ev)
}

func pin(s string) SubmitPIN { return SubmitPIN{PIN: []byte(s)} }

func (r *rig) want(s Snapshot, st State) {
	r.t.Helper()
	if s.State != st {
		r.t.Fatalf("state %s, want %s (error %q, reasons %v)", s.State, st, s.Error, s.Reasons)
	}
}
