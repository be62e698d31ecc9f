package flow

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

// realNow is a Wednesday morning, inside Moriya's reception hours.
var realNow = time.Date(2025, 6, 11, 10, 0, 0, 0, policy.JST)

type realRig struct {
	*rig
	vc   *vcard.Card
	info vcard.Info
	st   *store.Store
	per  *vcard.Persona
}

// newRealRig wires the machine to a virtual card through CardAdapter, to
// policy through PolicyRules (Moriya) and to a temporary store.
func newRealRig(t *testing.T, persona string) *realRig {
	t.Helper()
	p, err := vcard.NewPersona(persona, realNow)
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{})
	prof, err := policy.LoadProfile("moriya")
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: realNow}
	st, err := store.Open(filepath.Join(t.TempDir(), "kiosk.db"), store.Options{Now: clk.Now, Synchronous: "NORMAL",
		Argon2: &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q := &QueueExecutor{}
	m, err := New(Config{Card: &CardAdapter{Card: card.New(vc)}, Rules: PolicyRules{Profile: prof},
		Recorder: NewStoreRecorder(st, prof.ID, "t1"), Clock: clk, Exec: q, Location: policy.JST,
		OnRecordError: func(err error) { t.Errorf("recorder: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	return &realRig{rig: &rig{t: t, m: m, q: q, clk: clk}, vc: vc, info: p.Info, st: st, per: p}
}

func TestRealStatusAndSignExpiry(t *testing.T) {
	r := newRealRig(t, "adult")
	s := r.send(CardInserted{})
	r.want(s, StateStatus)
	if s.CardType != CardMyNumber || !s.Auth.Present || s.Tries != (Retries{Auth: 3, Sign: 5, BasicInfo: 3}) {
		t.Fatalf("status %+v", s)
	}
	if want := dateOf(r.per.AuthExpiry, policy.JST); !s.Auth.NotAfter.Equal(want) {
		t.Fatalf("auth expiry %v, want %v", s.Auth.NotAfter, want)
	}
	r.send(SelectService{Service: ServiceSignExpiry})
	s = r.send(pin(r.info.SignPIN))
	r.want(s, StateStatus)
	if want := dateOf(r.per.SignExpiry, policy.JST); !s.Sign.Known || !s.Sign.NotAfter.Equal(want) {
		t.Fatalf("sign %+v, want %v", s.Sign, want)
	}
	r.send(CardRemoved{})
	ss, err := r.st.Sessions(context.Background(), "2025-06-11", "2025-06-11")
	if err != nil || len(ss) != 1 || ss[0].Outcome != store.OutcomeDone || !slices.Contains(ss[0].Services, "sign_expiry") {
		t.Fatalf("sessions %+v %v", ss, err)
	}
	if v, err := r.st.Verify(context.Background()); err != nil || !v.OK {
		t.Fatalf("audit chain %+v %v", v, err)
	}
}

func TestRealPINChangeAndLastTry(t *testing.T) {
	r := newRealRig(t, "sign-one-try-left")
	r.send(CardInserted{})
	r.want(r.send(SelectService{Service: ServicePINChange, PIN: PINSign}), StateLastTryConfirm)
	r.send(Next{})
	r.want(r.send(pin(r.info.SignPIN)), StateNewPIN)
	r.send(pin("KIOSK2025"))
	s := r.send(pin("KIOSK2025"))
	r.want(s, StatePINChanged)
	if s.Tries.Sign != 5 {
		t.Fatalf("tries %d", s.Tries.Sign)
	}
	if err := card.New(r.vc).Verify(card.PINSign, []byte("KIOSK2025")); err != nil {
		t.Fatalf("new PIN not on the card: %v", err)
	}
	// A wrong auth PIN down to the lock.
	r.send(Next{})
	r.send(SelectService{Service: ServicePINCheck, PIN: PINAuth})
	s = r.send(pin("9999"))
	if s.Tries.Auth != 2 || s.Error != ErrCodePINIncorrect {
		t.Fatalf("after a wrong PIN %+v", s)
	}
	r.send(pin("9999"))
	r.send(Next{})
	s = r.send(pin("9999"))
	r.want(s, StatePINLocked)
	s = r.send(Next{})
	r.want(s, StateGoToCounter)
	tk, err := r.st.Ticket(context.Background(), mustInt(t, s.Ticket.ID))
	if err != nil || tk.Purpose != "pin-reset" || tk.Route != store.RouteCounter || !slices.Equal(tk.Certificates, []string{"auth"}) {
		t.Fatalf("ticket %+v %v", tk, err)
	}
}

func mustInt(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRealPrepareRenewal(t *testing.T) {
	r := newRealRig(t, "renewable")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePrepare})
	s := r.send(pin(r.info.BasicPIN))
	r.want(s, StateChooseCerts)
	for _, c := range s.Choices {
		if !c.Allowed || c.Purpose != PurposeRenew || slices.Contains(c.Reasons, reasonUnconfirm) != (c.Cert == CertSign) {
			t.Fatalf("choice %+v", c)
		}
	}
	r.send(SelectCerts{Certs: CertSet{Sign: true, Auth: true}})
	s = r.send(pin(r.info.SignPIN))
	r.want(s, StateEligibility)
	if s.Route != RouteApproval || !slices.Contains(s.Documents, string(policy.DocExpiryNotice)) {
		t.Fatalf("summary route %s docs %v reasons %+v", s.Route, s.Documents, s.Choices)
	}
	s = r.send(Next{})
	r.want(s, StateWaitApproval)
	pending, err := r.st.PendingApprovals(context.Background(), "2025-06-11")
	if err != nil || len(pending) != 1 || pending[0].Number != s.Ticket.Number || pending[0].Purpose != "renew" {
		t.Fatalf("pending %+v %v", pending, err)
	}
	// The clerk's part, through the store.
	if err := r.st.AddStaff(context.Background(), "clerk01", store.RoleClerk, []byte("correct horse battery"), ""); err != nil {
		t.Fatal(err)
	}
	a, err := r.st.Decide(context.Background(), store.Approval{TicketID: pending[0].ID, CardRef: store.CardRef(r.per.AuthCert.Raw), StaffID: "clerk01", Decision: store.Approve})
	if err != nil {
		t.Fatal(err)
	}
	s = r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: strconv.FormatInt(a.ID, 10), CardExpiry: r.per.CardExpiry})
	r.want(s, StateNewPIN)
}

// An under-15's user-authentication certificate that can be issued is
// issued at the counter with a legal representative: PolicyRules allows it
// on route counter (policy's answer for applicant legal-rep) and keeps the
// reason; the signature certificate stays refused.
func TestPolicyRulesUnderFifteenAtCounter(t *testing.T) {
	prof, err := policy.LoadProfile("moriya")
	if err != nil {
		t.Fatal(err)
	}
	rules := PolicyRules{Profile: prof}
	today := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	birth := time.Date(2012, 4, 1, 0, 0, 0, 0, time.UTC)
	one := func(c Cert, birth time.Time) CertEligibility {
		q := rules.Quote(QuoteQuery{Today: today, BirthDate: birth, Certs: []CertQuery{{Cert: c, Chosen: true}}})
		if len(q.Certs) != 1 || q.Certs[0].Cert != c || q.Certs[0].Purpose != PurposeNew {
			t.Fatalf("quote %+v", q)
		}
		return q.Certs[0]
	}
	el := one(CertAuth, birth)
	if !el.Allowed || el.Route != RouteCounter || !slices.Contains(el.Reasons, string(policy.LegalRepRequired)) {
		t.Fatalf("child auth %+v", el)
	}
	if el := one(CertSign, birth); el.Allowed {
		t.Fatalf("child sign allowed %+v", el)
	}
	if el := one(CertAuth, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)); slices.Contains(el.Reasons, string(policy.LegalRepRequired)) {
		t.Fatalf("adult %+v", el)
	}
}

func TestRealJukiChildNoCerts(t *testing.T) {
	r := newRealRig(t, "juki")
	r.want(r.send(CardInserted{}), StateJukiCard)

	r = newRealRig(t, "child")
	s := r.send(CardInserted{})
	r.want(s, StateStatus)
	if s.Tries.Sign >= 0 || slices.ContainsFunc(s.Offers, func(o Offer) bool { return o.PIN == PINSign }) {
		t.Fatalf("child: sign PIN offered %+v / %v", s.Tries, s.Offers)
	}
	// EF 0008 says there is no signature certificate: known absent, not
	// "needs the signature PIN", and no locked PIN to reset.
	if !s.Sign.Known || s.Sign.Present || slices.Contains(s.Locked, PINSign) {
		t.Fatalf("child: sign %+v locked %v", s.Sign, s.Locked)
	}
	r.send(SelectService{Service: ServicePrepare})
	s = r.send(pin(r.info.BasicPIN))
	r.want(s, StateChooseCerts)
	if s.Choices[0].Allowed || !slices.Contains(s.Choices[0].Reasons, string(policy.UnderFifteen)) {
		t.Fatalf("child sign choice %+v", s.Choices[0])
	}
	// The auth certificate is still valid: policy says why and where the
	// child would go (the counter, with a legal representative).
	if c := s.Choices[1]; c.Route != RouteCounter || !slices.Contains(c.Reasons, string(policy.LegalRepRequired)) {
		t.Fatalf("child auth choice %+v", c)
	}

	r = newRealRig(t, "no-certs")
	s = r.send(CardInserted{})
	if !s.Auth.Known || s.Auth.Present {
		t.Fatalf("no-certs auth %+v", s.Auth)
	}
	r.send(SelectService{Service: ServicePrepare})
	s = r.send(pin(r.info.BasicPIN))
	if c := s.Choices[1]; c.Purpose != PurposeNew || !c.Allowed {
		t.Fatalf("no-certs auth choice %+v", c)
	}
}

// TestCardInfoRefAndGenuine: the adapter reports the card reference
// (card.Ref), EF 0008 and, with a checker, who issued the auth certificate.
func TestCardInfoRefAndGenuine(t *testing.T) {
	refs := map[string]string{}
	for _, name := range []string{"adult", "no-certs", "child"} {
		p, err := vcard.NewPersona(name, realNow)
		if err != nil {
			t.Fatal(err)
		}
		var checked []byte
		a := &CardAdapter{Card: card.New(p.NewCard(vcard.Options{})), Genuine: func(der []byte) (string, int) {
			checked = der
			return "training", 0
		}}
		info, err := a.Identify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.Ref == "" {
			t.Fatalf("%s: no card reference", name)
		}
		for other, r := range refs {
			if r == info.Ref {
				t.Errorf("%s and %s share the reference %s", name, other, r)
			}
		}
		refs[name] = info.Ref
		if name == "no-certs" {
			if info.Genuine != "" || checked != nil || !strings.HasPrefix(info.Ref, "card:") {
				t.Errorf("no-certs: genuine %q ref %q", info.Genuine, info.Ref)
			}
			continue
		}
		if info.Genuine != "training" || !bytes.Equal(checked, p.AuthCert.Raw) || info.Ref != "auth:"+p.AuthCert.SerialNumber.Text(16) {
			t.Errorf("%s: genuine %q ref %q, checked %d bytes", name, info.Genuine, info.Ref, len(checked))
		}
		if info.NoSign != (name == "child") {
			t.Errorf("%s: NoSign %v", name, info.NoSign)
		}
	}
}

func TestMapCardErr(t *testing.T) {
	var pe *PINError
	if err := mapCardErr(&card.PINError{Retries: 2}); !errors.As(err, &pe) || pe.Left != 2 {
		t.Fatalf("PINError: %v", err)
	}
	for in, want := range map[error]error{card.ErrLastTry: ErrLastTry, card.ErrAuthBlocked: ErrPINLocked, card.ErrCardRemoved: ErrCardRemoved,
		card.ErrNoReader: ErrCardRemoved, card.ErrNoService: ErrCardRemoved, vcard.ErrNoCard: ErrCardRemoved} {
		if got := mapCardErr(in); !errors.Is(got, want) {
			t.Fatalf("%v → %v, want %v", in, got, want)
		}
	}
}

func TestStoreOutcome(t *testing.T) {
	cases := map[SessionEnd]store.Outcome{
		{Outcome: OutcomeIssued, Reason: EndCardRemoved}:   store.OutcomeDone,
		{Outcome: OutcomeCounter, Reason: EndCancelled}:    store.OutcomeReferred,
		{Outcome: OutcomeFailed, Reason: EndTimeout}:       store.OutcomeError,
		{Outcome: OutcomeNone, Reason: EndTimeout}:         store.OutcomeTimeout,
		{Outcome: OutcomePINWrong, Reason: EndCardRemoved}: store.OutcomeCardRemoved,
		{Outcome: OutcomeNone, Reason: EndCancelled}:       store.OutcomeCancelled,
	}
	for in, want := range cases {
		if got := StoreOutcome(in); got != want {
			t.Errorf("%+v → %s, want %s", in, got, want)
		}
	}
}

// TestStoreRecorderClosesTicket: issuance that ends in the receipt finishes
// the session's approved ticket; issuance that fails cancels it.
func TestStoreRecorderClosesTicket(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "kiosk.db"), store.Options{Now: func() time.Time { return realNow }, Synchronous: "NORMAL",
		Argon2: &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.AddStaff(ctx, "clerk01", store.RoleClerk, []byte("correct horse battery"), ""); err != nil {
		t.Fatal(err)
	}
	rec := NewStoreRecorder(st, "moriya", "t1")
	for _, c := range []struct {
		to   State
		want store.TicketStatus
	}{{StateReceipt, store.TicketDone}, {StateFailed, store.TicketCancelled}} {
		sid, err := rec.StartSession(ctx, realNow)
		if err != nil {
			t.Fatal(err)
		}
		tk, err := rec.TakeTicket(ctx, sid, TicketRequest{Certs: CertSet{Auth: true}, Purpose: "renew", Route: RouteApproval})
		if err != nil {
			t.Fatal(err)
		}
		id := mustInt(t, tk.ID)
		if _, err := st.Decide(ctx, store.Approval{TicketID: id, CardRef: store.CardRef([]byte("c1")), StaffID: "clerk01", Decision: store.Approve}); err != nil {
			t.Fatal(err)
		}
		if err := rec.Record(ctx, sid, Transition{At: realNow, Kind: "CARD_RESULT", From: StateIssuing, To: c.to}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Ticket(ctx, id)
		if err != nil || got.Status != c.want {
			t.Errorf("issuance to %v: ticket %s %v, want %s", c.to, got.Status, err, c.want)
		}
		if err := rec.EndSession(ctx, sid, SessionEnd{At: realNow, Outcome: OutcomeIssued}); err != nil {
			t.Fatal(err)
		}
	}
}

// A card that comes locked counts as a lockout seen when a service finds
// it, as does one locked here (issue 10: the dashboard showed 0).
func TestAuditKindCountsLockoutsSeen(t *testing.T) {
	for _, tr := range []Transition{
		{Kind: "TAP_SERVICE", From: StateStatus, To: StatePINLocked},
		{Kind: "CARD_RESULT", From: StateEnterPIN, To: StatePINLocked},
	} {
		if got := auditKind(tr); got != store.KindPINLocked {
			t.Errorf("auditKind(%+v) = %s", tr, got)
		}
	}
	if got := auditKind(Transition{Kind: "TAP_SERVICE", From: StateStatus, To: StateEnterPIN}); got == store.KindPINLocked {
		t.Error("an ordinary tap counted as a lockout")
	}
}
