package store

import (
	"context"
	"database/sql"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Benchmarks for docs/PERFORMANCE.md ("Store"). Rerun with:
//
//	go test -run '^$' -bench . -benchtime 10000x ./store/   # append p50/p99 at 10,000 events
//	go test -run '^$' -bench 'Size|Year' ./store/            # size per 1,000 sessions, a year's export

// BenchmarkAppend measures one durable event append (its own BEGIN
// IMMEDIATE ... COMMIT) and reports the p50 and p99 latency over b.N
// appends. FULL is the production setting; NORMAL is for comparison.
func BenchmarkAppend(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "kiosk.db"), Options{Synchronous: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			sid, _ := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := s.Append(ctx, sid, KindPINVerifyFailed, Detail{"cert": "sign", "retries_left": i % 5}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// session is one realistic resident session's events (about 8 on average):
// start, card in, status, a PIN check or change (sometimes a wrong try),
// for one in five a ticket, approval and certificate write, card out, end.
type benchSession struct {
	events  []benchEvent
	ticket  bool
	outcome Outcome
	service []string
}

type benchEvent struct {
	kind   string
	detail Detail
}

func makeSession(rng *rand.Rand) benchSession {
	ev := []benchEvent{
		{KindCardInserted, Detail{"card_type": "mynumber"}},
		{KindStatusRead, Detail{"auth_expiry": "2029-06-30", "sign_expiry": "2029-06-30", "auth_retries": 3, "sign_retries": 5}},
	}
	s := benchSession{outcome: OutcomeDone, service: []string{"status"}}
	if rng.IntN(5) == 0 {
		ev = append(ev, benchEvent{KindPINVerifyFailed, Detail{"cert": "auth", "retries_left": 2}})
	}
	switch r := rng.IntN(10); {
	case r < 2:
		s.ticket, s.outcome = true, OutcomeReferred
		s.service = append(s.service, "renewal")
		ev = append(ev,
			benchEvent{KindCertificateWritten, Detail{"cert": "sign", "serial": Serial(big.NewInt(rng.Int64())), "not_after": "2031-06-30"}},
			benchEvent{KindCertificateWritten, Detail{"cert": "auth", "serial": Serial(big.NewInt(rng.Int64())), "not_after": "2031-06-30"}})
	case r < 7:
		s.service = append(s.service, "pin_change")
		ev = append(ev, benchEvent{KindPINVerified, Detail{"cert": "auth"}}, benchEvent{KindPINChanged, Detail{"cert": "auth", "retries_left": 3}})
	default:
		s.service = append(s.service, "pin_check")
		ev = append(ev, benchEvent{KindPINVerified, Detail{"cert": "sign", "retries_left": 5}})
	}
	s.events = append(ev, benchEvent{KindCardRemoved, nil})
	return s
}

// BenchmarkSizePer1000Sessions runs 1,000 realistic sessions through the
// public API and reports the database size (after a WAL checkpoint) per
// 1,000 sessions and per event.
func BenchmarkSizePer1000Sessions(b *testing.B) {
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "kiosk.db")
		clk := &fakeClock{t: time.Date(2026, 4, 1, 9, 0, 0, 0, JST)}
		// NORMAL only to make the setup quick; the size does not depend on it.
		s, err := Open(path, Options{Now: clk.Now, Synchronous: "NORMAL", Argon2: &testArgon})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := s.AddStaff(ctx, "clerk", RoleClerk, []byte("benchmark password"), ""); err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for n := 0; n < 1000; n++ {
			clk.Add(3 * time.Minute)
			bs := makeSession(rng)
			id, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range bs.events {
				if _, err := s.Append(ctx, id, e.kind, e.detail); err != nil {
					b.Fatal(err)
				}
			}
			if bs.ticket {
				tk, err := s.IssueTicket(ctx, TicketRequest{SessionID: id, Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: RouteApproval})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: CardRef([]byte{byte(n), byte(n >> 8)}), StaffID: "clerk", Decision: Approve}); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.EndSession(ctx, id, SessionEnd{Outcome: bs.outcome, Services: bs.service}); err != nil {
				b.Fatal(err)
			}
		}
		var events int64
		s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&events)
		if _, err := s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		s.Close()
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/1024, "KiB/1000sessions")
		b.ReportMetric(float64(fi.Size())/float64(events), "B/event")
		b.ReportMetric(float64(events)/1000, "events/session")
	}
}

// seedYear writes a busy office's year straight into the tables (one
// transaction, prepared statements, the chain head kept in memory): n
// sessions over 250 opening days, with their events and tickets.
func seedYear(tb testing.TB, s *Store, n int) (events int64) {
	tb.Helper()
	ctx := context.Background()
	err := s.write(ctx, func(tx *sql.Tx) error {
		insS, err := tx.PrepareContext(ctx, `INSERT INTO sessions (started_at, ended_at, mode, outcome, services, profile) VALUES (?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		insE, err := tx.PrepareContext(ctx, `INSERT INTO audit_events (seq, at, session_id, kind, detail_json, prev_hash, hash, mac) VALUES (?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		insT, err := tx.PrepareContext(ctx, `INSERT INTO tickets (date, number, session_id, status, certificates, purpose, route, created_at, updated_at)
			VALUES (?,?,?,'done','sign,auth','renew','approval',?,?)`)
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(3, 4))
		seq, prev := int64(0), GenesisHash
		appendEv := func(at time.Time, sid int64, kind string, d Detail) error {
			dj, err := encodeDetail(d)
			if err != nil {
				return err
			}
			seq++
			a := ts(at)
			h := RowHash(prev, seq, a, sid, kind, dj)
			if _, err := insE.ExecContext(ctx, seq, a, sid, kind, dj, prev, h, EventMAC(s.key, h)); err != nil {
				return err
			}
			prev = h
			return nil
		}
		day := time.Date(2025, 4, 1, 0, 0, 0, 0, JST)
		perDay := n / 250
		ticketNo := 0
		for i := 0; i < n; i++ {
			if i%perDay == 0 {
				day, ticketNo = day.AddDate(0, 0, 1), 0
				for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
					day = day.AddDate(0, 0, 1)
				}
			}
			at := day.Add(9*time.Hour + time.Duration(i%perDay)*(8*time.Hour)/time.Duration(perDay))
			bs := makeSession(rng)
			res, err := insS.ExecContext(ctx, ts(at), ts(at.Add(4*time.Minute)), "self", string(bs.outcome), join(bs.service), "moriya")
			if err != nil {
				return err
			}
			sid, _ := res.LastInsertId()
			if err := appendEv(at, sid, KindSessionStarted, Detail{"mode": "self", "profile": "moriya"}); err != nil {
				return err
			}
			for k, e := range bs.events {
				if err := appendEv(at.Add(time.Duration(k+1)*20*time.Second), sid, e.kind, e.detail); err != nil {
					return err
				}
			}
			if bs.ticket {
				ticketNo++
				res, err := insT.ExecContext(ctx, day.Format(dateLayout), ticketNo, sid, ts(at), ts(at))
				if err != nil {
					return err
				}
				tid, _ := res.LastInsertId()
				d := Detail{"ticket": ticketNo, "ticket_date": day.Format(dateLayout),
					"certificates": []string{"sign", "auth"}, "purpose": "renew", "route": "approval", "fee_yen": 0}
				if err := bind(ctx, tx, d, "tickets", idKey(tid)); err != nil {
					return err
				}
				if err := appendEv(at.Add(3*time.Minute), sid, KindTicketIssued, d); err != nil {
					return err
				}
			}
			if err := appendEv(at.Add(4*time.Minute), sid, KindSessionEnded, Detail{"outcome": string(bs.outcome), "services": bs.service}); err != nil {
				return err
			}
		}
		events = seq
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return events
}

// BenchmarkYear seeds a busy office's year (100,000 sessions) once and
// measures exporting all of it as CSV and JSON (to a file), verifying the
// whole chain, and a dashboard query.
func BenchmarkYear(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "kiosk.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Now()
	events := seedYear(b, s, 100_000)
	s.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	fi, _ := os.Stat(path)
	b.Logf("seeded %d events in %v; database %.1f MiB", events, time.Since(t0).Round(time.Millisecond), float64(fi.Size())/(1<<20))
	ctx := context.Background()
	for _, format := range []string{FormatCSV, FormatJSON} {
		b.Run("export-"+format, func(b *testing.B) {
			var size int64
			for i := 0; i < b.N; i++ {
				f, err := os.Create(filepath.Join(dir, "export."+format))
				if err != nil {
					b.Fatal(err)
				}
				n, err := s.Export(ctx, f, "2025-04-01", "2026-03-31", format)
				if err != nil || n != events {
					b.Fatalf("exported %d of %d: %v", n, events, err)
				}
				size, _ = f.Seek(0, io.SeekCurrent)
				f.Close()
			}
			b.ReportMetric(float64(size)/(1<<20), "MiB")
			b.ReportMetric(float64(events), "events")
		})
	}
	// verify: the chain, every mac, every ticket row against its binding
	// event and every session's events (what `kioskctl log verify` does);
	// verify-nokey: the same without the key (--no-key: no HMAC).
	for _, noKey := range []bool{false, true} {
		name := "verify"
		if noKey {
			name = "verify-nokey"
		}
		b.Run(name, func(b *testing.B) {
			ro, err := Open(path, Options{ReadOnly: true, NoKey: noKey})
			if err != nil {
				b.Fatal(err)
			}
			defer ro.Close()
			for i := 0; i < b.N; i++ {
				r, err := ro.Verify(ctx)
				if err != nil || !r.OK || r.Events != events || r.Keyed == noKey || r.RowsChecked == 0 {
					b.Fatalf("verify %+v %v", r, err)
				}
			}
			b.ReportMetric(float64(events), "events")
		})
	}
	b.Run("dashboard", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d, err := s.Dashboard(ctx, "2025-10-01")
			if err != nil || d.Sessions == 0 {
				b.Fatalf("dashboard %+v %v", d, err)
			}
		}
	})
	b.Run("append-on-year", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Append(ctx, 0, KindStatusRead, Detail{"n": i}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMACCheck is the key's share of Verify per event: one
// HMAC-SHA256 of a 64-character hash and a constant-time compare.
func BenchmarkMACCheck(b *testing.B) {
	key := make([]byte, KeySize)
	h := RowHash(GenesisHash, 1, "2026-04-01T09:30:00.000000+09:00", 0, "x", "{}")
	mac := EventMAC(key, h)
	c := newMACChecker(key)
	for i := 0; i < b.N; i++ {
		if !c.ok(h, mac) {
			b.Fatal("mac")
		}
	}
}
