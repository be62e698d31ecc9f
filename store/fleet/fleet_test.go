package fleet

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/fleet/pgtest"
)

var (
	cluster *pgtest.Cluster
	skipWhy string
	dbSeq   atomic.Int64
)

const (
	shipPW = "ship-pw-test"
	dashPW = "dash-pw-test"
)

func TestMain(m *testing.M) {
	c, err := pgtest.Start()
	if err != nil {
		if os.Getenv("KIOSK_REQUIRE_INTEGRATION") == "1" || !errors.Is(err, pgtest.ErrNotInstalled) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		skipWhy = err.Error()
	} else {
		cluster = c
		if err := c.Exec("postgres",
			`CREATE ROLE kiosk_shipper NOLOGIN`, `CREATE ROLE kiosk_dashboard NOLOGIN`,
			`CREATE ROLE shipper LOGIN PASSWORD '`+shipPW+`' IN ROLE kiosk_shipper`,
			`CREATE ROLE dash LOGIN PASSWORD '`+dashPW+`' IN ROLE kiosk_dashboard`); err != nil {
			fmt.Fprintln(os.Stderr, err)
			c.Close()
			os.Exit(1)
		}
	}
	code := m.Run()
	if cluster != nil {
		cluster.Close()
	}
	os.Exit(code)
}

// central makes a fresh migrated database and returns its name.
func central(t testing.TB) string {
	t.Helper()
	if cluster == nil {
		t.Skip(skipWhy)
	}
	db := fmt.Sprintf("fleet%d", dbSeq.Add(1))
	if err := cluster.Exec("postgres", "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	conn := connect(t, cluster.URL("admin", pgtest.AdminPassword, db))
	if from, to, err := Migrate(context.Background(), conn); err != nil || from != 0 || to != SchemaVersion {
		t.Fatalf("migrate: %d→%d %v", from, to, err)
	}
	if from, to, err := Migrate(context.Background(), conn); err != nil || from != SchemaVersion || to != SchemaVersion {
		t.Fatalf("second migrate: %d→%d %v", from, to, err)
	}
	return db
}

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// kiosk makes a local store with n sessions (each with a ticket and events).
func kiosk(t testing.TB, n int) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	st, err := store.Open(path, store.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	addSessions(t, st, n)
	return st, path
}

func addSessions(t testing.TB, st *store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		id, err := st.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: "moriya"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(ctx, id, store.KindStatusRead, store.Detail{"retries_left": 3}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.IssueTicket(ctx, store.TicketRequest{SessionID: id, Certificates: []string{"sign"}, Purpose: "renew", Route: store.RouteSelf}); err != nil {
			t.Fatal(err)
		}
		if err := st.EndSession(ctx, id, store.SessionEnd{Outcome: store.OutcomeDone, Services: []string{"status"}}); err != nil {
			t.Fatal(err)
		}
	}
}

func localHead(t testing.TB, st *store.Store) int64 {
	var h int64
	if err := st.DB().QueryRow(`SELECT max(seq) FROM audit_events`).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func shipper(db, path, id string) *Shipper {
	return &Shipper{DBPath: path, URL: cluster.URL("shipper", shipPW, db), Kiosk: id, Batch: 50}
}

func verifyOne(t testing.TB, db, id string) KioskCheck {
	t.Helper()
	ks, err := Verify(context.Background(), connect(t, cluster.URL("dash", dashPW, db)))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Kiosk == id {
			return k
		}
	}
	return KioskCheck{Kiosk: id, OK: true} // not known centrally yet: nothing to check
}

func TestShipResumeIdempotentAndRoles(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 40)
	sh := shipper(db, path, "branch-1")
	defer sh.Close()
	ctx := context.Background()
	want := localHead(t, st)
	r, err := sh.ShipOnce(ctx)
	if err != nil || r.Shipped != want || r.HeadSeq != want {
		t.Fatalf("first ship: %+v %v (want %d)", r, err, want)
	}
	r, err = sh.ShipOnce(ctx) // nothing new: the head is re-sent and compared
	if err != nil || r.Shipped != 0 || r.HeadSeq != want {
		t.Fatalf("second ship: %+v %v", r, err)
	}
	addSessions(t, st, 3)
	r, err = shipper(db, path, "branch-1").ShipOnce(ctx) // a new shipper resumes from the central head
	if err != nil || r.Shipped != localHead(t, st)-want {
		t.Fatalf("resume: %+v %v", r, err)
	}
	if k := verifyOne(t, db, "branch-1"); !k.OK || k.Events != localHead(t, st) {
		t.Fatalf("verify: %+v", k)
	}
	dash := connect(t, cluster.URL("dash", dashPW, db))
	ss, err := Status(ctx, dash, st.Today(), time.Now())
	if err != nil || len(ss) != 1 || ss[0].Sessions != 43 || ss[0].Done != 43 || ss[0].Health != "ok" {
		t.Fatalf("status: %+v %v", ss, err)
	}
	// Roles: the shipper can neither read nor change rows; the dashboard cannot write.
	shc := connect(t, cluster.URL("shipper", shipPW, db))
	for _, q := range []string{`SELECT count(*) FROM fleet.audit_events`, `DELETE FROM fleet.audit_events`,
		`UPDATE fleet.kiosks SET problem = NULL`, `INSERT INTO fleet.kiosks (kiosk) VALUES ('x')`} {
		if _, err := shc.Exec(ctx, q); err == nil {
			t.Errorf("shipper role could run %s", q)
		}
	}
	for _, q := range []string{`DELETE FROM fleet.audit_events`, `UPDATE fleet.kiosks SET problem = NULL`,
		`SELECT * FROM fleet.ingest('branch-1', 0, '[]', '[]', '[]')`} {
		if _, err := dash.Exec(ctx, q); err == nil {
			t.Errorf("dashboard role could run %s", q)
		}
	}
}

// ingest calls fleet.ingest directly with rows read from the kiosk.
func ingest(t testing.TB, conn *pgx.Conn, id string, local int64, evs string) (problem *string, inserted int64) {
	t.Helper()
	var pseq *int64
	var head int64
	if err := conn.QueryRow(context.Background(), `SELECT problem, problem_seq, head_seq, inserted FROM fleet.ingest($1, $2, $3::jsonb, '[]', '[]')`,
		id, local, evs).Scan(&problem, &pseq, &head, &inserted); err != nil {
		t.Fatal(err)
	}
	return problem, inserted
}

func ev(seq int64, prev, hash, detail string) string {
	return fmt.Sprintf(`{"seq":%d,"at":"2026-04-01T09:00:00.000000+09:00","session_id":null,"kind":"status_read","detail_json":%q,"prev_hash":%q,"hash":%q}`,
		seq, detail, prev, hash)
}

func TestIngestRules(t *testing.T) {
	db := central(t)
	conn := connect(t, cluster.URL("shipper", shipPW, db))
	g := store.GenesisHash
	batch := "[" + ev(1, g, "h1", "{}") + "," + ev(2, "h1", "h2", "{}") + "]"
	if p, n := ingest(t, conn, "k1", 2, batch); p != nil || n != 2 {
		t.Fatalf("first: %v %d", p, n)
	}
	if p, n := ingest(t, conn, "k1", 2, batch); p != nil || n != 0 { // duplicate delivery
		t.Fatalf("duplicate: %v %d", p, n)
	}
	cases := []struct {
		kiosk, batch, want string
		local              int64
	}{
		{"k2", "[" + ev(2, "h1", "h2x", "{}") + "]", ProblemRewritten, 3},                                // re-sent row differs
		{"k3", "[" + ev(4, "h3", "h4", "{}") + "]", ProblemGap, 4},                                       // seq 3 missing
		{"k4", "[" + ev(3, "hX", "h3", "{}") + "]", ProblemBrokenLink, 3},                                // prev_hash ≠ head
		{"k5", "[" + ev(1, g, "h1", "{}") + "]", ProblemTruncated, 1},                                    // kiosk head behind
		{"k6", "[" + ev(2, "h1", "h2", `{"a":1}`) + "]", ProblemRewritten, 3},                            // content changed
		{"k7", "[" + ev(3, "h2", "h3", "{}") + "," + ev(3, "h2", "h3", "{}") + "]", ProblemRewritten, 3}, // seq twice
	}
	for _, c := range cases {
		t.Run(c.want+"/"+c.kiosk, func(t *testing.T) {
			if p, _ := ingest(t, conn, c.kiosk, 2, batch); p != nil {
				t.Fatalf("setup: %v", *p)
			}
			p, n := ingest(t, conn, c.kiosk, c.local, c.batch)
			if p == nil || *p != c.want || n != 0 {
				t.Fatalf("got %v %d, want %s", p, n, c.want)
			}
			// Flagged: refused even for a correct batch, until cleared.
			good := "[" + ev(2, "h1", "h2", "{}") + "," + ev(3, "h2", "h3", "{}") + "]"
			if p, _ := ingest(t, conn, c.kiosk, 3, good); p == nil || *p != c.want {
				t.Fatalf("flagged kiosk accepted a batch: %v", p)
			}
			if k := verifyOne(t, db, c.kiosk); k.OK || k.Problem != c.want || k.Events != 2 {
				t.Fatalf("verify: %+v", k)
			}
			admin := connect(t, cluster.URL("admin", pgtest.AdminPassword, db))
			if was, err := Clear(context.Background(), admin, c.kiosk, "ops"); err != nil || was != c.want {
				t.Fatalf("clear: %q %v", was, err)
			}
			if p, n := ingest(t, conn, c.kiosk, 3, good); p != nil || n != 1 {
				t.Fatalf("after clear: %v %d", p, n)
			}
			if k := verifyOne(t, db, c.kiosk); !k.OK || k.HeadSeq != 3 {
				t.Fatalf("verify after clear: %+v", k)
			}
		})
	}
}

// rawDB opens the kiosk's file without the store and drops its triggers, as
// someone with write access to the file could.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		if _, err := db.Exec(`DROP TRIGGER "` + n + `"`); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestRecomputedChainIsCaught(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 10)
	ctx := context.Background()
	if _, err := shipper(db, path, "k-rewrite").ShipOnce(ctx); err != nil {
		t.Fatal(err)
	}
	addSessions(t, st, 2)
	// Rewrite event 5 and recompute every hash from there: the local chain verifies.
	raw := rawDB(t, path)
	rows, err := raw.Query(`SELECT seq, at, coalesce(session_id, 0), kind, detail_json FROM audit_events WHERE seq >= 4 ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq, sid     int64
		at, kind, dj string
	}
	var rs []row
	for rows.Next() {
		var r row
		rows.Scan(&r.seq, &r.at, &r.sid, &r.kind, &r.dj)
		rs = append(rs, r)
	}
	rows.Close()
	var prev string
	raw.QueryRow(`SELECT hash FROM audit_events WHERE seq = 4`).Scan(&prev)
	for _, r := range rs[1:] {
		if r.seq == 5 {
			r.dj = `{"retries_left":2}`
		}
		h := store.RowHash(prev, r.seq, r.at, r.sid, r.kind, r.dj)
		if _, err := raw.Exec(`UPDATE audit_events SET detail_json = ?, prev_hash = ?, hash = ? WHERE seq = ?`, r.dj, prev, h, r.seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	// The rewrite keeps the chain's continuity (what the central copy can
	// check without the kiosk's key); the kiosk's keyed verify sees it.
	ro, err := store.Open(path, store.Options{ReadOnly: true, NoKey: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ro.Verify(ctx); err != nil || !v.OK {
		t.Fatalf("the local rewrite should keep continuity: %+v %v", v, err)
	}
	ro.Close()
	if v, err := st.Verify(ctx); err != nil || v.OK || v.FirstBrokenSeq != 5 {
		t.Fatalf("the keyed verify should see the rewrite at 5: %+v %v", v, err)
	}
	_, err = shipper(db, path, "k-rewrite").ShipOnce(ctx)
	var re *RefusedError
	if !errors.As(err, &re) || re.Problem != ProblemRewritten {
		t.Fatalf("got %v, want REWRITTEN", err)
	}
	if k := verifyOne(t, db, "k-rewrite"); k.OK || k.Problem != ProblemRewritten {
		t.Fatalf("verify: %+v", k)
	}
}

func TestTruncatedKioskIsCaught(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 10)
	ctx := context.Background()
	if _, err := shipper(db, path, "k-trunc").ShipOnce(ctx); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, path)
	if _, err := raw.Exec(`DELETE FROM audit_events WHERE seq > ?`, localHead(t, st)-5); err != nil {
		t.Fatal(err)
	}
	_, err := shipper(db, path, "k-trunc").ShipOnce(ctx)
	var re *RefusedError
	if !errors.As(err, &re) || re.Problem != ProblemTruncated {
		t.Fatalf("got %v, want TRUNCATED", err)
	}
}

// proxy forwards loopback TCP to the server and can cut every connection
// once the client has sent more than limit bytes.
type proxy struct {
	ln    net.Listener
	limit atomic.Int64 // 0: no limit
	sent  atomic.Int64
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if l := p.limit.Load(); l > 0 && p.sent.Add(int64(n)) > l {
							p.cut()
							return
						}
						s.Write(buf[:n])
					}
					if err != nil {
						s.Close()
						return
					}
				}
			}()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestCutMidBatchAndRestart(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 200) // 800 events
	ctx := context.Background()
	p := newProxy(t, fmt.Sprintf("127.0.0.1:%d", cluster.Port))
	sh := &Shipper{DBPath: path, URL: cluster.URLAt(p.ln.Addr().String(), "shipper", shipPW, db), Kiosk: "k-cut", Batch: 300}
	defer sh.Close()
	p.limit.Store(150_000) // inside the second batch (each ≈ 100 kB)
	if _, err := sh.ShipOnce(ctx); err == nil {
		t.Fatal("the cut connection did not fail")
	}
	k := verifyOne(t, db, "k-cut")
	t.Logf("stored before the cut: %d events", k.Events)
	if !k.OK || k.Events == 0 || k.Events >= localHead(t, st) || k.Events%301 != 0 { // whole batches only (Batch+1 rows each)
		t.Fatalf("after the cut: %+v", k)
	}
	p.limit.Store(0)
	if _, err := sh.ShipOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if k := verifyOne(t, db, "k-cut"); !k.OK || k.Events != localHead(t, st) {
		t.Fatalf("after resuming: %+v", k)
	}
	// PostgreSQL restarted: the shipper fails while it is down and resumes after.
	addSessions(t, st, 5)
	cluster.Stop()
	_, err := sh.ShipOnce(ctx)
	if err2 := cluster.Start(); err2 != nil {
		t.Fatal(err2)
	}
	if err == nil {
		t.Fatal("shipping to a stopped server succeeded")
	}
	if r, err := sh.ShipOnce(ctx); err != nil || r.HeadSeq != localHead(t, st) {
		t.Fatalf("after restart: %+v %v", r, err)
	}
	if k := verifyOne(t, db, "k-cut"); !k.OK || k.Events != localHead(t, st) {
		t.Fatalf("after restart: %+v", k)
	}
}

func TestPrivacy(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 5)
	ctx := context.Background()
	pin, name := "4821", "山田太郎"
	// The store refuses them; the shipper must not ship them either.
	if _, err := st.Append(ctx, 0, store.KindPINVerified, store.Detail{"pin": pin}); err == nil {
		t.Fatal("store accepted a PIN")
	}
	if _, err := st.Append(ctx, 0, "note", store.Detail{"who": name}); err == nil {
		t.Fatal("store accepted a name")
	}
	if _, err := shipper(db, path, "k-priv").ShipOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// A row written around the store (forged file) is not shipped.
	raw := rawDB(t, path)
	h := localHead(t, st)
	if _, err := raw.Exec(`INSERT INTO audit_events (seq, at, kind, detail_json, prev_hash, hash) VALUES (?, '2026-04-01T09:00:00.000000+09:00', 'note', ?, 'x', 'y')`,
		h+1, `{"who":"`+name+`","code":"`+pin+`"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := shipper(db, path, "k-priv").ShipOnce(ctx); !errors.Is(err, store.ErrPersonalData) {
		t.Fatalf("got %v, want ErrPersonalData", err)
	}
	dump, err := cluster.PGDump(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dump, []byte("status_read")) {
		t.Fatal("the dump holds no events: the scan would prove nothing")
	}
	for _, needle := range []string{pin, name} {
		if bytes.Contains(dump, []byte(needle)) {
			t.Errorf("central database holds %q", needle)
		}
	}
}

func TestRunShipsInBackgroundAndBacksOff(t *testing.T) {
	db := central(t)
	st, path := kiosk(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var logged []string
	logf := func(format string, a ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(format, a...))
		mu.Unlock()
	}

	// Unreachable central database: failures are logged, the kiosk goes on.
	dead := &Shipper{DBPath: path, URL: cluster.URLAt("127.0.0.1:1", "shipper", shipPW, db), Kiosk: "k-run", Log: logf}
	done := make(chan struct{})
	go func() { dead.Run(ctx, 20*time.Millisecond); close(done) }()
	addSessions(t, st, 2) // the kiosk's writer is not held up
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(logged)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no failure logged")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when cancelled")
	}

	// Reachable: Run ships everything, then keeps up with new events.
	ctx, cancel = context.WithCancel(context.Background())
	stopped := make(chan struct{})
	defer func() { cancel(); <-stopped }()
	go func() { shipper(db, path, "k-run").Run(ctx, 20*time.Millisecond); close(stopped) }()
	addSessions(t, st, 3)
	want := localHead(t, st)
	for deadline := time.Now().Add(15 * time.Second); ; {
		if k := verifyOne(t, db, "k-run"); k.HeadSeq == want {
			if !k.OK {
				t.Fatalf("%+v", k)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("central head never reached %d", want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
