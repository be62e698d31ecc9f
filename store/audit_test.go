package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fillEvents appends n events (every third one tied to a session).
func fillEvents(t testing.TB, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	sid, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		var id int64
		if i%3 == 0 {
			id = sid
		}
		if _, err := s.Append(ctx, id, KindPINVerifyFailed, Detail{"cert": "auth", "retries_left": 2, "i": i}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRowHashCanonicalForm(t *testing.T) {
	// Pinned values from an independent implementation (Python, as in
	// docs/STORE.md): sha256(prev_hex + netstrings of the fields).
	for _, c := range []struct {
		seq, sid     int64
		kind, detail string
		want         string
	}{
		{1, 0, "x", "{}", "b6105e6007fcb5f447d3411a9bc30ddcb5453f00b73cafa6d21bf9fac2b51f1f"},
		{7, 3, "pin_locked", `{"cert":"sign"}`, "cdfa1e2c8cf979241cedfe7b6613c4ddbad6efd9bc90983fa5ac6e23a5c44be9"},
	} {
		if got := RowHash(GenesisHash, c.seq, "2026-04-01T09:30:00.000000+09:00", c.sid, c.kind, c.detail); got != c.want {
			t.Errorf("RowHash(seq %d) = %s, want %s", c.seq, got, c.want)
		}
	}
	if RowHash(GenesisHash, 1, "a", 12, "b", "{}") == RowHash(GenesisHash, 11, "a", 2, "b", "{}") {
		t.Error("length prefixes do not separate fields")
	}
}

func TestAppendAndVerify(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	r := mustVerify(t, s)
	if r.Events != 0 || r.Head != GenesisHash {
		t.Errorf("empty chain: %+v", r)
	}
	fillEvents(t, s, 20)
	clk.Add(time.Hour)
	seq, err := s.Append(ctx, 0, "custom_kind", Detail{"reason": "PIN_LOCKED"})
	if err != nil {
		t.Fatal(err)
	}
	r = mustVerify(t, s)
	if r.Events != 22 || r.FirstSeq != 1 || r.LastSeq != seq || seq != 22 {
		t.Errorf("verify = %+v, last seq %d", r, seq)
	}
	var prev, h string
	if err := s.DB().QueryRow(`SELECT prev_hash FROM audit_events WHERE seq = 1`).Scan(&prev); err != nil || prev != GenesisHash {
		t.Errorf("genesis prev_hash = %q (%v)", prev, err)
	}
	if err := s.DB().QueryRow(`SELECT hash FROM audit_events WHERE seq = 22`).Scan(&h); err != nil || h != r.Head {
		t.Errorf("head = %s, last hash %s (%v)", r.Head, h, err)
	}
	if _, err := s.Append(ctx, 999, "x_event", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("append to missing session: %v", err)
	}
	for _, kind := range []string{"", "X", "Kind", "a b", strings.Repeat("a", 60)} {
		if _, err := s.Append(ctx, 0, kind, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("kind %q: %v", kind, err)
		}
	}
}

func TestTriggersKeepAuditAppendOnly(t *testing.T) {
	s, _ := newStore(t)
	fillEvents(t, s, 5)
	for _, q := range []string{
		`UPDATE audit_events SET kind = 'x' WHERE seq = 2`,
		`UPDATE audit_events SET hash = hash`,
		`DELETE FROM audit_events WHERE seq = 3`,
		`DELETE FROM audit_events`,
		`INSERT INTO audit_events (seq, at, kind, detail_json, prev_hash, hash) VALUES (100, 'x', 'k', '{}', 'p', 'h')`,
		`INSERT INTO audit_events (seq, at, kind, detail_json, prev_hash, hash) VALUES (3, 'x', 'k', '{}', 'p', 'h')`,
		`INSERT INTO checkpoints (seq, hash, at, cutoff, purged_events) VALUES (1, 'h', 'a', 'c', 1)`,
	} {
		if _, err := s.DB().Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	_, _ = s.DB().Exec(`DELETE FROM checkpoints`) // nothing there: no trigger fires; just no panic
	mustVerify(t, s)
}

// TestTamperingIsDetected changes, deletes or reorders rows with raw SQL
// (triggers dropped first) and checks that Verify names the row.
func TestTamperingIsDetected(t *testing.T) {
	const n, victim = 10, 6
	cases := []struct {
		name string
		sql  []string
		want int64
	}{
		{"seq", []string{`UPDATE audit_events SET seq = 100 WHERE seq = 6`}, victim},
		{"at", []string{`UPDATE audit_events SET at = '2026-04-01T09:29:59.000000+09:00' WHERE seq = 6`}, victim},
		{"session_id set", []string{`UPDATE audit_events SET session_id = 1 WHERE seq = 6`}, victim},
		{"session_id cleared", []string{`UPDATE audit_events SET session_id = NULL WHERE seq = 7`}, 7},
		{"session_id NULL to 0", []string{`UPDATE audit_events SET session_id = 0 WHERE seq = 6`}, victim}, // the Python checker sees it too
		{"kind", []string{`UPDATE audit_events SET kind = 'pin_verified' WHERE seq = 6`}, victim},
		{"detail_json", []string{`UPDATE audit_events SET detail_json = replace(detail_json, '"retries_left":2', '"retries_left":3') WHERE seq = 6`}, victim},
		{"prev_hash", []string{`UPDATE audit_events SET prev_hash = '` + GenesisHash + `' WHERE seq = 6`}, victim},
		{"hash", []string{`UPDATE audit_events SET hash = '` + strings.Repeat("f", 64) + `' WHERE seq = 6`}, victim},
		{"hash and next prev_hash", []string{
			`UPDATE audit_events SET detail_json = '{}' WHERE seq = 6`,
			`UPDATE audit_events SET hash = 'x' WHERE seq = 6`,
			`UPDATE audit_events SET prev_hash = 'x' WHERE seq = 7`}, victim},
		{"delete", []string{`DELETE FROM audit_events WHERE seq = 6`}, victim},
		{"delete first", []string{`DELETE FROM audit_events WHERE seq = 1`}, 1},
		{"reorder", []string{
			`UPDATE audit_events SET seq = -6 WHERE seq = 6`,
			`UPDATE audit_events SET seq = 6 WHERE seq = 7`,
			`UPDATE audit_events SET seq = 7 WHERE seq = -6`}, victim},
		{"insert", []string{`INSERT INTO audit_events SELECT 100, at, session_id, kind, detail_json, prev_hash, hash, mac FROM audit_events WHERE seq = 10`}, 11},
		{"forged checkpoint", []string{
			`INSERT INTO checkpoints (seq, hash, at, cutoff, purged_events) SELECT 5, hash, at, '2026-04-01', 5 FROM audit_events WHERE seq = 5`,
			`DELETE FROM audit_events WHERE seq <= 5`}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := trailOf(t, n)
			ctx := context.Background()
			mustVerify(t, s)
			tamper(t, s, c.sql...)
			r, err := s.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || r.FirstBrokenSeq != c.want {
				t.Errorf("verify after tampering: ok=%v first broken %d (%s), want %d", r.OK, r.FirstBrokenSeq, r.Problem, c.want)
			}
		})
	}
}

// tamper drops the protective triggers and runs raw SQL.
func tamper(t testing.TB, s *Store, stmts ...string) {
	t.Helper()
	for _, q := range append([]string{
		`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`,
		`DROP TRIGGER audit_events_append_only`, `DROP TRIGGER checkpoints_no_delete`, `DROP TRIGGER checkpoints_only_by_purge`,
	}, stmts...) {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestConcurrentAppends(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Append(ctx, 0, "worker_event", Detail{"worker": w, "i": i}); err != nil {
					errs <- err
					return
				}
				if i%5 == 0 {
					if _, err := s.Dashboard(ctx, s.Today()); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if r := mustVerify(t, s); r.Events != workers*each {
		t.Errorf("events = %d, want %d", r.Events, workers*each)
	}
}

func TestTwoHandlesInterleave(t *testing.T) {
	// Two Store handles on one file stand for two processes (the kiosk and
	// kioskctl): BEGIN IMMEDIATE keeps the chain linear.
	s, _ := newStore(t)
	s2, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, h := range []*Store{s, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				if _, err := h.Append(ctx, 0, "handle_event", Detail{"i": i}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if r := mustVerify(t, s); r.Events != 60 {
		t.Errorf("events = %d", r.Events)
	}
}

// TestPythonCheckerAgrees runs the independent Python checker of
// docs/STORE.md and Verify on the same tampered files: they must agree on
// every one (they once disagreed on a session_id changed from NULL to 0).
func TestPythonCheckerAgrees(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("KIOSK_REQUIRE_INTEGRATION") != "" {
			t.Fatal("python3 not installed")
		}
		t.Skip("python3 not installed")
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "STORE.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```python\n")
	script, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no Python checker in docs/STORE.md")
	}
	for _, c := range []struct {
		name string
		sql  []string
		fn   func(t *testing.T, s *Store) // a forgery raw SQL cannot compute
	}{
		{"untouched", nil, nil},
		{"session_id NULL to 0", []string{`UPDATE audit_events SET session_id = 0 WHERE seq = 6`}, nil},
		{"session_id set", []string{`UPDATE audit_events SET session_id = 1 WHERE seq = 6`}, nil},
		{"session_id cleared", []string{`UPDATE audit_events SET session_id = NULL WHERE seq = 7`}, nil},
		{"detail_json", []string{`UPDATE audit_events SET detail_json = '{}' WHERE seq = 6`}, nil},
		{"kind", []string{`UPDATE audit_events SET kind = 'pin_verified' WHERE seq = 6`}, nil},
		{"delete", []string{`DELETE FROM audit_events WHERE seq = 6`}, nil},
		{"mac stripped", []string{`UPDATE audit_events SET mac = NULL WHERE seq = 6`}, nil},
		{"mac of another row", []string{`UPDATE audit_events SET mac = (SELECT mac FROM audit_events WHERE seq = 7) WHERE seq = 6`}, nil},
		{"first macs stripped", []string{`UPDATE audit_events SET mac = NULL WHERE seq <= 2`}, nil},
		{"forged event appended", []string{}, func(t *testing.T, s *Store) {
			forgeEvent(t, s, KindStaffAdded, `{"by":"kioskctl","role":"admin","staff_id":"mallory"}`, "")
		}},
		{"chain recomputed without the key", []string{`UPDATE audit_events SET detail_json = '{}' WHERE seq = 6`}, func(t *testing.T, s *Store) {
			rechain(t, s, 1, noMAC)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := trailOf(t, 10)
			ctx := context.Background()
			if c.sql != nil {
				tamper(t, s, c.sql...)
			}
			if c.fn != nil {
				c.fn(t, s)
			}
			r, err := s.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "-c", strings.ReplaceAll(script, `"kiosk.db"`, strconv.Quote(s.Path())))
			out, err := cmd.CombinedOutput()
			pyOK := err == nil
			if pyOK != r.OK {
				t.Errorf("Go verify ok=%v (%s), Python checker ok=%v: %s", r.OK, r.Problem, pyOK, out)
			}
			if (c.sql == nil) != r.OK {
				t.Errorf("verify ok=%v on %s", r.OK, c.name)
			}
		})
	}
}

// trailOf is a store whose trail has n events: a session started (seq 1)
// and PIN failures a second apart, the one at seq 7 in that session.
func trailOf(t *testing.T, n int) *Store {
	t.Helper()
	s, clk := newStore(t)
	ctx := context.Background()
	sid, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= n; i++ {
		clk.Add(time.Second)
		var id int64
		if i == 7 {
			id = sid
		}
		if _, err := s.Append(ctx, id, KindPINVerifyFailed, Detail{"cert": "auth", "retries_left": 2}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
