package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// day builds a realistic day: sessions with outcomes at given hours.
func seedDay(t testing.TB, s *Store, clk *fakeClock, outcomes map[int][]Outcome) {
	t.Helper()
	ctx := context.Background()
	start := clk.Now()
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, JST)
	for hour, os := range outcomes {
		for _, o := range os {
			clk.mu.Lock()
			clk.t = day.Add(time.Duration(hour)*time.Hour + 10*time.Minute)
			clk.mu.Unlock()
			id, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
			if err != nil {
				t.Fatal(err)
			}
			if o == "" {
				continue // still open
			}
			if err := s.EndSession(ctx, id, SessionEnd{Outcome: o, Services: []string{"status"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	clk.mu.Lock()
	clk.t = start
	clk.mu.Unlock()
}

func TestDashboard(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	seedDay(t, s, clk, map[int][]Outcome{
		9:  {OutcomeDone, OutcomeDone, OutcomeCardRemoved},
		10: {OutcomeReferred},
		14: {OutcomeTimeout, ""},
	})
	clk.Add(-24 * time.Hour) // yesterday: not counted
	seedDay(t, s, clk, map[int][]Outcome{11: {OutcomeDone}})
	clk.Add(24 * time.Hour)
	if _, err := s.IssueTicket(ctx, TicketRequest{Certificates: []string{"sign"}, Purpose: "renew", Route: RouteApproval}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueTicket(ctx, TicketRequest{Certificates: []string{"auth"}, Purpose: "pin-change", Route: RouteSelf}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, 0, KindPINLocked, Detail{"cert": "auth"}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Dashboard(ctx, "2026-04-01")
	if err != nil {
		t.Fatal(err)
	}
	if d.Sessions != 6 || d.Open != 1 || d.ByHour[9] != 3 || d.ByHour[10] != 1 || d.ByHour[14] != 2 || d.ByHour[11] != 0 {
		t.Errorf("sessions: %+v", d)
	}
	if d.ByOutcome[OutcomeDone] != 2 || d.ByOutcome[OutcomeReferred] != 1 || d.ByOutcome[OutcomeTimeout] != 1 || d.ByOutcome[OutcomeCardRemoved] != 1 {
		t.Errorf("by outcome: %v", d.ByOutcome)
	}
	if d.TicketsWaiting != 2 || d.ApprovalsPending != 1 || d.PINLockouts != 1 {
		t.Errorf("queue: %+v", d)
	}
	if y, _ := s.Dashboard(ctx, "2026-03-31"); y.Sessions != 1 || y.PINLockouts != 0 {
		t.Errorf("yesterday: %+v", y)
	}
	if _, err := s.Dashboard(ctx, "2026-13-01"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad date: %v", err)
	}
	sess, err := s.Sessions(ctx, "2026-04-01", "2026-04-01")
	if err != nil || len(sess) != 6 {
		t.Errorf("Sessions = %d, %v", len(sess), err)
	}
	if err := s.EndSession(ctx, sess[0].ID, SessionEnd{Outcome: OutcomeDone}); !errors.Is(err, ErrConflict) {
		t.Errorf("ending twice: %v", err)
	}
}

func TestExportRange(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	// Events at 23:59:59 on 31 March, 00:00 and 23:59 on 1 April, 00:00 on 2 April (JST).
	base := time.Date(2026, 3, 31, 23, 59, 59, 0, JST)
	for i, off := range []time.Duration{0, time.Second, 24*time.Hour - time.Second, 24*time.Hour + time.Second} {
		clk.mu.Lock()
		clk.t = base.Add(off).UTC() // the clock's zone must not matter
		clk.mu.Unlock()
		if _, err := s.Append(ctx, 0, "export_probe", Detail{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		from, to string
		want     []int64
	}{
		{"2026-04-01", "2026-04-01", []int64{2, 3}},
		{"2026-03-31", "2026-04-01", []int64{1, 2, 3}},
		{"2026-03-31", "2026-04-02", []int64{1, 2, 3, 4}},
		{"2026-04-03", "2026-04-30", nil},
	} {
		var csvOut, jsonOut bytes.Buffer
		n, err := s.Export(ctx, &csvOut, c.from, c.to, FormatCSV)
		if err != nil || n != int64(len(c.want)) {
			t.Fatalf("csv %s..%s: %d, %v", c.from, c.to, n, err)
		}
		recs, err := csv.NewReader(&csvOut).ReadAll()
		if err != nil || strings.Join(recs[0], ",") != strings.Join(ExportColumns, ",") || len(recs) != len(c.want)+1 {
			t.Fatalf("csv %s..%s: %v %v", c.from, c.to, recs, err)
		}
		for i, seq := range c.want {
			if recs[i+1][0] != strconv.FormatInt(seq, 10) {
				t.Errorf("csv %s..%s row %d: seq %s, want %d", c.from, c.to, i, recs[i+1][0], seq)
			}
		}
		if _, err := s.Export(ctx, &jsonOut, c.from, c.to, FormatJSON); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Seq       int64           `json:"seq"`
			SessionID *int64          `json:"session_id"`
			Detail    map[string]int  `json:"detail"`
			Hash      string          `json:"hash"`
			Raw       json.RawMessage `json:"-"`
		}
		if err := json.Unmarshal(jsonOut.Bytes(), &rows); err != nil || len(rows) != len(c.want) {
			t.Fatalf("json %s..%s: %d rows, %v\n%s", c.from, c.to, len(rows), err, jsonOut.String())
		}
		for i, seq := range c.want {
			if rows[i].Seq != seq || rows[i].Detail["i"] != int(seq-1) || len(rows[i].Hash) != 64 || rows[i].SessionID != nil {
				t.Errorf("json row %d: %+v", i, rows[i])
			}
		}
	}
	for _, c := range []struct{ from, to, format string }{
		{"2026-04-02", "2026-04-01", "csv"}, {"2026-04-01", "2026-04-01", "xml"}, {"2026/04/01", "2026-04-01", "csv"},
	} {
		if _, err := s.Export(ctx, &bytes.Buffer{}, c.from, c.to, c.format); !errors.Is(err, ErrInvalid) {
			t.Errorf("Export(%v): %v", c, err)
		}
	}
}

func TestPurgeKeepsChainVerifiable(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "mori", RoleClerk, []byte("clerk password"), ""); err != nil {
		t.Fatal(err)
	}
	// Day 1 (old): a session, a ticket with an approval, a completed proxy case, an open one.
	sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	s.Append(ctx, sid, KindPINVerifyFailed, Detail{"cert": "sign", "retries_left": 4})
	tk, _ := s.IssueTicket(ctx, TicketRequest{SessionID: sid, Certificates: []string{"sign"}, Purpose: "renew", Route: RouteApproval})
	if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: CardRef([]byte("a")), StaffID: "mori", Decision: Approve}); err != nil {
		t.Fatal(err)
	}
	s.EndSession(ctx, sid, SessionEnd{Outcome: OutcomeDone})
	done, _ := s.OpenProxyCase(ctx, ProxyCase{Purpose: "new", CardRef: CardRef([]byte("b")), StaffID: "mori", OpenedSessionID: sid})
	s.AdvanceProxyCase(ctx, done, ProxyStep{To: ProxyCancelled, StaffID: "mori"})
	open, _ := s.OpenProxyCase(ctx, ProxyCase{Purpose: "new", CardRef: CardRef([]byte("c")), StaffID: "mori", OpenedSessionID: sid})
	var oldSeq int64
	s.DB().QueryRow(`SELECT MAX(seq) FROM audit_events`).Scan(&oldSeq)

	// 40 days later: a new session; purge with 30 days of retention.
	clk.Add(40 * 24 * time.Hour)
	sid2, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	r, err := s.Purge(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cutoff != "2026-04-11" || r.Events != oldSeq || r.Sessions != 1 || r.Tickets != 1 || r.ProxyCases != 1 ||
		r.Checkpoint == nil || r.Checkpoint.Seq != oldSeq {
		t.Errorf("purge = %+v (old seq %d)", r, oldSeq)
	}
	v := mustVerify(t, s)
	// Kept: the new session's start, the purge, and mori's staff row bound
	// again (its staff_added event was purged).
	if v.FirstSeq != oldSeq+1 || v.Checkpoint == nil || v.Checkpoint.Seq != oldSeq || v.Events != 3 || v.RowsChecked != 1 {
		t.Errorf("verify after purge: %+v", v)
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM approvals`).Scan(&n)
	if n != 0 {
		t.Errorf("%d approvals left", n)
	}
	if c, err := s.ProxyCase(ctx, open); err != nil || c.OpenedSessionID != 0 {
		t.Errorf("open case after purge: %+v, %v", c, err)
	}
	if _, err := s.Session(ctx, sid2); err != nil {
		t.Errorf("recent session purged: %v", err)
	}
	// Appending continues the chain from the checkpoint; a second purge
	// moves the checkpoint; purging nothing still leaves an event.
	if _, err := s.Append(ctx, sid2, KindStatusRead, nil); err != nil {
		t.Fatal(err)
	}
	clk.Add(40 * 24 * time.Hour)
	r2, err := s.Purge(ctx, 30)
	if err != nil || r2.Checkpoint == nil || r2.Checkpoint.Seq <= oldSeq {
		t.Fatalf("second purge: %+v, %v", r2, err)
	}
	r3, err := s.Purge(ctx, 30)
	if err != nil || r3.Checkpoint != nil || r3.Events != 0 {
		t.Fatalf("empty purge: %+v, %v", r3, err)
	}
	v = mustVerify(t, s)
	if v.Events != 3 || v.Checkpoint.Seq != r2.Checkpoint.Seq {
		t.Errorf("verify after purges: %+v", v)
	}
	if k := eventKinds(t, s); k[KindRetentionPurge] != 2 || k[KindRowBound] != 1 {
		t.Errorf("events left: %v", k)
	}
	if _, err := s.Purge(ctx, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("purge 0 days: %v", err)
	}
	// The application cannot delete events outside the purge.
	if _, err := s.DB().Exec(`DELETE FROM audit_events`); err == nil {
		t.Error("delete outside purge allowed")
	}
}
