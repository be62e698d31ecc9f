package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const crashEnv = "STORE_CRASH_CHILD_DB"

// TestCrashChild is the child of TestCrashSafety: it appends events until
// it is killed, printing each acknowledged seq on stdout. It does nothing
// when run normally.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("child process of TestCrashSafety only")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		seq, err := s.Append(ctx, 0, KindPINVerifyFailed, Detail{"cert": "sign", "retries_left": i % 5, "i": i})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child append:", err)
			os.Exit(4)
		}
		// Unbuffered write: once it is in the pipe the parent sees it even
		// after the kill.
		if _, err := os.Stdout.WriteString(strconv.FormatInt(seq, 10) + "\n"); err != nil {
			os.Exit(5)
		}
	}
}

// TestCrashSafety kills a child process appending events with SIGKILL at
// random moments, 30 times. After each kill the database passes SQLite's
// integrity check, the chain verifies, and no acknowledged event is lost
// (at most the one in flight is missing, i.e. committed but not reported).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	path := filepath.Join(t.TempDir(), "kiosk.db")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	var dbMax int64 // seq in the database after the previous round
	for round := 0; round < 30; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks := make(chan int64, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if v, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
					acks <- v
				}
			}
			close(acks)
		}()
		// Most rounds: kill while appending, after the first ack; every
		// fifth: kill at a random moment of start-up.
		delay := time.Duration(rng.IntN(60_000)) * time.Microsecond
		lastAck, n := dbMax, 0
		if round%5 != 4 {
			select {
			case v, ok := <-acks:
				if !ok {
					t.Fatalf("round %d: child exited before appending", round)
				}
				lastAck, n = max(lastAck, v), n+1
			case <-time.After(20 * time.Second):
				t.Fatalf("round %d: no ack from the child", round)
			}
		}
		time.Sleep(delay)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		for v := range acks {
			lastAck, n = max(lastAck, v), n+1
		}

		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		var ic string
		if err := s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, ic, err)
		}
		r, err := s.Verify(context.Background())
		if err != nil || !r.OK {
			t.Fatalf("round %d: verify %+v, %v", round, r, err)
		}
		if r.LastSeq < lastAck || r.LastSeq > lastAck+1 {
			t.Fatalf("round %d: database ends at seq %d, last acknowledged %d (%d acks this round)", round, r.LastSeq, lastAck, n)
		}
		dbMax = r.LastSeq
		s.Close()
	}
	if dbMax < 30 {
		t.Errorf("only %d events after 30 rounds: the child hardly ran", dbMax)
	}
	t.Logf("%d events after 30 kills", dbMax)
}
