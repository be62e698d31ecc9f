package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testArgon keeps password hashing cheap in tests.
var testArgon = Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// testNow is where the fake clock starts: 2026-04-01 09:30 JST.
var testNow = time.Date(2026, 4, 1, 9, 30, 0, 0, JST)

// newStore opens a fresh store in a temporary directory with a fake clock
// at 2026-04-01 09:30 JST.
func newStore(t testing.TB) (*Store, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: testNow}
	s, err := Open(filepath.Join(t.TempDir(), "kiosk.db"), Options{Now: clk.Now, Argon2: &testArgon})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

func mustVerify(t testing.TB, s *Store) VerifyResult {
	t.Helper()
	r, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("chain broken at %d: %s", r.FirstBrokenSeq, r.Problem)
	}
	return r
}

func TestOpenConfiguresSQLite(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "5000"},
		{"secure_delete", "1"},
		{"user_version", "2"},
	} {
		// Several connections at once: the settings must hold on each.
		var conns []*sql.Conn
		for i := 0; i < 3; i++ {
			conn, err := s.DB().Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, conn)
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	for _, table := range []string{"sessions", "tickets", "staff", "settings", "audit_events", "approvals", "proxy_cases", "checkpoints"} {
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: n=%d err=%v", table, n, err)
		}
	}
}

func TestOpenTwiceAndReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kiosk.db")
	s, err := Open(path, Options{Argon2: &testArgon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(context.Background(), 0, "test_event", Detail{"n": 1}); err != nil {
		t.Fatal(err)
	}
	// A second process-like handle on the same file, while the first is open.
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Append(context.Background(), 0, "test_event", Detail{"n": 2}); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	s.Close()

	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if r := mustVerify(t, ro); r.Events != 2 {
		t.Errorf("events = %d, want 2", r.Events)
	}
	if _, err := ro.Append(context.Background(), 0, "test_event", nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("append on read-only store: %v, want ErrReadOnly", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("read-only open created the missing file")
	}
	// Paths with URI-special characters work.
	odd := filepath.Join(dir, "a #1 100%?.db")
	so, err := Open(odd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	so.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("database not at %q: %v", odd, err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		if _, err := Open(path, Options{ReadOnly: ro}); !errors.Is(err, ErrSchemaTooNew) {
			t.Errorf("read-only=%v: %v, want ErrSchemaTooNew", ro, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"2026-04-01", true}, {"2024-02-29", true}, {"2026-02-29", false}, {"2026-4-1", false}, {"20260401", false}, {"", false},
	} {
		if _, err := ParseDate(c.in); (err == nil) != c.ok {
			t.Errorf("ParseDate(%q): %v", c.in, err)
		}
	}
}

// TestNewDatabaseIsPrivate: the database, its WAL and its shared-memory file
// are created 0600 whatever the umask, so the trail is not world-readable.
func TestNewDatabaseIsPrivate(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.StartSession(context.Background(), SessionStart{Mode: ModeSelf, Profile: "moriya"}); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(s.Path() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(s.Path()+suffix), m)
		}
	}
}
