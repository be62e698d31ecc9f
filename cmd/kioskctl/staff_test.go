package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/storetest"
)

func init() {
	// Cheap hashes for tests; production uses store.DefaultArgon2.
	staffArgon = &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func TestStaffCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	steps := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"staff", "list", "--db", db}, exitRefused, "NO_DATABASE"},
		{"first password\n", []string{"staff", "add", "--db", db, "--id", "sato", "--role", "supervisor"}, exitOK, "added staff sato (supervisor)"},
		{"clerk password\r\n", []string{"staff", "add", "--db", db, "--id", "ito", "--json"}, exitOK, `"role": "clerk"`},
		{"other password\n", []string{"staff", "add", "--db", db, "--id", "sato", "--json"}, exitRefused, `"error": "STAFF_EXISTS"`},
		{"short\n", []string{"staff", "add", "--db", db, "--id", "kato", "--json"}, exitRefused, `"error": "WEAK_PASSWORD"`},
		{"", []string{"staff", "add", "--db", db, "--id", "kato", "--json"}, exitRefused, `"error": "NO_PASSWORD"`},
		{strings.Repeat("x", 300) + "\n", []string{"staff", "add", "--db", db, "--id", "kato"}, exitRefused, "WEAK_PASSWORD"},
		{"a password\n", []string{"staff", "add", "--db", db, "--id", "kato", "--role", "root"}, exitUsage, "--role"},
		{"a password\n", []string{"staff", "add", "--db", db, "--id", "4739"}, exitUsage, "--id"},
		{"a password\n", []string{"staff", "add", "--db", db}, exitUsage, "--id is required"},
		{"a password\n", []string{"staff", "add", "--id", "kato"}, exitUsage, "--db is required"},
		{"a password\n", []string{"staff", "add", "--db", db, "--id", "kato", "a password"}, exitUsage, "unexpected argument"},
		{"second password\n", []string{"staff", "passwd", "--db", db, "--id", "sato"}, exitOK, "password set for staff sato"},
		{"second password\n", []string{"staff", "passwd", "--db", db, "--id", "nobody", "--json"}, exitRefused, `"error": "STAFF_NOT_FOUND"`},
		{"", []string{"staff", "disable", "--db", db, "--id", "ito"}, exitOK, "disabled staff ito"},
		{"", []string{"staff", "list", "--db", db}, exitOK, "ito   clerk       disabled"},
		{"", []string{"staff", "enable", "--db", db, "--id", "ito"}, exitOK, "enabled staff ito"},
	}
	for _, st := range steps {
		code, out, errOut := runCLI(t, st.stdin, st.args...)
		if code != st.code || !strings.Contains(out+errOut, st.want) {
			t.Fatalf("kioskctl %v = %d %q %q, want %d with %q", st.args, code, out, errOut, st.code, st.want)
		}
	}
	code, out, _ := runCLI(t, "", "staff", "list", "--db", db, "--json")
	var list struct {
		Staff []struct {
			ID, Role string
			Disabled bool
		} `json:"staff"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list.Staff) != 2 || list.Staff[1].ID != "sato" || list.Staff[0].Disabled {
		t.Fatalf("list --json = %d %s", code, out)
	}
	if strings.Contains(out, "argon2") || strings.Contains(out, "password") {
		t.Errorf("list shows password material: %s", out)
	}

	// The passwords work (and only the new one), and nothing of them is stored.
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.SignIn(ctx, "sato", []byte("second password")); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := s.SignIn(ctx, "sato", []byte("first password")); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("old password: %v", err)
	}
	if _, err := s.SignIn(ctx, "ito", []byte("clerk password")); err != nil {
		t.Errorf("CRLF-terminated password: %v", err)
	}
	s.Close()
	storetest.ScanFiles(t, filepath.Dir(db), "first password", "second password", "clerk password")
}

// TestStaffPasswordLineKeepsInnerCR: only the line ending is taken off the
// password line; a CR inside it is refused, never silently removed, and
// the obvious passwords are refused with a message saying why.
func TestStaffPasswordLineKeepsInnerCR(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	for _, tc := range []struct {
		stdin string
		code  int
	}{
		{"good\rstaff pass\n", exitRefused},
		{"1234567890\n", exitRefused},
		{"aaaaaaaaaa\n", exitRefused},
		{"tanaka123456\n", exitRefused},
		{"good staff pass\r\n", exitOK}, // CRLF is a line ending
	} {
		code, out, _ := runCLI(t, tc.stdin, "staff", "add", "--db", db, "--id", "tanaka", "--role", "clerk", "--json")
		if code != tc.code {
			t.Errorf("password %q: exit %d %s, want %d", tc.stdin, code, out, tc.code)
		}
		if code == exitRefused && !strings.Contains(out, "WEAK_PASSWORD") {
			t.Errorf("password %q: %s, want WEAK_PASSWORD", tc.stdin, out)
		}
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SignIn(context.Background(), "tanaka", []byte("good staff pass")); err != nil {
		t.Errorf("the CRLF line did not set the password without its line ending: %v", err)
	}
}
