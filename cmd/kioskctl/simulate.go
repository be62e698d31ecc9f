package main

import (
	"context"
	crand "crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// simResult is the JSON of kioskctl simulate.
type simResult struct {
	Sessions          int            `json:"sessions"`
	Outcomes          map[string]int `json:"outcomes"`
	Ends              map[string]int `json:"ends"`
	Events            int            `json:"events"`
	Issuances         int            `json:"issuances"` // certificates written by the training CA, PIN set
	ElapsedMS         int64          `json:"elapsed_ms"`
	SessionsPerSecond float64        `json:"sessions_per_second"`
	HeapInuseBefore   uint64         `json:"heap_inuse_before"`
	HeapInuseAfter    uint64         `json:"heap_inuse_after"`
}

func runSimulate(e *env, args []string) error {
	fs := newFlags(e, "simulate")
	db := fs.String("db", "", "SQLite database to write (created if missing)")
	n := fs.Int("sessions", 100, "number of resident sessions")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same sessions)")
	profile := fs.String("profile", "moriya", "municipality profile")
	syncMode := fs.String("synchronous", "", `SQLite synchronous mode: "" (FULL, production) or NORMAL`)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	if *n < 1 {
		return usagef("--sessions must be at least 1")
	}
	prof, err := policy.LoadProfile(*profile)
	if err != nil {
		return refuse(*asJSON, "UNKNOWN_PROFILE", "%v", err)
	}
	res, err := simulate(simConfig{DB: *db, Sessions: *n, Seed: *seed, Profile: prof, Synchronous: *syncMode})
	if errors.Is(err, errNotSimDB) {
		return refuse(*asJSON, "NOT_A_SIMULATION_DATABASE", "%v", err)
	}
	if err != nil {
		return refuse(*asJSON, "SIMULATION_FAILED", "%v", err)
	}
	if *asJSON {
		writeJSON(e.stdout, res)
		return nil
	}
	fmt.Fprintf(e.stdout, "%d sessions in %d ms (%.1f sessions/s, %d events, %d certificates issued)\n", res.Sessions, res.ElapsedMS, res.SessionsPerSecond, res.Events, res.Issuances)
	keys := make([]string, 0, len(res.Outcomes))
	for k := range res.Outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "  %-14s %d\n", k, res.Outcomes[k])
	}
	fmt.Fprintf(e.stdout, "heap in use: %d KiB before, %d KiB after\n", res.HeapInuseBefore/1024, res.HeapInuseAfter/1024)
	return nil
}

type simConfig struct {
	DB          string
	DataDir     string // the training issuer's data directory; "" a temporary one
	Sessions    int
	Seed        uint64
	Profile     *policy.Profile
	Synchronous string
}

// simStart is the simulated clock's start: a Wednesday morning in JST.
var simStart = time.Date(2025, 6, 11, 9, 0, 0, 0, policy.JST)

// countingRecorder counts how sessions ended, passing everything on.
type countingRecorder struct {
	flow.Recorder
	outcomes map[string]int
	ends     map[string]int
	issued   int
}

// Record counts finished issuances (the issuer's done step, after the PIN).
func (r *countingRecorder) Record(ctx context.Context, id string, t flow.Transition) error {
	if t.Kind == "ISSUANCE_DONE" {
		r.issued++
	}
	return r.Recorder.Record(ctx, id, t)
}

func (r *countingRecorder) EndSession(ctx context.Context, id string, end flow.SessionEnd) error {
	r.outcomes[end.Outcome]++
	r.ends[end.Reason]++
	return r.Recorder.EndSession(ctx, id, end)
}

// simKeyPool makes a few RSA-2048 keys once (in parallel) and hands them
// out in turn as the virtual cards' "new" key pairs: the simulation measures
// the kiosk, not key generation on a card.
func simKeyPool(n int) (func() (*rsa.PrivateKey, error), error) {
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = rsa.GenerateKey(crand.Reader, 2048)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var next atomic.Uint64
	return func() (*rsa.PrivateKey, error) { return keys[next.Add(1)%uint64(n)], nil }, nil
}

// simMarker is the setting that marks a database simulate created: it
// writes simulated sessions and a clerk only into such a database.
const simMarker = "simulation_db"

// simDirPrefix names simulate's temporary issuer directories.
const simDirPrefix = "kioskctl-simulate-"

// openSimDB opens the simulation's database: a new one (created here and
// marked), or one an earlier run created (marked). Any other database — a
// kiosk's real trail — is refused, untouched. Two runs starting on the same
// new file both proceed: the one that did not create it waits briefly for
// the creator's mark.
func openSimDB(path string, opts store.Options) (*store.Store, error) {
	created := false
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
		created = true
	} else if !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	var st *store.Store
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err = store.Open(path, opts)
		if err == nil {
			break
		}
		// A second run can meet the file while the first is still
		// creating it (schema, WAL): retry for a few seconds.
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx := context.Background()
	if created {
		if err := st.SetSetting(ctx, simMarker, "kioskctl_simulate", ""); err != nil {
			st.Close()
			return nil, err
		}
		return st, nil
	}
	for {
		if v, err := st.GetSetting(ctx, simMarker); err == nil && v == "kioskctl_simulate" {
			return st, nil
		}
		if time.Now().After(deadline) || !youngDB(ctx, st) {
			st.Close()
			return nil, fmt.Errorf("%w: %s was not created by kioskctl simulate: refusing to add simulated sessions and a clerk to it", errNotSimDB, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// errNotSimDB is a database simulate refuses to write.
var errNotSimDB = errors.New("not a simulation database")

// youngDB reports a database with no staff and no sessions yet: one another
// simulate run may just have created and not marked yet.
func youngDB(ctx context.Context, st *store.Store) bool {
	var n int
	err := st.DB().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM staff) + (SELECT COUNT(*) FROM sessions)`).Scan(&n)
	return err == nil && n == 0
}

// sweepSimDirs removes the temporary issuer directories of earlier runs
// that were killed (their process is gone).
func sweepSimDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), simDirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "pid"))
		if err != nil {
			// No pid yet: a run that is just starting, unless it is old.
			if fi, serr := os.Stat(d); serr == nil && time.Since(fi.ModTime()) > time.Minute {
				_ = os.RemoveAll(d)
			}
			continue
		}
		if pid, err := strconv.Atoi(string(b)); err != nil || pid <= 0 || !processAlive(pid) {
			_ = os.RemoveAll(d)
		}
	}
}

// simulate runs the sessions against one machine, as a kiosk would.
func simulate(cfg simConfig) (simResult, error) {
	clk := samples.NewClock(simStart) // the simulation's time: it moves only when the driver says so
	st, err := openSimDB(cfg.DB, store.Options{Now: clk.Now, Synchronous: cfg.Synchronous})
	if err != nil {
		return simResult{}, err
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.StaffMember(ctx, "simclerk"); err != nil {
		// A random password nobody knows: the simulated clerk approves
		// through the store, never by signing in.
		pw := []byte(crand.Text())
		err := st.AddStaff(ctx, "simclerk", store.RoleClerk, pw, "")
		wipe(pw)
		if err != nil && !errors.Is(err, store.ErrConflict) { // a concurrent run added it
			return simResult{}, fmt.Errorf("adding the simulated clerk: %w", err)
		}
	}
	personas := map[string]*vcard.Persona{}
	var names []string
	for _, info := range vcard.List() {
		p, err := vcard.NewPersona(info.Name, simStart)
		if err != nil {
			return simResult{}, err
		}
		personas[info.Name] = p
		names = append(names, info.Name)
	}
	// Issuance is real: the training CA of a temporary data directory
	// writes certificates onto the in-memory virtual cards, which trust its
	// issuer key, and the new PINs are set through it.
	dataDir := cfg.DataDir
	if dataDir == "" {
		sweepSimDirs()
		if dataDir, err = os.MkdirTemp("", simDirPrefix); err != nil {
			return simResult{}, err
		}
		defer os.RemoveAll(dataDir)
		if err := os.WriteFile(filepath.Join(dataDir, "pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
			return simResult{}, err
		}
	}
	iss, err := issue.NewTraining(dataDir)
	if err != nil {
		return simResult{}, fmt.Errorf("training issuer: %w", err)
	}
	issuerKey, err := loadIssuerKey(dataDir)
	if err != nil {
		return simResult{}, err
	}
	if cfg.DataDir == "" {
		// The issuer holds its keys in memory now: the private keys leave
		// the disk at once, so a run killed with -9 leaves none behind.
		for _, f := range []string{issue.FileAuthCAKey, issue.FileSignCAKey, issue.FileIssuerKey} {
			if err := os.Remove(filepath.Join(dataDir, f)); err != nil {
				return simResult{}, fmt.Errorf("removing the temporary issuer key: %w", err)
			}
		}
	}
	keyGen, err := simKeyPool(4)
	if err != nil {
		return simResult{}, err
	}
	rec := &countingRecorder{Recorder: flow.NewStoreRecorder(st, cfg.Profile.ID, "sim"), outcomes: map[string]int{}, ends: map[string]int{}}
	var recErr error
	onRecErr := func(err error) {
		if recErr == nil {
			recErr = err
		}
	}
	slot := &flow.CardSlot{Issuer: iss, Audit: rec, OnAuditError: onRecErr, Location: policy.JST}
	iss.SetEvents(slot)
	q := &flow.QueueExecutor{}
	m, err := flow.New(flow.Config{
		Card: slot, Rules: flow.PolicyRules{Profile: cfg.Profile}, Recorder: slot.Recorder(rec), Issuer: slot,
		Clock: clk, Exec: q, IdleAfter: 60 * time.Second, Countdown: 30 * time.Second, KioskID: "sim", Location: policy.JST,
		OnRecordError: onRecErr,
	})
	if err != nil {
		return simResult{}, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	before := heapInuse()
	start := time.Now()
	events := 0
	for i := 0; i < cfg.Sessions; i++ {
		p := personas[names[rng.IntN(len(names))]]
		vc := p.NewCard(vcard.Options{IssuerKey: issuerKey, KeyGen: keyGen})
		slot.Connect(vc)
		d := &resident{m: m, q: q, clk: clk, rng: rng, st: st, per: p, pins: map[flow.PIN]string{
			flow.PINAuth: p.AuthPIN, flow.PINSign: p.SignPIN, flow.PINBasicInfo: p.BasicPIN}}
		if err := d.session(); err != nil {
			return simResult{}, fmt.Errorf("session %d (%s): %w", i+1, p.Name, err)
		}
		events += d.events
		if recErr != nil {
			return simResult{}, fmt.Errorf("session %d: recording: %w", i+1, recErr)
		}
		// The next resident comes a little later; keep to reception hours
		// most of the time by wrapping around the morning.
		clk.Add(time.Duration(30+rng.IntN(90)) * time.Second)
		if h := clk.Now().Hour(); h >= 16 {
			clk.Add(17 * time.Hour) // next morning
		}
	}
	elapsed := time.Since(start)
	after := heapInuse()
	return simResult{
		Sessions: cfg.Sessions, Outcomes: rec.outcomes, Ends: rec.ends, Events: events, Issuances: rec.issued,
		ElapsedMS: elapsed.Milliseconds(), SessionsPerSecond: float64(cfg.Sessions) / elapsed.Seconds(),
		HeapInuseBefore: before, HeapInuseAfter: after,
	}, nil
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// resident is one simulated resident (and, when asked, the clerk).
type resident struct {
	m      *flow.Machine
	q      *flow.QueueExecutor
	clk    *samples.Clock
	rng    *rand.Rand
	st     *store.Store
	per    *vcard.Persona
	pins   map[flow.PIN]string
	newPIN string // the new PIN being typed twice
	events int
}

const maxEventsPerSession = 80

func (d *resident) send(ev flow.Event) flow.Snapshot {
	d.events++
	d.clk.Add(time.Duration(1+d.rng.IntN(8)) * time.Second)
	d.m.Handle(ev)
	return d.q.Drain(d.m)
}

func (d *resident) chance(pct int) bool { return d.rng.IntN(100) < pct }

// session runs one resident from card in to card out.
func (d *resident) session() error {
	s := d.send(flow.CardInserted{})
	for n := 0; s.State != flow.StateInsertCard; n++ {
		if n > maxEventsPerSession {
			// A resident who dithers this long pulls the card at last.
			if s = d.send(flow.CardRemoved{}); s.State != flow.StateInsertCard {
				return fmt.Errorf("card removal ignored in %s", s.State)
			}
			break
		}
		switch {
		case s.State == flow.StateTakeCard:
			s = d.send(flow.CardRemoved{})
			continue
		case d.chance(2): // the resident pulls the card
			s = d.send(flow.CardRemoved{})
			continue
		case d.chance(2) && s.State != flow.StateIdleCountdown: // the resident walks away
			d.clk.Add(2 * time.Hour)
			s = d.send(flow.Tick{})
			continue
		}
		ev, err := d.next(s)
		if err != nil {
			return err
		}
		prev := s.Seq
		s = d.send(ev)
		if s.Seq == prev && !d.mayIgnore(ev) {
			return fmt.Errorf("event %s ignored in %s", ev.Kind(), s.State)
		}
	}
	return nil
}

// mayIgnore: events the driver sends knowing they may be ignored.
func (d *resident) mayIgnore(ev flow.Event) bool {
	switch ev.(type) {
	case flow.Tick:
		return true
	}
	return false
}

// next picks the resident's (or clerk's) next event for the screen.
func (d *resident) next(s flow.Snapshot) (flow.Event, error) {
	switch s.State {
	case flow.StateStatus:
		if d.chance(10) {
			return flow.Cancel{}, nil
		}
		o := s.Offers[d.rng.IntN(len(s.Offers))]
		return flow.SelectService{Service: o.Service, PIN: o.PIN}, nil
	case flow.StateLastTryConfirm:
		if d.chance(30) {
			return flow.Back{}, nil
		}
		return flow.Next{}, nil
	case flow.StateEnterPIN:
		if s.PIN.Optional && d.chance(30) {
			return flow.Next{}, nil
		}
		switch r := d.rng.IntN(100); {
		case r < 75:
			return d.pin(d.pins[s.PIN.Which]), nil
		case r < 95:
			return d.pin(wrongPIN(s.PIN.Which, d.pins[s.PIN.Which])), nil
		default:
			return d.pin("1"), nil // malformed: no try spent
		}
	case flow.StateNewPIN:
		d.newPIN = newPIN(d.rng, s.PIN.Which)
		if d.chance(8) {
			return d.pin("ABC"), nil // breaks the rules
		}
		return d.pin(d.newPIN), nil
	case flow.StateRepeatPIN:
		if d.chance(8) {
			return d.pin(newPIN(d.rng, s.PIN.Which) + "0"), nil // mismatch
		}
		if s.Service == flow.ServicePINChange {
			d.pins[s.PIN.Which] = d.newPIN // what the card holds if the change succeeds
		}
		return d.pin(d.newPIN), nil
	case flow.StateChooseCerts:
		if d.chance(15) {
			return flow.Cancel{}, nil
		}
		c := [...]flow.CertSet{{Sign: true}, {Auth: true}, {Sign: true, Auth: true}}[d.rng.IntN(3)]
		return flow.SelectCerts{Certs: c}, nil
	case flow.StateEligibility:
		if s.CanContinue && d.chance(85) {
			return flow.Next{}, nil
		}
		if d.chance(50) {
			return flow.Cancel{}, nil
		}
		return flow.Back{}, nil
	case flow.StateWaitApproval:
		return d.clerk(s)
	case flow.StateIdleCountdown:
		if d.chance(50) {
			return flow.Next{}, nil
		}
		d.clk.Add(time.Minute)
		return flow.Tick{}, nil
	case flow.StateReading, flow.StateIssuing:
		return nil, fmt.Errorf("busy in %s with no task queued", s.State)
	}
	if s.CanContinue && d.chance(80) {
		return flow.Next{}, nil
	}
	return flow.Cancel{}, nil
}

func (d *resident) pin(p string) flow.SubmitPIN { return flow.SubmitPIN{PIN: []byte(p)} }

// clerk decides on the ticket through the store, as the staff screen does,
// and tells the machine.
func (d *resident) clerk(s flow.Snapshot) (flow.Event, error) {
	id, err := strconv.ParseInt(s.Ticket.ID, 10, 64)
	if err != nil {
		return nil, err
	}
	// The card reference the kiosk binds approvals to (card.Ref, docs/CARD.md).
	var authSerial *big.Int
	if d.per.AuthCert != nil {
		authSerial = d.per.AuthCert.SerialNumber
	}
	ref := card.Ref(authSerial, &card.Token{Serial: []byte(d.per.Serial)})
	if d.chance(15) {
		if _, err := d.st.Decide(context.Background(), store.Approval{TicketID: id, CardRef: ref, StaffID: "simclerk", Decision: store.Decline, Reason: "ID_NOT_CONFIRMED"}); err != nil {
			return nil, err
		}
		return flow.StaffDeclined{TicketID: s.Ticket.ID, Reason: "ID_NOT_CONFIRMED"}, nil
	}
	a, err := d.st.Decide(context.Background(), store.Approval{TicketID: id, CardRef: ref, StaffID: "simclerk", Decision: store.Approve})
	if err != nil {
		return nil, err
	}
	return flow.StaffApproved{TicketID: s.Ticket.ID, ApprovalID: strconv.FormatInt(a.ID, 10), CardExpiry: d.per.CardExpiry}, nil
}

// wrongPIN is a well-formed PIN other than the right one.
func wrongPIN(which flow.PIN, right string) string {
	w := "9999"
	if which == flow.PINSign {
		w = "WRONG9"
	}
	if w == right {
		w = "8888"
		if which == flow.PINSign {
			w = "WRONG8"
		}
	}
	return w
}

// newPIN makes a valid random PIN.
func newPIN(rng *rand.Rand, which flow.PIN) string {
	if which != flow.PINSign {
		return fmt.Sprintf("%04d", rng.IntN(10000))
	}
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := []byte{letters[rng.IntN(26)], letters[rng.IntN(26)], letters[rng.IntN(26)]}
	return string(b) + fmt.Sprintf("%03d", rng.IntN(1000))
}
