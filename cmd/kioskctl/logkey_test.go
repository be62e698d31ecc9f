package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/store"
)

// TestLogVerifyKey: log verify checks the macs with the key beside the
// database or given by --key, refuses a keyed trail without it
// (KEY_MISSING), and with --no-key says it checked continuity only.
func TestLogVerifyKey(t *testing.T) {
	path, s := logDB(t)
	code, out, errOut := runCLI(t, "", "log", "verify", "--db", path)
	if code != exitOK || !strings.Contains(out, "ok: 6 events verified (seq 1 to 6)") || !strings.Contains(out, "keyed: from seq 1") {
		t.Fatalf("verify = %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "log", "verify", "--db", path, "--json")
	var v struct {
		OK           bool   `json:"ok"`
		Events       int64  `json:"events"`
		Head         string `json:"head"`
		Keyed        bool   `json:"keyed"`
		KeyedFromSeq int64  `json:"keyed_from_seq"`
		KeyID        string `json:"key_id"`
		RowsChecked  *int64 `json:"rows_checked"`
		NoEvents     *int64 `json:"sessions_without_events"`
	}
	h6, _ := s.EventHash(context.Background(), 6)
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || !v.OK || v.Events != 6 || v.Head != h6 || !v.Keyed ||
		v.KeyedFromSeq != 1 || v.KeyID == "" || v.RowsChecked == nil || v.NoEvents == nil {
		t.Fatalf("verify --json = %d %s", code, out)
	}

	key := store.DefaultKeyPath(path)
	moved := key + ".elsewhere"
	if err := os.Rename(key, moved); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "", "log", "verify", "--db", path, "--json")
	if code != exitRefused || !strings.Contains(out, `"error": "KEY_MISSING"`) || !strings.Contains(out, "--key") {
		t.Errorf("verify without the key = %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "log", "verify", "--db", path, "--no-key")
	if code != exitOK || !strings.Contains(out, "NOT KEYED: continuity only") {
		t.Errorf("verify --no-key = %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "log", "verify", "--db", path, "--key", moved)
	if code != exitOK || !strings.Contains(out, "keyed: from seq 1") {
		t.Errorf("verify --key = %d %q", code, out)
	}
	if code, _, _ := runCLI(t, "", "log", "verify", "--db", path, "--key", moved, "--no-key"); code != exitUsage {
		t.Errorf("--key with --no-key = %d, want usage", code)
	}
	bad := key + ".bad"
	os.WriteFile(bad, []byte("not a key"), 0o600)
	if code, out, _ := runCLI(t, "", "log", "verify", "--db", path, "--key", bad, "--json"); code != exitRefused || !strings.Contains(out, "KEY_UNUSABLE") {
		t.Errorf("verify with a damaged key = %d %q", code, out)
	}

	// A forged event with a recomputed hash: continuity passes, the key does not.
	for _, q := range []string{`DROP TRIGGER audit_events_append_only`,
		`INSERT INTO audit_events (seq, at, kind, detail_json, prev_hash, hash) VALUES (7, 'x', 'staff_added', '{}', '` + h6 + `', '')`} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var at, dj string
	s.DB().QueryRow(`SELECT at, detail_json FROM audit_events WHERE seq = 7`).Scan(&at, &dj)
	if _, err := s.DB().Exec(`DROP TRIGGER audit_events_no_update`); err != nil {
		t.Fatal(err)
	}
	s.DB().Exec(`UPDATE audit_events SET hash = ? WHERE seq = 7`, store.RowHash(h6, 7, at, 0, "staff_added", dj))
	if code, out, _ := runCLI(t, "", "log", "verify", "--db", path, "--no-key"); code != exitOK {
		t.Errorf("forged event, --no-key = %d %q (continuity alone cannot see it)", code, out)
	}
	code, out, errOut = runCLI(t, "", "log", "verify", "--db", path, "--key", moved, "--json")
	if code != exitRefused || !strings.Contains(out, `"first_broken_seq": 7`) || !strings.Contains(out, "no mac") {
		t.Errorf("forged event, keyed = %d %q %q", code, out, errOut)
	}
}

// TestLogVerifyRecordsTampered: a clerk made admin and the purge-gate
// attack are refused with RECORDS_TAMPERED, the count and head printed.
func TestLogVerifyRecordsTampered(t *testing.T) {
	path, s := logDB(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "mori", store.RoleClerk, []byte("clerk password 1"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE staff SET role = 'admin' WHERE id = 'mori'`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "log", "verify", "--db", path, "--json")
	if code != exitRefused || !strings.Contains(out, `"error": "RECORDS_TAMPERED"`) || !strings.Contains(out, "staff mori differs") ||
		!strings.Contains(out, `"events": 7`) {
		t.Errorf("clerk made admin = %d %q %q", code, out, errOut)
	}
	if _, err := s.DB().Exec(`UPDATE purge_gate SET upto_seq=1000000000; DELETE FROM audit_events; UPDATE purge_gate SET upto_seq=0;`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "", "log", "verify", "--db", path)
	if code != exitRefused || !strings.Contains(out, "TAMPERED: 0 events verified") || !strings.Contains(out, "1 sessions have no events") ||
		!strings.Contains(errOut, "RECORDS_TAMPERED") {
		t.Errorf("purge-gate attack = %d %q %q", code, out, errOut)
	}
}
