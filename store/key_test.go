package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// verifyWith opens path read-only (with the key at its default place, or
// without any key) and verifies it: what `kioskctl log verify` sees.
func verifyWith(t testing.TB, path string, noKey bool) VerifyResult {
	t.Helper()
	ro, err := Open(path, Options{ReadOnly: true, NoKey: noKey})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	r, err := ro.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rechain recomputes prev_hash and hash of every event from seq on, as
// whoever can write the file but not read the key would: mac is set by
// macFor (NULL when it returns "").
func rechain(t testing.TB, s *Store, from int64, macFor func(seq int64, hash string) string) {
	t.Helper()
	prev := GenesisHash
	if from > 1 {
		if err := s.DB().QueryRow(`SELECT hash FROM audit_events WHERE seq = ?`, from-1).Scan(&prev); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		seq          int64
		sid          sql.NullInt64
		at, kind, dj string
	}
	var rs []row
	q, err := s.DB().Query(`SELECT seq, session_id, at, kind, detail_json FROM audit_events WHERE seq >= ? ORDER BY seq`, from)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var r row
		if err := q.Scan(&r.seq, &r.sid, &r.at, &r.kind, &r.dj); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	q.Close()
	for _, r := range rs {
		h := RowHash(prev, r.seq, r.at, r.sid.Int64, r.kind, r.dj)
		mac := sql.NullString{String: macFor(r.seq, h)}
		mac.Valid = mac.String != ""
		if _, err := s.DB().Exec(`UPDATE audit_events SET prev_hash = ?, hash = ?, mac = ? WHERE seq = ?`, prev, h, mac, r.seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

func noMAC(int64, string) string { return "" }

// renumberPINFailuresAway deletes the PIN failures and closes the gaps in
// seq (triggers dropped).
var renumberPINFailuresAway = []string{`DELETE FROM audit_events WHERE kind = 'pin_verify_failed'`, `UPDATE audit_events SET seq = -seq`,
	`UPDATE audit_events SET seq = n.rn FROM (SELECT seq AS old, ROW_NUMBER() OVER (ORDER BY seq DESC) AS rn FROM audit_events) AS n
	 WHERE audit_events.seq = n.old`}

// macsOf maps every seq to its stored mac ("" for none).
func macsOf(t testing.TB, s *Store) map[int64]string {
	t.Helper()
	macs := map[int64]string{}
	rows, err := s.DB().Query(`SELECT seq, COALESCE(mac, '') FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var m string
		if err := rows.Scan(&seq, &m); err != nil {
			t.Fatal(err)
		}
		macs[seq] = m
	}
	return macs
}

func TestKeyFile(t *testing.T) {
	s, _ := newStore(t)
	fillEvents(t, s, 3)
	kp := DefaultKeyPath(s.Path())
	if s.KeyPath() != kp || !s.Keyed() {
		t.Fatalf("key path %q keyed %v", s.KeyPath(), s.Keyed())
	}
	fi, err := os.Stat(kp)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(kp)
	sealed := "dpapi:" // Windows: sealed for the account; elsewhere the key in hex
	if runtime.GOOS != "windows" {
		sealed = hex.EncodeToString(s.key)
	}
	if !strings.HasPrefix(string(b), keyFileHeader+sealed) {
		t.Errorf("key file starts %q", b[:min(len(b), 40)])
	}
	var unkeyed int
	s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE mac IS NULL`).Scan(&unkeyed)
	if unkeyed != 0 {
		t.Errorf("%d events without mac", unkeyed)
	}
	r := verifyWith(t, s.Path(), false)
	if !r.OK || !r.Keyed || r.KeyedFromSeq != 1 || r.KeyID == "" || r.Events != 4 {
		t.Errorf("verify = %+v", r)
	}

	// Another database's key: every mac fails, and the message says so.
	other, _ := newStore(t)
	ro, err := Open(s.Path(), Options{ReadOnly: true, KeyPath: other.KeyPath()})
	if err != nil {
		t.Fatal(err)
	}
	r, _ = ro.Verify(context.Background())
	ro.Close()
	if r.OK || r.FirstBrokenSeq != 1 || !strings.Contains(r.Problem, "key") {
		t.Errorf("verify with another key = %+v", r)
	}

	// A key file others can read is refused (Unix).
	if runtime.GOOS != "windows" {
		os.Chmod(kp, 0o640)
		if _, err := Open(s.Path(), Options{ReadOnly: true}); !errors.Is(err, ErrKeyFile) {
			t.Errorf("group-readable key: %v", err)
		}
		os.Chmod(kp, 0o600)
	}
	// A damaged key file is refused, not replaced.
	os.WriteFile(kp+".bad", []byte(keyFileHeader+"zz\n"), 0o600)
	if _, err := Open(s.Path(), Options{ReadOnly: true, KeyPath: kp + ".bad"}); !errors.Is(err, ErrKeyFile) {
		t.Errorf("damaged key: %v", err)
	}

	// The key lost: a keyed trail is not re-keyed with a new key, and a
	// read-only verify says it checked continuity only.
	os.Rename(kp, kp+".away")
	if _, err := Open(s.Path(), Options{Argon2: &testArgon}); !errors.Is(err, ErrKeyMissing) {
		t.Errorf("open without the key: %v", err)
	}
	if _, err := os.Stat(kp); err == nil {
		t.Error("a new key was made for a keyed trail")
	}
	if r := verifyWith(t, s.Path(), false); !r.OK || r.Keyed || !r.KeyMissing || r.KeyedFromSeq != 1 {
		t.Errorf("verify without the key = %+v", r)
	}
	os.Rename(kp+".away", kp)

	// A key elsewhere (Options.KeyPath) is made there, not beside the database.
	dir := t.TempDir()
	elsewhere := filepath.Join(dir, "keys", "audit.key")
	os.Mkdir(filepath.Dir(elsewhere), 0o700)
	s2, err := Open(filepath.Join(dir, "k.db"), Options{KeyPath: elsewhere})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := os.Stat(elsewhere); err != nil {
		t.Errorf("key not at --key path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "k.db.key")); err == nil {
		t.Error("key made beside the database despite KeyPath")
	}
}

// TestKeyedChainResistsRecompute: the forgeries, each done with raw
// SQL on the database file and the chain recomputed as an attacker without
// the key would. Without the key (the trail as it was before this change)
// every one verifies; with it, none does.
func TestKeyedChainResistsRecompute(t *testing.T) {
	cases := []struct {
		name   string
		attack func(t *testing.T, s *Store)
		want   string // in the problem
	}{
		{"delete PIN failures and renumber", func(t *testing.T, s *Store) {
			tamper(t, s, renumberPINFailuresAway...)
			rechain(t, s, 1, noMAC)
		}, "no event is keyed"},
		{"delete PIN failures, renumber, keep the old macs", func(t *testing.T, s *Store) {
			tamper(t, s, renumberPINFailuresAway...)
			macs := macsOf(t, s)
			rechain(t, s, 1, func(seq int64, _ string) string { return macs[seq] })
		}, "mac of event 2"},
		{"append a forged staff_added", func(t *testing.T, s *Store) {
			tamper(t, s)
			forgeEvent(t, s, KindStaffAdded, `{"by":"kioskctl","role":"admin","staff_id":"mallory"}`, "")
		}, "no mac"},
		{"append a forged event with a made-up mac", func(t *testing.T, s *Store) {
			tamper(t, s)
			forgeEvent(t, s, KindStaffAdded, `{"by":"kioskctl","role":"admin","staff_id":"mallory"}`, strings.Repeat("ab", 32))
		}, "mac of event"},
		{"strip every mac and recompute", func(t *testing.T, s *Store) {
			tamper(t, s, `UPDATE audit_events SET detail_json = '{"cert":"auth","retries_left":3}' WHERE seq = 3`)
			rechain(t, s, 1, noMAC)
		}, "no event is keyed"},
		{"strip the first macs", func(t *testing.T, s *Store) {
			tamper(t, s, `UPDATE audit_events SET detail_json = '{"cert":"auth","retries_left":3}' WHERE seq = 3`)
			rechain(t, s, 1, func(seq int64, h string) string {
				if seq <= 3 {
					return ""
				}
				var m string
				s.DB().QueryRow(`SELECT mac FROM audit_events WHERE seq = ?`, seq).Scan(&m)
				return m
			})
		}, "first keyed event"},
		{"mac copied from the next event", func(t *testing.T, s *Store) {
			tamper(t, s, `UPDATE audit_events SET mac = (SELECT mac FROM audit_events WHERE seq = 5) WHERE seq = 4`)
		}, "mac of event 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			fillEvents(t, s, 8)
			for i := 0; i < 3; i++ { // events after the PIN failures, which renumbering moves
				if _, err := s.Append(context.Background(), 1, KindStatusRead, Detail{"i": i}); err != nil {
					t.Fatal(err)
				}
			}
			c.attack(t, s)
			if r := verifyWith(t, s.Path(), true); !r.OK && c.name != "mac copied from the next event" && c.name != "append a forged event with a made-up mac" {
				t.Errorf("without the key the forgery should pass (the old verify): %+v", r)
			}
			r := verifyWith(t, s.Path(), false)
			if r.OK || !strings.Contains(r.Problem, c.want) {
				t.Errorf("keyed verify = ok %v, %q; want a break with %q", r.OK, r.Problem, c.want)
			}
		})
	}
}

// forgeEvent appends an event with a correct hash and the given mac ("" for
// none), as a writer of the file without the key can.
func forgeEvent(t testing.TB, s *Store, kind, dj, mac string) {
	t.Helper()
	seq, prev, err := chainHead(context.Background(), s.DB())
	if err != nil {
		t.Fatal(err)
	}
	at := ts(time.Now())
	h := RowHash(prev, seq+1, at, 0, kind, dj)
	if _, err := s.DB().Exec(`INSERT INTO audit_events (seq, at, kind, detail_json, prev_hash, hash, mac) VALUES (?,?,?,?,?,?,?)`,
		seq+1, at, kind, dj, prev, h, nullStr(mac)); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeGateAttack: the three statements, run with the triggers
// in place, emptied the trail and verify said "ok: 0 events".
func TestPurgeGateAttack(t *testing.T) {
	const attack = `UPDATE purge_gate SET upto_seq=1000000000; DELETE FROM audit_events; UPDATE purge_gate SET upto_seq=0;`
	t.Run("empty the trail", func(t *testing.T) {
		s, _ := newStore(t)
		if err := s.AddStaff(context.Background(), "mori", RoleClerk, []byte("clerk password"), ""); err != nil {
			t.Fatal(err)
		}
		fillEvents(t, s, 5)
		if _, err := s.DB().Exec(attack); err != nil {
			t.Fatal(err)
		}
		r := verifyWith(t, s.Path(), false)
		if r.OK || r.SessionsWithoutEvents != 1 || len(r.RowProblems) != 1 {
			t.Errorf("verify after the purge-gate attack = %+v", r)
		}
		// The kiosk carries on from seq 1, keyed: still caught.
		if _, err := s.Append(context.Background(), 0, KindStatusRead, nil); err != nil {
			t.Fatal(err)
		}
		if r := verifyWith(t, s.Path(), false); r.OK {
			t.Errorf("verify after the attack and a new event = %+v", r)
		}
	})
	t.Run("cut a prefix with a forged checkpoint and purge event", func(t *testing.T) {
		s, _ := newStore(t)
		fillEvents(t, s, 8)
		if _, err := s.DB().Exec(`UPDATE purge_gate SET upto_seq = 5;
			INSERT INTO checkpoints (seq, hash, at, cutoff, purged_events) SELECT 5, hash, at, '2026-04-01', 5 FROM audit_events WHERE seq = 5;
			DELETE FROM audit_events WHERE seq <= 5; UPDATE purge_gate SET upto_seq = 0`); err != nil {
			t.Fatal(err)
		}
		var h string
		s.DB().QueryRow(`SELECT hash FROM checkpoints`).Scan(&h)
		forgeEvent(t, s, KindRetentionPurge, `{"checkpoint_hash":"`+h+`","checkpoint_seq":5,"cutoff":"2026-04-01"}`, "")
		if r := verifyWith(t, s.Path(), true); !r.OK {
			t.Errorf("without the key the forged purge passes (the old verify): %+v", r)
		}
		if r := verifyWith(t, s.Path(), false); r.OK || !strings.Contains(r.Problem, "no mac") {
			t.Errorf("verify after a forged purge = %+v", r)
		}
	})
}

// legacyDB writes a database as the kiosk did before the audit key
// (schema 1, no mac): a staff member, a session, three events.
func legacyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := ts(testNow)
	pw, _ := HashPassword([]byte("clerk password"), testArgon)
	prev := GenesisHash
	stmts := []string{migrations[0], `PRAGMA user_version = 1`,
		`INSERT INTO staff (id, role, password_hash, created_at, updated_at) VALUES ('mori', 'clerk', '` + pw + `', '` + at + `', '` + at + `')`,
		`INSERT INTO sessions (started_at, mode, profile) VALUES ('` + at + `', 'self', 'moriya')`}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range []struct {
		sid      int64
		kind, dj string
	}{{0, KindStaffAdded, `{"by":"kioskctl","role":"clerk","staff_id":"mori"}`},
		{1, KindSessionStarted, `{"mode":"self","profile":"moriya"}`},
		{1, KindPINVerifyFailed, `{"cert":"auth","retries_left":2}`}} {
		seq := int64(i + 1)
		h := RowHash(prev, seq, at, e.sid, e.kind, e.dj)
		if _, err := db.Exec(`INSERT INTO audit_events VALUES (?,?,?,?,?,?,?)`, seq, at, nullInt(e.sid), e.kind, e.dj, prev, h); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	return path
}

// TestMigrationKeysFromTheNextEvent: a database of before the key verifies
// (unkeyed) read-only; opened for writing it gets a key, a keyed chain_keyed
// marker naming the first keyed seq, and row_bound events for its rows.
func TestMigrationKeysFromTheNextEvent(t *testing.T) {
	path := legacyDB(t)
	if r := verifyWith(t, path, false); !r.OK || r.Keyed || r.KeyedFromSeq != 0 || r.Events != 3 || r.RowsChecked != 0 {
		t.Fatalf("legacy verify = %+v", r)
	}
	ctx := context.Background()
	open := func() *Store {
		s, err := Open(path, Options{Argon2: &testArgon, Now: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open()
	var kind, dj string
	s.DB().QueryRow(`SELECT kind, detail_json FROM audit_events WHERE seq = 4`).Scan(&kind, &dj)
	if kind != KindChainKeyed || !strings.Contains(dj, `"from_seq":4`) || !strings.Contains(dj, KeyID(s.key)) {
		t.Errorf("event 4 = %s %s, want the chain_keyed marker", kind, dj)
	}
	r := verifyWith(t, path, false)
	if !r.OK || !r.Keyed || r.KeyedFromSeq != 4 || r.Events != 5 || r.RowsChecked != 1 {
		t.Fatalf("verify after keying = %+v", r)
	}
	if _, err := s.SignIn(ctx, "mori", []byte("clerk password")); err != nil {
		t.Errorf("sign-in of a staff row bound at the upgrade: %v", err)
	}
	s.Close()
	s = open() // a second open adds no second marker
	if k := eventKinds(t, s); k[KindChainKeyed] != 1 || k[KindRowBound] != 1 {
		t.Errorf("events after reopening: %v", k)
	}
	for _, c := range []struct {
		name, want string
		attack     func(t *testing.T, s *Store)
	}{
		{"strip the marker's mac", "first keyed event", func(t *testing.T, s *Store) {
			tamper(t, s, `UPDATE audit_events SET mac = NULL WHERE seq = 4`)
		}},
		{"drop the keyed events, leave the unkeyed prefix", "no event is keyed", func(t *testing.T, s *Store) {
			tamper(t, s, `DELETE FROM audit_events WHERE seq >= 4`)
		}},
		{"rewrite an unkeyed event and recompute", "mac of event 4", func(t *testing.T, s *Store) {
			macs := macsOf(t, s)
			tamper(t, s, `UPDATE audit_events SET detail_json = '{"cert":"auth","retries_left":3}' WHERE seq = 3`)
			rechain(t, s, 3, func(seq int64, _ string) string { return macs[seq] })
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cp := filepath.Join(dir, "copy.db")
			if _, err := s.DB().Exec(`VACUUM INTO ?`, cp); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(s.KeyPath())
			os.WriteFile(DefaultKeyPath(cp), b, 0o600)
			cs, err := Open(cp, Options{Argon2: &testArgon})
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			c.attack(t, cs)
			if r := verifyWith(t, cp, false); r.OK || !strings.Contains(r.Problem, c.want) {
				t.Errorf("verify = ok %v %q, want %q", r.OK, r.Problem, c.want)
			}
		})
	}
}

// FuzzKeyFile: any key file contents give a 32-byte key or ErrKeyFile,
// never a panic or a short key.
func FuzzKeyFile(f *testing.F) {
	f.Add([]byte(keyFileHeader + strings.Repeat("ab", KeySize) + "\n"))
	f.Add([]byte(keyFileHeader + "zz\n"))
	f.Add([]byte(keyFileHeader))
	f.Add([]byte("jpki-kiosk-audit-key-v2\n00"))
	path := filepath.Join(f.TempDir(), "k.key")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		key, err := loadKey(path)
		switch {
		case err == nil && len(key) != KeySize:
			t.Fatalf("key of %d bytes accepted", len(key))
		case err != nil && !errors.Is(err, ErrKeyFile):
			t.Fatalf("error not ErrKeyFile: %v", err)
		}
	})
}
