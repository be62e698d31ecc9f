package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
)

// TestFleetFigures measures the figures in docs/PERFORMANCE.md. It runs only
// with KIOSK_FLEET_FIGURES=1:
//
//	KIOSK_FLEET_FIGURES=1 go test ./store/fleet -run Figures -v -timeout 20m
func TestFleetFigures(t *testing.T) {
	if os.Getenv("KIOSK_FLEET_FIGURES") != "1" {
		t.Skip("set KIOSK_FLEET_FIGURES=1 to measure")
	}
	db := central(t)
	ctx := context.Background()
	const n = 100_000

	// A kiosk database (production settings) with 100,000 events.
	path := filepath.Join(t.TempDir(), "kiosk.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Append(ctx, 0, store.KindStatusRead, store.Detail{"retries_left": 3}); err != nil {
		t.Fatal(err)
	}
	bulkEvents(t, st.DB(), n-1)

	// 1. Ship 100,000 events (default batch).
	sh := &Shipper{DBPath: path, URL: cluster.URL("shipper", shipPW, db), Kiosk: "bench-1"}
	start := time.Now()
	r, err := sh.ShipOnce(ctx)
	el := time.Since(start)
	sh.Close()
	if err != nil || r.Shipped != n {
		t.Fatalf("%+v %v", r, err)
	}
	t.Logf("FIGURE ship %d events: %.2f s (%.0f events/s)", n, el.Seconds(), float64(n)/el.Seconds())

	// 2. A resident's event append: alone, then while another 100,000 are shipped.
	alone := appendLatencies(t, st, 300)
	bulkEvents(t, st.DB(), n)
	sh = &Shipper{DBPath: path, URL: cluster.URL("shipper", shipPW, db), Kiosk: "bench-1"}
	defer sh.Close()
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		if _, err := sh.ShipOnce(ctx); err != nil {
			t.Error(err)
		}
	}()
	var during []time.Duration
	for {
		select {
		case <-done:
		default:
			during = append(during, appendLatencies(t, st, 10)...)
			continue
		}
		break
	}
	wg.Wait()
	t.Logf("FIGURE append alone: p50 %v p99 %v (n=%d)", pct(alone, 50), pct(alone, 99), len(alone))
	t.Logf("FIGURE append while shipping: p50 %v p99 %v (n=%d)", pct(during, 50), pct(during, 99), len(during))

	// 3. The supervisors' view over 20 kiosks × one year.
	if err := cluster.Exec(db, yearSQL); err != nil {
		t.Fatal(err)
	}
	dash := connect(t, cluster.URL("dash", dashPW, db))
	var ds []time.Duration
	for i := 0; i < 7; i++ {
		s := time.Now()
		ks, err := Status(ctx, dash, "2026-06-15", time.Now())
		ds = append(ds, time.Since(s))
		if err != nil || len(ks) < 20 || ks[1].Sessions == 0 {
			t.Fatalf("%d kiosks %v", len(ks), err)
		}
	}
	var sessions, events int64
	dash.QueryRow(ctx, `SELECT (SELECT count(*) FROM fleet.sessions), (SELECT count(*) FROM fleet.audit_events)`).Scan(&sessions, &events)
	t.Logf("FIGURE dashboard (fleet.Status) over %d sessions, %d events: median %v max %v", sessions, events, pct(ds, 50), pct(ds, 100))
}

// yearSQL fills 20 kiosks × 365 days: 80 sessions and 80 tickets a day each,
// 240 events a day each (5.8 M rows in all would be slower to make; the view
// does not read events).
const yearSQL = `
INSERT INTO fleet.kiosks (kiosk, head_seq, head_hash, events, last_event_at, last_contact_at)
	SELECT 'year-' || lpad(k::text, 2, '0'), 87600, 'h', 87600, now(), now() FROM generate_series(1, 20) k;
INSERT INTO fleet.sessions (kiosk, id, started_at, ended_at, mode, outcome, services, profile)
	SELECT 'year-' || lpad(k::text, 2, '0'), d * 100 + i,
		timestamptz '2026-01-01 09:00+09' + d * interval '1 day' + i * interval '5 minutes',
		timestamptz '2026-01-01 09:03+09' + d * interval '1 day' + i * interval '5 minutes',
		'self', (ARRAY['done','done','done','referred','cancelled'])[1 + i % 5], 'status', 'moriya'
	FROM generate_series(1, 20) k, generate_series(0, 364) d, generate_series(1, 80) i;
INSERT INTO fleet.tickets (kiosk, id, date, number, session_id, status, route, fee_yen, reasons, created_at, updated_at)
	SELECT 'year-' || lpad(k::text, 2, '0'), d * 100 + i, date '2026-01-01' + d, i, d * 100 + i,
		(ARRAY['done','done','waiting','called','cancelled'])[1 + i % 5], 'self', 0, '',
		timestamptz '2026-01-01 09:00+09' + d * interval '1 day', timestamptz '2026-01-01 09:00+09' + d * interval '1 day'
	FROM generate_series(1, 20) k, generate_series(0, 364) d, generate_series(1, 80) i;
INSERT INTO fleet.audit_events (kiosk, seq, at, at_ts, kind, detail_json, prev_hash, hash)
	SELECT 'year-' || lpad(k::text, 2, '0'), s, '2026-01-01T09:00:00.000000+09:00',
		timestamptz '2026-01-01 09:00+09' + (s / 240) * interval '1 day', 'status_read', '{"retries_left":3}',
		md5(s::text) || md5(s::text), md5((s + 1)::text) || md5((s + 1)::text)
	FROM generate_series(1, 20) k, generate_series(1, 87600) s;
ANALYZE;
`

// bulkEvents appends n chained events in one transaction, faster than Append
// (the store's triggers still check every row).
func bulkEvents(t testing.TB, db *sql.DB, n int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var seq int64
	var prev, at string
	if err := tx.QueryRow(`SELECT seq, hash, at FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev, &at); err != nil {
		t.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO audit_events (seq, at, session_id, kind, detail_json, prev_hash, hash) VALUES (?, ?, NULL, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		seq++
		dj := fmt.Sprintf(`{"retries_left":%d}`, i%4)
		h := store.RowHash(prev, seq, at, 0, store.KindStatusRead, dj)
		if _, err := ins.Exec(seq, at, store.KindStatusRead, dj, prev, h); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func appendLatencies(t testing.TB, st *store.Store, n int) []time.Duration {
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		s := time.Now()
		if _, err := st.Append(context.Background(), 0, store.KindCardInserted, store.Detail{"reader": "r0"}); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(s))
	}
	return out
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i].Round(10 * time.Microsecond)
}
