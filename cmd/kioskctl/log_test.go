package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/store"
)

// logDB makes a database with a session and a few events; the store stays
// open (as the kiosk would keep it) until the test ends.
func logDB(t *testing.T) (string, *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	id, err := s.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: "moriya"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := s.Append(ctx, id, store.KindPINVerifyFailed, store.Detail{"cert": "auth", "retries_left": 2 - i%3}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EndSession(ctx, id, store.SessionEnd{Outcome: store.OutcomeDone, Services: []string{"pin_check"}}); err != nil {
		t.Fatal(err)
	}
	return path, s // 6 events
}

func TestLogVerify(t *testing.T) {
	path, s := logDB(t)
	code, out, errOut := runCLI(t, "", "log", "verify", "--db", path)
	if code != exitOK || !strings.Contains(out, "ok: 6 events verified (seq 1 to 6)") {
		t.Fatalf("verify = %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "log", "verify", "--db", path, "--json")
	var ok map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &ok) != nil || ok["ok"] != true || ok["events"] != 6.0 {
		t.Fatalf("verify --json = %d %s", code, out)
	}

	// Tamper with event 4 behind the triggers' back.
	for _, q := range []string{`DROP TRIGGER audit_events_no_update`,
		`UPDATE audit_events SET detail_json = '{"cert":"auth","retries_left":3}' WHERE seq = 4`} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut = runCLI(t, "", "log", "verify", "--db", path, "--json")
	var bad struct {
		OK             *bool  `json:"ok"`
		FirstBrokenSeq int64  `json:"first_broken_seq"`
		Error          string `json:"error"`
		Events         int64  `json:"events"`
	}
	if code != exitRefused || json.Unmarshal([]byte(out), &bad) != nil || bad.OK == nil || *bad.OK || bad.FirstBrokenSeq != 4 ||
		bad.Error != "CHAIN_BROKEN" || bad.Events != 3 {
		t.Errorf("tampered --json = %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "", "log", "verify", "--db", path)
	if code != exitRefused || !strings.Contains(errOut, "CHAIN_BROKEN") || !strings.Contains(errOut, "event 4") {
		t.Errorf("tampered = %d %q %q", code, out, errOut)
	}
}

func TestLogVerifyUsageAndRefusals(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "not.db")
	os.WriteFile(notDB, []byte("this is not sqlite, just text that is long enough to look like a file"), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"log", "verify"}, exitUsage, "--db is required"},
		{[]string{"log", "verify", "--db", filepath.Join(dir, "missing.db"), "--json"}, exitRefused, `"error": "NO_DATABASE"`},
		{[]string{"log", "verify", "--db", notDB, "--json"}, exitRefused, `"error": "DATABASE_ERROR"`},
		{[]string{"log", "export", "--db", notDB, "--from", "2026-04-01"}, exitUsage, "--from and --to"},
		{[]string{"log", "export", "--db", notDB, "--from", "2026-4-1", "--to", "2026-04-01"}, exitUsage, "YYYY-MM-DD"},
		{[]string{"log", "export", "--db", notDB, "--from", "2026-04-02", "--to", "2026-04-01"}, exitUsage, "before"},
		{[]string{"log", "export", "--db", notDB, "--from", "2026-04-01", "--to", "2026-04-01", "--format", "xml"}, exitUsage, "csv or json"},
		{[]string{"log", "purge", "--db", notDB, "--days", "0"}, exitUsage, "--days"},
	} {
		code, out, errOut := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("kioskctl %v = %d %q %q, want %d with %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("log verify created the missing database")
	}
}

func TestLogExport(t *testing.T) {
	path, s := logDB(t)
	today := s.Today()
	code, out, errOut := runCLI(t, "", "log", "export", "--db", path, "--from", today, "--to", today, "--format", "csv")
	if code != exitOK {
		t.Fatalf("export csv = %d %q", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 7 || strings.Join(recs[0], ",") != "seq,at,session_id,kind,detail_json,prev_hash,hash" {
		t.Fatalf("csv: %v %v", recs, err)
	}
	file := filepath.Join(t.TempDir(), "events.json")
	code, out, errOut = runCLI(t, "", "log", "export", "--db", path, "--from", today, "--to", today, "--format", "json", "--out", file, "--json")
	if code != exitOK || !strings.Contains(out, `"events": 6`) {
		t.Fatalf("export json = %d %q %q", code, out, errOut)
	}
	b, err := os.ReadFile(file)
	var rows []map[string]any
	if err != nil || json.Unmarshal(b, &rows) != nil || len(rows) != 6 || rows[5]["kind"] != store.KindSessionEnded {
		t.Fatalf("json file: %v %s", err, b)
	}
	// A day without events: a header only.
	code, out, _ = runCLI(t, "", "log", "export", "--db", path, "--from", "2001-01-01", "--to", "2001-01-31")
	if code != exitOK || strings.Count(out, "\n") != 1 {
		t.Errorf("empty export = %d %q", code, out)
	}
}

func TestLogPurge(t *testing.T) {
	path, s := logDB(t)
	ctx := context.Background()
	for _, a := range []struct {
		id   string
		role store.Role
	}{{"super1", store.RoleSupervisor}, {"clerk1", store.RoleClerk}} {
		if err := s.AddStaff(ctx, a.id, a.role, []byte("correct horse battery"), ""); err != nil {
			t.Fatal(err)
		}
	}
	pw := "correct horse battery\n"
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		// No sign-in, a clerk, a wrong password: refused.
		{"", []string{"--profile", "moriya", "--days", "400"}, exitUsage, "--staff is required"},
		{pw, []string{"--staff", "clerk1", "--profile", "moriya"}, exitRefused, "NOT_AUTHORIZED"},
		{"wrong password\n", []string{"--staff", "super1", "--profile", "moriya"}, exitRefused, "NOT_AUTHORIZED"},
		// Below the profile's retention (Moriya: 400 days): refused.
		{pw, []string{"--staff", "super1", "--profile", "moriya", "--days", "1"}, exitRefused, "RETENTION_TOO_SHORT"},
		{pw, []string{"--staff", "super1", "--profile", "moriya", "--days", "399"}, exitRefused, "RETENTION_TOO_SHORT"},
		// No profile named and none stored.
		{pw, []string{"--staff", "super1"}, exitRefused, "NO_PROFILE"},
		// At the retention, by a supervisor: done (nothing is that old).
		{pw, []string{"--staff", "super1", "--profile", "moriya"}, exitOK, `"events": 0`},
	} {
		args := append([]string{"log", "purge", "--db", path, "--json"}, c.args...)
		code, out, errOut := runCLI(t, c.stdin, args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("purge %v = %d %q %q, want %d with %q", c.args, code, out, errOut, c.code, c.want)
		}
	}
	r, err := s.Verify(ctx)
	if err != nil || !r.OK {
		t.Fatalf("after purge: %+v %v", r, err)
	}
	// The purge names who did it.
	var detail string
	if err := s.DB().QueryRow(`SELECT detail_json FROM audit_events WHERE kind = 'retention_purge'`).Scan(&detail); err != nil ||
		!strings.Contains(detail, `"by":"super1"`) || !strings.Contains(detail, `"retention_days":400`) {
		t.Errorf("retention_purge event %q (%v)", detail, err)
	}
}

// TestLogExportNeverDestroysData: --out refuses the database, its WAL, SHM
// and journal under any name, and any existing file unless --force; the
// database still verifies afterwards.
func TestLogExportNeverDestroysData(t *testing.T) {
	path, _ := logDB(t)
	dir := filepath.Dir(path)
	if err := os.Symlink(path, filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, filepath.Join(dir, "hard.db")); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		out   string
		force bool
	}{
		{path, false}, {path, true},
		{path + "-wal", true}, {path + "-shm", true}, {path + "-journal", true},
		{"kiosk.db", true}, {"./sub/../kiosk.db", true},
		{filepath.Join(dir, "link.db"), true}, {filepath.Join(dir, "hard.db"), true},
		{existing, false}, {dir, true},
	} {
		args := []string{"log", "export", "--db", path, "--from", "2020-01-01", "--to", "2099-12-31", "--out", tc.out, "--json"}
		if tc.force {
			args = append(args, "--force")
		}
		code, out, _ := runCLI(t, "", args...)
		if code != exitRefused || !strings.Contains(out, "EXPORT_REFUSED") {
			t.Errorf("export --out %s (force %v) = %d %s, want refusal", tc.out, tc.force, code, out)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing file overwritten: %q", b)
	}
	if code, out, _ := runCLI(t, "", "log", "verify", "--db", path); code != exitOK {
		t.Fatalf("database damaged: %d %s", code, out)
	}
	// With --force an ordinary existing file is replaced.
	code, out, _ := runCLI(t, "", "log", "export", "--db", path, "--from", "2020-01-01", "--to", "2099-12-31", "--out", existing, "--force")
	if b, _ := os.ReadFile(existing); code != exitOK || string(b) == "keep me" {
		t.Errorf("export --force = %d %s, file %q", code, out, b)
	}
}

// TestLogVerifyExpect: a head recorded earlier (SEQ:HASH) catches a trail
// whose newest events were deleted, which the chain alone cannot show.
func TestLogVerifyExpect(t *testing.T) {
	path, s := logDB(t)
	ctx := context.Background()
	h4, err := s.EventHash(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	h6, _ := s.EventHash(ctx, 6)
	if code, out, errOut := runCLI(t, "", "log", "verify", "--db", path, "--expect", "4:"+h4); code != exitOK || !strings.Contains(out, "keyed: from seq 1") {
		t.Fatalf("verify --expect 4 = %d %q %q", code, out, errOut)
	}
	for _, bad := range []string{"4", "x:" + h4, "4:abc", "0:" + h4} {
		if code, _, _ := runCLI(t, "", "log", "verify", "--db", path, "--expect", bad); code != exitUsage {
			t.Errorf("--expect %q = %d, want usage", bad, code)
		}
	}
	// Cut the last two events off behind the triggers' back: the chain that
	// is left is intact, only the recorded head shows the loss.
	for _, q := range []string{`DROP TRIGGER IF EXISTS audit_events_no_delete`, `DELETE FROM audit_events WHERE seq > 4`} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, _ := runCLI(t, "", "log", "verify", "--db", path); code != exitOK {
		t.Fatalf("the truncated chain should verify without --expect (that is the point of --expect)")
	}
	code, out, errOut := runCLI(t, "", "log", "verify", "--db", path, "--expect", "6:"+h6)
	if code != exitRefused || !strings.Contains(errOut, "CHAIN_BROKEN") || !strings.Contains(out, "4 events verified") || !strings.Contains(out, "head: "+h4) {
		t.Fatalf("verify --expect after truncation = %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "", "log", "verify", "--db", path, "--expect", "4:"+h6, "--json"); code != exitRefused || !strings.Contains(out, `"first_broken_seq": 4`) {
		t.Fatalf("verify --expect with a wrong hash = %d %q", code, out)
	}
}

// TestFleetExportKeepsExistingFiles: the all-kiosks export refuses an
// existing --out file without --force, as log export does, before it
// connects anywhere; the file is left as it was.
func TestFleetExportKeepsExistingFiles(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "all.csv")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "", "fleet", "export", "--pg", "postgres://127.0.0.1:1/none", "--from", "2026-04-01", "--to", "2026-04-30",
		"--out", existing, "--json")
	if code != exitRefused || !strings.Contains(out, "EXPORT_REFUSED") {
		t.Errorf("fleet export over an existing file = %d %s", code, out)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing file changed: %q", b)
	}
}
