package staff

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func TestCardRef(t *testing.T) {
	s := flow.Snapshot{Auth: flow.CertView{Known: true, Present: true, Serial: "0A1B2C"}}
	if got := CardRef(s); got != "auth:0a1b2c" {
		t.Errorf("CardRef = %q", got)
	}
	s = flow.Snapshot{Sign: flow.CertView{Known: true, Present: true, Serial: "FF"}}
	if got := CardRef(s); got != "sign:ff" {
		t.Errorf("CardRef sign only = %q", got)
	}
	if got := CardRef(flow.Snapshot{}); got != "" {
		t.Errorf("CardRef no cert = %q", got)
	}
}

// TestCardRefPrefersTheSnapshotsReference: the reference read at insertion
// wins over a certificate serial shown later (a renewal changes the serial).
func TestCardRefPrefersTheSnapshotsReference(t *testing.T) {
	s := flow.Snapshot{CardRef: "auth:1", Auth: flow.CertView{Known: true, Present: true, Serial: "2"}}
	if got := CardRef(s); got != "auth:1" {
		t.Errorf("CardRef = %q", got)
	}
}

// TestApprovalGenuine: a production kiosk approves J-LIS cards only; a demo
// or training kiosk also its training CA's; a card not J-LIS never.
func TestApprovalGenuine(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		verdict  string
		training bool
		ok       bool
	}{
		{"jlis", false, true}, {"jlis", true, true},
		{"training", false, false}, {"training", true, true},
		{"not_jlis", false, false}, {"not_jlis", true, false},
		{"bogus", true, false},
		{"", false, true}, // no auth certificate: nothing to check
	} {
		a := NewApprovals(s)
		a.AcceptTraining = tc.training
		tk := ticket(t, s, store.RouteApproval, "auth")
		_, err := a.Approve(ctx, ApprovalRequest{TicketID: tk.ID, CardRef: cardA, StaffID: "clerk1",
			Identity: []policy.IDDocument{policy.IDPassport}, Genuine: tc.verdict})
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrNotGenuine)) {
			t.Errorf("%q training=%v: %v", tc.verdict, tc.training, err)
		}
	}
}

const (
	cardA = "auth:0a1b2c3d"
	cardB = "auth:99887766"
)

func TestApprovalBoundToTicketAndCard(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	a := NewApprovals(s)
	t1 := ticket(t, s, store.RouteApproval, "sign", "auth")
	t2 := ticket(t, s, store.RouteApproval, "auth")

	// The identity check must be complete.
	if _, err := a.Approve(ctx, ApprovalRequest{TicketID: t1.ID, CardRef: cardA, StaffID: "clerk1",
		Identity: []policy.IDDocument{policy.IDHealthInsurance}}); !errors.Is(err, ErrIdentity) {
		t.Fatalf("one non-photo ID: %v, want ErrIdentity", err)
	}
	if _, err := a.Approve(ctx, ApprovalRequest{TicketID: t1.ID, StaffID: "clerk1",
		Identity: []policy.IDDocument{policy.IDPassport}}); !errors.Is(err, ErrNoCard) {
		t.Fatalf("no card: %v, want ErrNoCard", err)
	}
	g, err := a.Approve(ctx, ApprovalRequest{TicketID: t1.ID, CardRef: cardA, StaffID: "clerk1",
		Identity: []policy.IDDocument{policy.IDHealthInsurance, policy.IDPensionBook}, Documents: []string{"EXPIRY_NOTICE"}})
	if err != nil {
		t.Fatal(err)
	}
	ev := g.Event(time.Time{})
	if ev.TicketID != strconv.FormatInt(t1.ID, 10) || ev.ApprovalID != g.Token {
		t.Fatalf("event %+v does not carry the ticket and token", ev)
	}
	if !strings.Contains(strings.Join(g.Approval.Documents, ","), "id_health_insurance") {
		t.Errorf("approval documents %v lack the identity kinds", g.Approval.Documents)
	}
	if _, err := a.Verify(ctx, g.Token, t1.ID, cardA); err != nil {
		t.Fatalf("Verify on its own ticket and card: %v", err)
	}

	// Replays: another ticket, another card, a forged token, another kiosk process.
	if _, err := a.Verify(ctx, g.Token, t2.ID, cardA); err == nil {
		t.Error("token accepted for another ticket")
	}
	if _, err := a.Verify(ctx, g.Token, t1.ID, cardB); err == nil {
		t.Error("token accepted for another card")
	}
	p, _ := ParseToken(g.Token)
	forged := strings.Replace(g.Token, "t"+strconv.FormatInt(p.TicketID, 10)+".", "t"+strconv.FormatInt(t2.ID, 10)+".", 1)
	if _, err := a.Verify(ctx, forged, t2.ID, cardA); !errors.Is(err, ErrBadToken) {
		t.Errorf("token with the ticket swapped: %v, want ErrBadToken", err)
	}
	if _, err := NewApprovals(s).Verify(ctx, g.Token, t1.ID, cardA); !errors.Is(err, ErrBadToken) {
		t.Errorf("token from another kiosk process: %v, want ErrBadToken", err)
	}
	// Even a second approval of ticket 2 for card B does not make token 1 valid there.
	g2, err := a.Approve(ctx, ApprovalRequest{TicketID: t2.ID, CardRef: cardB, StaffID: "clerk1", Identity: []policy.IDDocument{policy.IDMyNumberCard}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, g.Token, t2.ID, cardB); err == nil {
		t.Error("token 1 accepted for ticket 2 and card B")
	}
	if _, err := a.Verify(ctx, g2.Token, t1.ID, cardA); err == nil {
		t.Error("token 2 accepted for ticket 1 and card A")
	}
	// A ticket is decided once.
	if _, err := a.Approve(ctx, ApprovalRequest{TicketID: t1.ID, CardRef: cardB, StaffID: "clerk1", Identity: []policy.IDDocument{policy.IDPassport}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second approval of ticket 1: %v, want ErrConflict", err)
	}

	// Use: each approved certificate once, nothing else.
	if err := a.Use(ctx, g2.Token, t2.ID, cardB, "sign"); !errors.Is(err, ErrBadToken) {
		t.Errorf("sign on an auth-only ticket: %v", err)
	}
	if err := a.Use(ctx, g2.Token, t2.ID, cardB, "auth"); err != nil {
		t.Fatal(err)
	}
	if err := a.Use(ctx, g2.Token, t2.ID, cardB, "auth"); !errors.Is(err, ErrUsed) {
		t.Errorf("second use: %v, want ErrUsed", err)
	}
	// Once the ticket is done the approval is spent, even for a fresh process.
	if err := a.Finish(ctx, t1.ID, "clerk1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, g.Token, t1.ID, cardA); !errors.Is(err, store.ErrApprovalMismatch) {
		t.Errorf("Verify after done: %v, want ErrApprovalMismatch", err)
	}
}

func TestDecline(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	a := NewApprovals(s)
	tk := ticket(t, s, store.RouteApproval, "auth")
	ev, err := a.Decline(ctx, tk.ID, cardA, "clerk1", "ID_NOT_VERIFIED")
	if err != nil {
		t.Fatal(err)
	}
	if ev.TicketID != strconv.FormatInt(tk.ID, 10) || ev.Reason != "ID_NOT_VERIFIED" {
		t.Errorf("event %+v", ev)
	}
	got, _ := s.Ticket(ctx, tk.ID)
	if got.Status != store.TicketDeclined {
		t.Errorf("ticket %s, want declined", got.Status)
	}
	if _, err := a.Verify(ctx, "t1.a1.n00.00", tk.ID, cardA); err == nil {
		t.Error("a declined ticket verified")
	}
}

type fakeIssuer struct{ calls []flow.IssueRequest }

func (f *fakeIssuer) Issue(_ context.Context, r flow.IssueRequest) (flow.IssueResult, error) {
	f.calls = append(f.calls, r)
	return flow.IssueResult{Cert: flow.CertInfo{Serial: "01"}}, nil
}

func TestGuardedIssuer(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	a := NewApprovals(s)
	tk := ticket(t, s, store.RouteApproval, "auth")
	other := ticket(t, s, store.RouteApproval, "auth")
	g, err := a.Approve(ctx, ApprovalRequest{TicketID: tk.ID, CardRef: cardA, StaffID: "clerk1", Identity: []policy.IDDocument{policy.IDDriversLicence}})
	if err != nil {
		t.Fatal(err)
	}
	next := &fakeIssuer{}
	gi := GuardedIssuer{Next: next, Approvals: a}

	// another card slipped into the reader
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: g.Token, Ticket: tk.Number, CardRef: cardB, Cert: flow.CertAuth}); err == nil {
		t.Error("issued to another card")
	}
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: g.Token, Ticket: tk.Number, Cert: flow.CertAuth}); !errors.Is(err, ErrNoCard) {
		t.Errorf("issued with no card reference: %v", err)
	}
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: g.Token, Ticket: other.Number, CardRef: cardA, Cert: flow.CertAuth}); err == nil {
		t.Error("issued under another ticket's number")
	}
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: "t1.a1.nx.y", Ticket: tk.Number, CardRef: cardA, Cert: flow.CertAuth}); err == nil {
		t.Error("issued with a forged token")
	}
	if len(next.calls) != 0 {
		t.Fatalf("the issuer was called %d times before a valid request", len(next.calls))
	}
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: g.Token, Ticket: tk.Number, CardRef: cardA, Cert: flow.CertAuth}); err != nil {
		t.Fatal(err)
	}
	if _, err := gi.Issue(ctx, flow.IssueRequest{ApprovalID: g.Token, Ticket: tk.Number, CardRef: cardA, Cert: flow.CertAuth}); !errors.Is(err, ErrUsed) {
		t.Errorf("second issuance on one approval: %v", err)
	}
	if len(next.calls) != 1 {
		t.Errorf("issuer called %d times, want 1", len(next.calls))
	}
}
