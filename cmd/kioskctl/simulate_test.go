package main

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"testing"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

func simJSON(t *testing.T, db string, args ...string) simResult {
	t.Helper()
	code, out, errOut := runCLI(t, "", append([]string{"simulate", "--db", db, "--json", "--synchronous", "NORMAL"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var res simResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return res
}

// The same seed gives the same sessions; every session ends with one
// outcome; the store holds them all, closed, with an intact audit chain.
func TestSimulate(t *testing.T) {
	dir := t.TempDir()
	a := simJSON(t, filepath.Join(dir, "a.db"), "--sessions", "150", "--seed", "7")
	b := simJSON(t, filepath.Join(dir, "b.db"), "--sessions", "150", "--seed", "7")
	if a.Sessions != 150 || !maps.Equal(a.Outcomes, b.Outcomes) || a.Events != b.Events {
		t.Fatalf("not deterministic:\n%+v\n%+v", a, b)
	}
	total := 0
	for _, n := range a.Outcomes {
		total += n
	}
	if total != 150 {
		t.Fatalf("outcomes add up to %d: %v", total, a.Outcomes)
	}
	for _, o := range []string{"STATUS", "PIN_CHANGED", "COUNTER", "JUKI_CARD", "ISSUED"} {
		if a.Outcomes[o] == 0 {
			t.Errorf("no session ended %s: %v", o, a.Outcomes)
		}
	}
	for _, r := range []string{"CARD_REMOVED", "TIMEOUT", "CANCELLED"} {
		if a.Ends[r] == 0 {
			t.Errorf("no session ended by %s: %v", r, a.Ends)
		}
	}
	// ISSUED means written: every issuing session finished at least one
	// certificate through the training CA (the issuer's done step).
	if a.Issuances < a.Outcomes["ISSUED"] || a.Issuances == 0 {
		t.Errorf("%d certificates issued for %d ISSUED sessions", a.Issuances, a.Outcomes["ISSUED"])
	}
	c := simJSON(t, filepath.Join(dir, "c.db"), "--sessions", "150", "--seed", "8")
	if maps.Equal(a.Outcomes, c.Outcomes) && a.Events == c.Events {
		t.Error("the seed changes nothing")
	}

	st, err := store.Open(filepath.Join(dir, "a.db"), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ss, err := st.Sessions(context.Background(), "2025-06-01", "2025-12-31")
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 150 {
		t.Fatalf("%d sessions in the store", len(ss))
	}
	for _, s := range ss {
		if s.EndedAt.IsZero() || s.Outcome == "" {
			t.Fatalf("session left open: %+v", s)
		}
	}
	if v, err := st.Verify(context.Background()); err != nil || !v.OK {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
}

func TestSimulateUsage(t *testing.T) {
	if code, _, _ := runCLI(t, "", "simulate", "--sessions", "3"); code != exitUsage {
		t.Fatalf("no --db: exit %d", code)
	}
	if code, _, _ := runCLI(t, "", "simulate", "--db", filepath.Join(t.TempDir(), "x.db"), "--sessions", "0"); code != exitUsage {
		t.Fatalf("--sessions 0: exit %d", code)
	}
}

// BenchmarkSimulate measures sessions per second with the production
// SQLite settings (synchronous FULL).
func BenchmarkSimulate(b *testing.B) {
	for b.Loop() {
		if _, err := simulate(simConfig{DB: filepath.Join(b.TempDir(), "b.db"), Sessions: 200, Seed: 1, Profile: mustLoadProfile(b)}); err != nil {
			b.Fatal(err)
		}
	}
}

func mustLoadProfile(tb testing.TB) *policy.Profile {
	p, err := policy.LoadProfile("moriya")
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
