package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTicketsNumberedPerDay(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	req := TicketRequest{Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: RouteApproval, Reasons: []string{"STAFF_REQUIRED"}}
	for want := 1; want <= 3; want++ {
		tk, err := s.IssueTicket(ctx, req)
		if err != nil || tk.Number != want || tk.Date != "2026-04-01" || tk.Status != TicketWaiting {
			t.Fatalf("ticket %d: %+v, %v", want, tk, err)
		}
	}
	clk.Add(24 * time.Hour)
	tk, err := s.IssueTicket(ctx, req)
	if err != nil || tk.Number != 1 || tk.Date != "2026-04-02" {
		t.Errorf("next day: %+v, %v", tk, err)
	}
	if _, err := s.DB().Exec(`INSERT INTO tickets (date, number, status, certificates, purpose, route, created_at, updated_at)
		VALUES ('2026-04-02', 1, 'waiting', 'sign', 'renew', 'self', 'x', 'x')`); err == nil {
		t.Error("duplicate (date, number) accepted")
	}
	for _, bad := range []TicketRequest{
		{Purpose: "renew", Route: RouteSelf},
		{Certificates: []string{"both"}, Purpose: "renew", Route: RouteSelf},
		{Certificates: []string{"sign"}, Purpose: "Renew", Route: RouteSelf},
		{Certificates: []string{"sign"}, Purpose: "renew", Route: "desk"},
		{Certificates: []string{"sign"}, Purpose: "renew", Route: RouteSelf, FeeYen: -1},
		{Certificates: []string{"sign"}, Purpose: "renew", Route: RouteSelf, Reasons: []string{"lower"}},
	} {
		if _, err := s.IssueTicket(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("IssueTicket(%+v): %v", bad, err)
		}
	}
}

func TestTicketStatusMoves(t *testing.T) {
	cases := []struct {
		path []TicketStatus
		ok   bool
	}{
		{[]TicketStatus{TicketCalled, TicketApproved, TicketDone}, true},
		{[]TicketStatus{TicketCalled, TicketWaiting, TicketCalled, TicketDeclined}, true},
		{[]TicketStatus{TicketCancelled}, true},
		{[]TicketStatus{TicketApproved, TicketCancelled}, true},
		{[]TicketStatus{TicketDone, TicketCalled}, false},
		{[]TicketStatus{TicketDeclined, TicketApproved}, false},
		{[]TicketStatus{TicketApproved, TicketWaiting}, false},
		{[]TicketStatus{TicketCancelled, TicketWaiting}, false},
		{[]TicketStatus{"lost"}, false},
	}
	for _, c := range cases {
		s, _ := newStore(t)
		ctx := context.Background()
		tk, err := s.IssueTicket(ctx, TicketRequest{Certificates: []string{"sign"}, Purpose: "new", Route: RouteCounter})
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for _, st := range c.path {
			if last = s.SetTicketStatus(ctx, tk.ID, st, ""); last != nil {
				break
			}
		}
		if (last == nil) != c.ok || (!c.ok && !errors.Is(last, ErrConflict)) {
			t.Errorf("path %v: %v", c.path, last)
		}
	}
}

func TestApprovalBoundToTicketAndCard(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "ito", RoleClerk, []byte("clerk password"), ""); err != nil {
		t.Fatal(err)
	}
	sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "kakamigahara"})
	tk, err := s.IssueTicket(ctx, TicketRequest{SessionID: sid, Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: RouteApproval})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingApprovals(ctx, "2026-04-01")
	if err != nil || len(pending) != 1 || pending[0].ID != tk.ID {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	card := CardRef([]byte("auth cert of card A"))
	other := CardRef([]byte("auth cert of card B"))
	if _, err := s.CheckApproval(ctx, tk.ID, card); !errors.Is(err, ErrApprovalMismatch) {
		t.Errorf("before approval: %v", err)
	}
	if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: card, StaffID: "nobody", Decision: Approve}); !errors.Is(err, ErrNotFound) {
		t.Errorf("approval by unknown staff: %v", err)
	}
	a, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: card, StaffID: "ito", Decision: Approve, Documents: []string{"photo-id", "expiry-notice"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckApproval(ctx, tk.ID, card); err != nil {
		t.Errorf("approved card: %v", err)
	}
	if _, err := s.CheckApproval(ctx, tk.ID, other); !errors.Is(err, ErrApprovalMismatch) {
		t.Errorf("another card: %v", err)
	}
	if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: card, StaffID: "ito", Decision: Decline}); !errors.Is(err, ErrConflict) {
		t.Errorf("second decision: %v", err)
	}
	if got, _ := s.Ticket(ctx, tk.ID); got.Status != TicketApproved || got.StaffID != "ito" {
		t.Errorf("ticket after approval: %+v", got)
	}
	if p, _ := s.PendingApprovals(ctx, "2026-04-01"); len(p) != 0 {
		t.Errorf("still pending: %+v", p)
	}
	if err := s.SetTicketStatus(ctx, tk.ID, TicketDone, "ito"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckApproval(ctx, tk.ID, card); !errors.Is(err, ErrApprovalMismatch) {
		t.Errorf("approval reused after done: %v", err)
	}
	// A declined ticket has no usable approval.
	tk2, _ := s.IssueTicket(ctx, TicketRequest{Certificates: []string{"sign"}, Purpose: "new", Route: RouteApproval})
	if _, err := s.Decide(ctx, Approval{TicketID: tk2.ID, CardRef: card, StaffID: "ito", Decision: Decline, Reason: "UNDER_15"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckApproval(ctx, tk2.ID, card); !errors.Is(err, ErrApprovalMismatch) {
		t.Errorf("declined: %v", err)
	}
	if a.ID == 0 || a.At.IsZero() {
		t.Errorf("approval = %+v", a)
	}
	// A disabled clerk cannot approve.
	tk3, _ := s.IssueTicket(ctx, TicketRequest{Certificates: []string{"auth"}, Purpose: "new", Route: RouteApproval})
	s.DisableStaff(ctx, "ito", "")
	if _, err := s.Decide(ctx, Approval{TicketID: tk3.ID, CardRef: card, StaffID: "ito", Decision: Approve}); !errors.Is(err, ErrConflict) {
		t.Errorf("disabled clerk: %v", err)
	}
	if k := eventKinds(t, s); k[KindApproval] != 2 || k[KindTicketIssued] != 3 {
		t.Errorf("events: %v", k)
	}
	mustVerify(t, s)
}

func TestProxyCaseTwoVisits(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "abe", RoleClerk, []byte("clerk password"), ""); err != nil {
		t.Fatal(err)
	}
	card := CardRef([]byte("card"))
	s1, _ := s.StartSession(ctx, SessionStart{Mode: ModeStaff, Profile: "moriya", StaffID: "abe"})
	id, err := s.OpenProxyCase(ctx, ProxyCase{Purpose: "new", Certificates: []string{"sign"}, CardRef: card, StaffID: "abe",
		OpenedSessionID: s1, Documents: []string{"proxy-photo-id"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AdvanceProxyCase(ctx, id, ProxyStep{To: ProxyCompleted, StaffID: "abe"}); !errors.Is(err, ErrConflict) {
		t.Errorf("complete before the letter: %v", err)
	}
	if err := s.AdvanceProxyCase(ctx, id, ProxyStep{To: ProxyLetterSent, StaffID: "abe", LetterRef: "L-2026-0042"}); err != nil {
		t.Fatal(err)
	}
	clk.Add(10 * 24 * time.Hour)
	open, err := s.OpenProxyCases(ctx, card)
	if err != nil || len(open) != 1 || open[0].State != ProxyLetterSent || open[0].LetterRef != "L-2026-0042" {
		t.Fatalf("open cases: %+v, %v", open, err)
	}
	s2, _ := s.StartSession(ctx, SessionStart{Mode: ModeStaff, Profile: "moriya", StaffID: "abe"})
	if err := s.AdvanceProxyCase(ctx, id, ProxyStep{To: ProxyCompleted, StaffID: "abe", SessionID: s2, Documents: []string{"inquiry-answer"}}); err != nil {
		t.Fatal(err)
	}
	c, err := s.ProxyCase(ctx, id)
	if err != nil || c.State != ProxyCompleted || c.CompletedSessionID != s2 || c.OpenedSessionID != s1 ||
		len(c.Documents) != 2 || c.ClosedAt.Sub(c.LetterSentAt) != 10*24*time.Hour {
		t.Errorf("case = %+v, %v", c, err)
	}
	if err := s.AdvanceProxyCase(ctx, id, ProxyStep{To: ProxyCancelled, StaffID: "abe"}); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel a completed case: %v", err)
	}
	if open, _ := s.OpenProxyCases(ctx, ""); len(open) != 0 {
		t.Errorf("open after completion: %+v", open)
	}
	if err := s.AdvanceProxyCase(ctx, id, ProxyStep{To: ProxyLetterSent, StaffID: "abe", LetterRef: "山田"}); err == nil {
		t.Error("letter ref with a name accepted")
	}
	mustVerify(t, s)
}

func TestSettingsAudited(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, err := s.GetSetting(ctx, SettingIdleTimeout); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing setting: %v", err)
	}
	for _, v := range []string{"60", "90", "90"} {
		if err := s.SetSetting(ctx, SettingIdleTimeout, v, ""); err != nil {
			t.Fatal(err)
		}
	}
	// "60" and "90" are 2-digit: allowed. A 4-digit value is PIN-shaped.
	if err := s.SetSetting(ctx, SettingIdleTimeout, "1234", ""); !errors.Is(err, ErrPersonalData) {
		t.Errorf("4-digit setting: %v", err)
	}
	if err := s.SetSetting(ctx, SettingLanguages, "ja,en,zh,ko,vi,pt", ""); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetSetting(ctx, SettingIdleTimeout); err != nil || v != "90" {
		t.Errorf("idle timeout = %q, %v", v, err)
	}
	all, err := s.Settings(ctx)
	if err != nil || len(all) != 2 || all[0].UpdatedBy != "kioskctl" {
		t.Errorf("settings = %+v, %v", all, err)
	}
	if n := eventKinds(t, s)[KindSettingChanged]; n != 3 { // 60, 90 (the repeat is no change), languages
		t.Errorf("%d setting_changed events, want 3", n)
	}
	var d string
	s.DB().QueryRow(`SELECT detail_json FROM audit_events WHERE kind = ? ORDER BY seq LIMIT 1 OFFSET 1`, KindSettingChanged).Scan(&d)
	if d != `{"by":"kioskctl","key":"idle_timeout_s","old_value":"60","value":"90"}` {
		t.Errorf("detail = %s", d)
	}
}
