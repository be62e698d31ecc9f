package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// TestSimulateRefusesARealDatabase: simulate writes only into databases it
// created; a kiosk's trail is refused and left as it was (no clerk added).
func TestSimulateRefusesARealDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prod.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.Verify(context.Background())
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "", "simulate", "--db", path, "--sessions", "1", "--json")
	if code != exitRefused || !strings.Contains(out, "NOT_A_SIMULATION_DATABASE") {
		t.Fatalf("simulate on a kiosk database = %d %s", code, out)
	}
	st, err = store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.StaffMember(context.Background(), "simclerk"); err == nil {
		t.Error("simulate added its clerk to a kiosk database")
	}
	if after, _ := st.Verify(context.Background()); after.Events != before.Events {
		t.Errorf("events %d → %d", before.Events, after.Events)
	}
	// A database simulate made is accepted again.
	sim := filepath.Join(t.TempDir(), "sim.db")
	simJSON(t, sim, "--sessions", "3")
	simJSON(t, sim, "--sessions", "3")
}

// TestSimulateConcurrentRunsOnANewDatabase: two runs started together on
// one new database both succeed.
func TestSimulateConcurrentRunsOnANewDatabase(t *testing.T) {
	for round := 0; round < 3; round++ {
		path := filepath.Join(t.TempDir(), "sim.db")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		outs := make([]string, 2)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], outs[i], _ = runCLI(t, "", "simulate", "--db", path, "--sessions", "5", "--seed", strconv.Itoa(i), "--json")
			}()
		}
		wg.Wait()
		for i := range codes {
			if codes[i] != exitOK {
				t.Errorf("round %d run %d: exit %d %s", round, i, codes[i], outs[i])
			}
		}
	}
}

// TestSimulateKilledLeavesNoKeys: a simulate killed with SIGKILL in the
// middle of its sessions leaves no private key in the temporary directory,
// and the next run sweeps the dead run's directory away.
func TestSimulateKilledLeavesNoKeys(t *testing.T) {
	if os.Getenv("KIOSKCTL_SIM_CHILD") != "" {
		os.Exit(run(&env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr},
			[]string{"simulate", "--db", os.Getenv("KIOSKCTL_SIM_CHILD"), "--sessions", "1000000", "--synchronous", "NORMAL"}))
	}
	tmp := t.TempDir()
	db := filepath.Join(t.TempDir(), "sim.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimulateKilledLeavesNoKeys$")
	cmd.Env = append(os.Environ(), "KIOSKCTL_SIM_CHILD="+db, "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once sessions are being written.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child wrote no session in 60 s")
		}
		if st, err := store.Open(db, store.Options{ReadOnly: true}); err == nil {
			var n int
			_ = st.DB().QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n)
			st.Close()
			if n > 0 {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	var keys []string
	filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".key") || strings.Contains(p, "PRIVATE")) {
			keys = append(keys, p)
		}
		return nil
	})
	if len(keys) > 0 {
		t.Errorf("private keys left after SIGKILL: %v", keys)
	}
	t.Setenv("TMPDIR", tmp)
	sweepSimDirs()
	if left, _ := filepath.Glob(filepath.Join(tmp, simDirPrefix+"*")); len(left) > 0 {
		t.Errorf("the dead run's directory was not swept: %v", left)
	}
}
