package staff

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

// cheap argon2 parameters: the tests check behaviour, not hashing cost.
var cheap = store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 16}

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 6, 10, 10, 0, 0, 0, store.JST)} // a Tuesday, open in both cities
}

func openStore(t *testing.T, path string, c *clock) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.Options{Now: c.Now, Argon2: &cheap})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newStore(t *testing.T, c *clock) *store.Store {
	t.Helper()
	s := openStore(t, filepath.Join(t.TempDir(), "kiosk.db"), c)
	t.Cleanup(func() { s.Close() })
	return s
}

// clerkStore is a store on a fresh clock with one clerk, "clerk1".
func clerkStore(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	c := newClock()
	s := newStore(t, c)
	addStaff(t, s, "clerk1", store.RoleClerk)
	return s, c
}

func addStaff(t *testing.T, s *store.Store, id string, role store.Role) {
	t.Helper()
	if err := s.AddStaff(context.Background(), id, role, []byte("correct horse battery"), ""); err != nil {
		t.Fatal(err)
	}
}

func profile(t *testing.T, name string) *policy.Profile {
	t.Helper()
	p, err := policy.LoadProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ticket draws a ticket as the resident flow does before waiting for a clerk.
func ticket(t *testing.T, s *store.Store, route store.Route, certs ...string) store.Ticket {
	t.Helper()
	tk, err := s.IssueTicket(context.Background(), store.TicketRequest{Certificates: certs, Purpose: "renew", Route: route})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
