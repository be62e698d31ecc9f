package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// boundSetup: an admin, a clerk, a declined ticket (1) and an approved one
// (2) for card "a".
func boundSetup(t *testing.T) (*Store, string) {
	t.Helper()
	s, _ := newStore(t)
	ctx := context.Background()
	for _, st := range []struct {
		id   string
		role Role
	}{{"boss", RoleAdmin}, {"mori", RoleClerk}, {"kato", RoleClerk}} {
		if err := s.AddStaff(ctx, st.id, st.role, []byte("good password 1"), ""); err != nil {
			t.Fatal(err)
		}
	}
	card := CardRef([]byte("a"))
	for _, d := range []Decision{Decline, Approve} {
		sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
		tk, err := s.IssueTicket(ctx, TicketRequest{SessionID: sid, Certificates: []string{"sign"}, Purpose: "renew", Route: RouteApproval})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: card, StaffID: "mori", Decision: d, Reason: map[Decision]string{Decline: "STAFF_REQUIRED"}[d]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DisableStaff(ctx, "kato", "boss"); err != nil {
		t.Fatal(err)
	}
	if r := mustVerify(t, s); r.RowsChecked != 3+2+2 {
		t.Fatalf("rows checked = %d, want 7", r.RowsChecked)
	}
	return s, card
}

// TestBoundRowsRefusedWhereUsed: rows changed by raw SQL on the database
// file are refused where the kiosk trusts them, and reported by Verify.
// Before the bindings, each of these was accepted and verify said ok.
func TestBoundRowsRefusedWhereUsed(t *testing.T) {
	ctx := context.Background()
	t.Run("declined approval flipped to approved", func(t *testing.T) {
		s, card := boundSetup(t)
		if _, err := s.CheckApproval(ctx, 1, card); !errors.Is(err, ErrApprovalMismatch) {
			t.Fatalf("declined ticket: %v", err)
		}
		if _, err := s.CheckApproval(ctx, 2, card); err != nil {
			t.Fatalf("approved ticket: %v", err)
		}
		tamper(t, s, `UPDATE approvals SET decision = 'approved', reason = '' WHERE ticket_id = 1`,
			`UPDATE tickets SET status = 'approved' WHERE id = 1`)
		_, err := s.CheckApproval(ctx, 1, card)
		if !errors.Is(err, ErrApprovalMismatch) || !errors.Is(err, ErrTampered) {
			t.Errorf("flipped approval: %v, want refused as tampered", err)
		}
		r := verifyWith(t, s.Path(), false)
		if r.OK || len(r.RowProblems) != 2 || !strings.Contains(strings.Join(r.RowProblems, "|"), "approvals 1 differs") {
			t.Errorf("verify = %+v", r)
		}
	})
	t.Run("approval moved to another card", func(t *testing.T) {
		s, _ := boundSetup(t)
		other := CardRef([]byte("b"))
		tamper(t, s, `UPDATE approvals SET card_ref = '`+other+`' WHERE ticket_id = 2`)
		if _, err := s.CheckApproval(ctx, 2, other); !errors.Is(err, ErrTampered) {
			t.Errorf("approval moved to card b: %v", err)
		}
	})
	t.Run("clerk made admin", func(t *testing.T) {
		s, _ := boundSetup(t)
		tamper(t, s, `UPDATE staff SET role = 'admin' WHERE id = 'mori'`)
		if _, err := s.SignIn(ctx, "mori", []byte("good password 1")); !errors.Is(err, ErrTampered) {
			t.Errorf("sign-in of a clerk made admin: %v", err)
		}
		if err := s.AddStaff(ctx, "mallory", RoleAdmin, []byte("good password 1"), "mori"); !errors.Is(err, ErrNotAllowed) || !errors.Is(err, ErrTampered) {
			t.Errorf("a clerk made admin adds staff: %v", err)
		}
		if k := eventKinds(t, s); k[KindStaffSignInFailed] != 1 {
			t.Errorf("the refused sign-in is not audited: %v", k)
		}
		r := verifyWith(t, s.Path(), false)
		if r.OK || !strings.Contains(r.Problem, "staff mori differs") {
			t.Errorf("verify = %+v", r)
		}
	})
	t.Run("disabled clerk enabled", func(t *testing.T) {
		s, _ := boundSetup(t)
		tamper(t, s, `UPDATE staff SET disabled = 0 WHERE id = 'kato'`)
		if _, err := s.SignIn(ctx, "kato", []byte("good password 1")); !errors.Is(err, ErrTampered) {
			t.Errorf("sign-in of a disabled clerk enabled by SQL: %v", err)
		}
	})
	t.Run("password hash replaced", func(t *testing.T) {
		s, _ := boundSetup(t)
		h, _ := HashPassword([]byte("mallory knows 1"), testArgon)
		tamper(t, s, `UPDATE staff SET password_hash = '`+h+`' WHERE id = 'boss'`)
		if _, err := s.SignIn(ctx, "boss", []byte("mallory knows 1")); !errors.Is(err, ErrTampered) {
			t.Errorf("sign-in with a replaced password hash: %v", err)
		}
	})
	t.Run("staff row inserted", func(t *testing.T) {
		s, _ := boundSetup(t)
		tamper(t, s, `INSERT INTO staff (id, role, password_hash, created_at, updated_at) SELECT 'mallory', 'admin', password_hash, created_at, updated_at FROM staff WHERE id = 'boss'`)
		if _, err := s.SignIn(ctx, "mallory", []byte("good password 1")); !errors.Is(err, ErrTampered) {
			t.Errorf("sign-in of a staff row added by SQL: %v", err)
		}
		if r := verifyWith(t, s.Path(), false); r.OK || !strings.Contains(r.Problem, "staff mallory has no audit event") {
			t.Errorf("verify = %+v", r)
		}
	})
	t.Run("ticket status changed", func(t *testing.T) {
		s, _ := boundSetup(t)
		tamper(t, s, `UPDATE tickets SET status = 'done' WHERE id = 1`)
		if r := verifyWith(t, s.Path(), false); r.OK || !strings.Contains(r.Problem, "tickets 1 differs") {
			t.Errorf("verify = %+v", r)
		}
	})
	t.Run("binding event forged", func(t *testing.T) {
		s, card := boundSetup(t)
		// Flip the approval and append an unkeyed event binding the new row.
		tamper(t, s, `UPDATE approvals SET decision = 'approved', reason = '' WHERE ticket_id = 1`,
			`UPDATE tickets SET status = 'approved' WHERE id = 1`)
		for _, table := range []string{"approvals", "tickets"} {
			h, err := rowHashTx(ctx, s.DB(), table, "1")
			if err != nil {
				t.Fatal(err)
			}
			forgeEvent(t, s, KindRowBound, `{"bind":"`+boundTableNamed(table).prefix+`1","row_hash":"`+h+`","table":"`+table+`"}`, "")
		}
		if _, err := s.CheckApproval(ctx, 1, card); !errors.Is(err, ErrTampered) {
			t.Errorf("approval bound by a forged event: %v", err)
		}
		if r := verifyWith(t, s.Path(), false); r.OK {
			t.Errorf("verify = %+v", r)
		}
	})
}

// TestSessionsWithoutEvents: the newest events cut off (a chain that is
// still whole) leave a session no event names; Verify reports it.
func TestSessionsWithoutEvents(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	fillEvents(t, s, 3)
	var last int64
	s.DB().QueryRow(`SELECT MAX(seq) FROM audit_events`).Scan(&last)
	sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	s.Append(ctx, sid, KindPINVerifyFailed, Detail{"cert": "auth", "retries_left": 1})
	mustVerify(t, s)
	tamper(t, s, `DELETE FROM audit_events WHERE seq > `+idKey(last))
	r := verifyWith(t, s.Path(), false)
	if r.OK || r.SessionsWithoutEvents != 1 || len(r.SessionsWithoutEventsList) != 1 || r.SessionsWithoutEventsList[0] != sid ||
		r.Events != last || !strings.Contains(r.Problem, "sessions have no events") {
		t.Errorf("verify = %+v", r)
	}
}

// TestPurgeKeepsRowsBound: a purge removes a session whose ticket (issued
// just after midnight) is kept — the ticket's session_id becomes NULL
// without an event — and the staff rows' last events: the trail still
// verifies, rows and all, and a purge does not wrongly report tampering.
func TestPurgeKeepsRowsBound(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "mori", RoleClerk, []byte("good password 1"), ""); err != nil {
		t.Fatal(err)
	}
	clk.Add(14*time.Hour + 29*time.Minute + 59*time.Second) // 2026-04-01 23:59:59
	sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	clk.Add(2 * time.Second)
	tk, err := s.IssueTicket(ctx, TicketRequest{SessionID: sid, Certificates: []string{"sign"}, Purpose: "renew", Route: RouteApproval})
	if err != nil || tk.Date != "2026-04-02" {
		t.Fatalf("ticket %+v %v", tk, err)
	}
	clk.Add(30*24*time.Hour + 12*time.Hour)
	r, err := s.Purge(ctx, 30)
	if err != nil || r.Cutoff != "2026-04-02" || r.Sessions != 1 || r.Tickets != 0 {
		t.Fatalf("purge %+v %v", r, err)
	}
	if got, _ := s.Ticket(ctx, tk.ID); got.SessionID != 0 {
		t.Fatalf("ticket kept its session %d", got.SessionID)
	}
	if v := mustVerify(t, s); v.RowsChecked != 2 {
		t.Errorf("verify after purge: %+v", v)
	}
	if _, err := s.SignIn(ctx, "mori", []byte("good password 1")); err != nil {
		t.Errorf("sign-in after the purge removed mori's staff_added: %v", err)
	}
}

// TestPurgeDoesNotLaunderRows: a staff row added by SQL, and one changed by
// SQL whose binding event the purge removes, stay reported and refused
// after the purge: a purge only carries bindings over for rows that still
// match them.
func TestPurgeDoesNotLaunderRows(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	for _, id := range []string{"mori", "kato"} {
		if err := s.AddStaff(ctx, id, RoleClerk, []byte("good password 1"), ""); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(40 * 24 * time.Hour)
	tamper(t, s, `INSERT INTO staff (id, role, password_hash, created_at, updated_at) SELECT 'mallory', 'admin', password_hash, created_at, updated_at FROM staff WHERE id = 'mori'`,
		`UPDATE staff SET role = 'admin' WHERE id = 'kato'`)
	if _, err := s.Purge(ctx, 30); err != nil {
		t.Fatal(err)
	}
	r := verifyWith(t, s.Path(), false)
	got := strings.Join(r.RowProblems, "|")
	if r.OK || !strings.Contains(got, "staff mallory has no audit event") || !strings.Contains(got, "staff kato has no audit event") ||
		strings.Contains(got, "mori") {
		t.Errorf("verify after purge = %+v", r)
	}
	for _, id := range []string{"mallory", "kato"} {
		if _, err := s.SignIn(ctx, id, []byte("good password 1")); !errors.Is(err, ErrTampered) {
			t.Errorf("sign-in of %s after the purge: %v", id, err)
		}
	}
	if _, err := s.SignIn(ctx, "mori", []byte("good password 1")); err != nil {
		t.Errorf("sign-in of mori after the purge: %v", err)
	}
}
