package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/store/storetest"
)

func TestCheckDetail(t *testing.T) {
	cases := []struct {
		name string
		d    Detail
		want error // nil, ErrPersonalData or ErrInvalid
	}{
		{"codes", Detail{"cert": "sign", "retries_left": 2, "reason": "PIN_LOCKED", "ok": true}, nil},
		{"serial", Detail{"serial": "0x1a2b3c4d5e6f708192a3"}, nil},
		{"all-digit hex serial via Serial", Detail{"serial": "0x123456789012"}, nil},
		{"hash with digit runs", Detail{"checkpoint_hash": "ab123456789012345678cd" + strings.Repeat("0", 42)}, nil},
		{"expiry date", Detail{"new_expiry": "2031-04-01", "not_after": "2031-04-01"}, nil},
		{"reasons list", Detail{"reasons": []string{"UNDER_15", "STAFF_REQUIRED"}}, nil},
		{"fee and ticket", Detail{"fee_yen": 200, "ticket": 12}, nil},
		{"age band", Detail{"age_band": "65+"}, nil},
		{"empty", nil, nil},

		{"key pin", Detail{"pin": "1234"}, ErrPersonalData},
		{"key new_pin", Detail{"new_pin": "x"}, ErrPersonalData},
		{"key name", Detail{"name": "x"}, ErrPersonalData},
		{"key holder_name", Detail{"holder_name": "x"}, ErrPersonalData},
		{"key address", Detail{"address": "x"}, ErrPersonalData},
		{"key home_address", Detail{"homeaddress": "x"}, ErrPersonalData},
		{"key dob", Detail{"dob": "x"}, ErrPersonalData},
		{"key birth", Detail{"birthdate": "x"}, ErrPersonalData},
		{"key individual_number", Detail{"individual_number": 1}, ErrPersonalData},
		{"key mynumber", Detail{"mynumber": 1}, ErrPersonalData},
		{"key password", Detail{"password": "x"}, ErrPersonalData},
		{"key upper case", Detail{"PIN": "x"}, ErrInvalid},
		{"key with space", Detail{"a b": "x"}, ErrInvalid},

		{"4-digit PIN value", Detail{"input": "1234"}, ErrPersonalData},
		{"sign PIN value", Detail{"input": "ABC123"}, ErrPersonalData},
		{"long sign PIN value", Detail{"input": "A1B2C3D4E5F6G7H8"}, ErrPersonalData},
		{"12-digit string", Detail{"ref": "123456789018"}, ErrPersonalData},
		{"12 digits grouped", Detail{"ref": "1234 5678 9018"}, ErrPersonalData},
		{"12 digits hyphens", Detail{"ref": "1234-5678-9018"}, ErrPersonalData},
		{"12 digits in a code", Detail{"ref": "no.1234-5678-9018"}, ErrPersonalData},
		{"prose", Detail{"note": "Hanako Yamada"}, ErrPersonalData},
		{"12-digit int", Detail{"ref": int64(123456789018)}, ErrPersonalData},
		{"12-digit int", Detail{"ref": 123456789018}, ErrPersonalData},
		{"japanese name", Detail{"note": "山田太郎"}, ErrPersonalData},
		{"japanese address", Detail{"where": "茨城県守谷市大柏950-1"}, ErrPersonalData},
		{"birth date under other key", Detail{"when": "1990-04-01"}, ErrPersonalData},
		{"era birth date digits", Detail{"d": "419900401"}, ErrPersonalData},
		{"email", Detail{"contact": "a@example.jp"}, ErrPersonalData},
		{"list with PIN", Detail{"codes": []string{"OK", "5678"}}, ErrPersonalData},
		{"control char", Detail{"x": "a\nb"}, ErrPersonalData},

		{"float", Detail{"x": 1.5}, ErrInvalid},
		{"nested", Detail{"x": map[string]any{"pin": "1"}}, ErrInvalid},
		{"bytes", Detail{"x": []byte("1234")}, ErrInvalid},
		{"too long", Detail{"x": strings.Repeat("a", 300)}, ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckDetail(c.d)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("CheckDetail(%v) = %v, want %v", c.d, err, c.want)
			}
		})
	}
}

// Needles: PIN-like and personal strings a careless caller might pass.
const (
	needlePINAuth  = "4739"
	needlePINSign  = "QZ7K4P9X"
	needleMyNumber = "731946285014"
	needleName     = "Hanako Privacy-Scan"
	needleNameJA   = "個人情報花子"
	needleAddress  = "茨城県守谷市大柏九五〇"
	needleDOB      = "1983-11-27"
	needlePassword = "staff-pass-Zq81xw"
)

// personal are refused wherever they are passed; the password is only
// ever passed as a password, and must not be stored either.
var (
	personal = []string{needlePINAuth, needlePINSign, needleMyNumber, needleName, needleNameJA, needleAddress, needleDOB}
	needles  = append(append([]string{}, personal...), needlePassword)
)

// TestPrivacyScan uses the whole API with personal strings where a careless
// caller might put them, checks each is refused, then scans the database,
// its WAL and the exports byte for byte.
func TestPrivacyScan(t *testing.T) {
	dir := t.TempDir()
	clk := &fakeClock{t: testNow}
	s, err := Open(filepath.Join(dir, "kiosk.db"), Options{Now: clk.Now, Argon2: &testArgon})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	refused := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	if err := s.AddStaff(ctx, "clerk01", RoleClerk, []byte(needlePassword), ""); err != nil {
		t.Fatal(err)
	}
	sid, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: "moriya"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range personal {
		for _, d := range []Detail{{"pin": n}, {"input": n}, {"value": n}, {"holder_name": n}, {"entered": []string{n}}} {
			_, err := s.Append(ctx, sid, KindPINVerifyFailed, d)
			refused("append "+n, err)
		}
		refused("setting "+n, s.SetSetting(ctx, "greeting", n, ""))
		_, err := s.StartSession(ctx, SessionStart{Mode: ModeSelf, Profile: n})
		refused("profile "+n, err)
		_, err = s.IssueTicket(ctx, TicketRequest{Certificates: []string{"sign"}, Purpose: n, Route: RouteApproval})
		refused("purpose "+n, err)
		_, err = s.Decide(ctx, Approval{TicketID: 1, CardRef: n, StaffID: "clerk01", Decision: Approve})
		refused("card ref "+n, err)
		refused("end session "+n, s.EndSession(ctx, sid, SessionEnd{Outcome: OutcomeDone, AgeBand: n}))
		refused("staff id "+n, s.AddStaff(ctx, n, RoleClerk, []byte("long enough password"), ""))
		// A password typed into the staff ID field is never recorded.
		_, err = s.SignIn(ctx, n, []byte(needlePassword))
		refused("sign in as "+n, err)
	}
	// Legitimate use around it.
	if _, err := s.SignIn(ctx, "clerk01", []byte(needlePassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "clerk01", []byte(needlePINSign)); !errors.Is(err, ErrBadCredentials) {
		t.Fatal(err)
	}
	tk, err := s.IssueTicket(ctx, TicketRequest{SessionID: sid, Certificates: []string{"sign", "auth"}, Purpose: "renew", Route: RouteApproval})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, Approval{TicketID: tk.ID, CardRef: CardRef([]byte("cert")), StaffID: "clerk01", Decision: Approve}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, sid, KindPINChanged, Detail{"cert": "auth", "retries_left": 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.EndSession(ctx, sid, SessionEnd{Outcome: OutcomeDone, Services: []string{"pin_change"}, AgeBand: "40-49"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"csv", "json"} {
		out, err := os.Create(filepath.Join(dir, "export."+f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Export(ctx, out, "2026-01-01", "2026-12-31", f); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	// Scan while open (WAL present), then after close (checkpointed).
	if n := storetest.ScanFiles(t, dir, needles...); n < 4 {
		t.Errorf("scanned %d files, want the database, its WAL and shm and the exports", n)
	}
	wal, err := os.ReadFile(filepath.Join(dir, "kiosk.db-wal"))
	if err != nil || len(wal) == 0 {
		t.Errorf("no WAL to scan (%v)", err)
	}
	if !bytes.Contains(wal, []byte("clerk01")) {
		t.Error("the scan's control string clerk01 is not in the WAL: the scan would not see writes")
	}
	s.Close()
	storetest.ScanFiles(t, dir, needles...)
	mustScanFind(t, dir, "clerk01") // the scan does find what is there
}

func mustScanFind(t *testing.T, dir, needle string) {
	t.Helper()
	found, err := storetest.Find(dir, needle)
	if err != nil || len(found) == 0 {
		t.Errorf("storetest.Find(%q) found nothing (%v): the scan is blind", needle, err)
	}
}

// TestPrivacyShapesClosed: the personal-data shapes that once passed the
// filter are refused; the codes the kiosk stores still pass.
func TestPrivacyShapesClosed(t *testing.T) {
	for _, c := range []struct {
		key, v string
		ok     bool
	}{
		{"reason", "DIGITAL_HANAKO", false},
		{"reason", "KOSHIN.TARO", false},
		{"holder", "Koshin.Taro", false},
		{"note", "pin:1234", false},
		{"note", "code=482913", false},
		{"reason", "e19800412", false},
		{"reason", "319800412", false},
		{"reason", "S55.04.12", false},
		{"reason", "H2-1-5", false},
		{"birthday", "1980-04-12", false},
		{"holiday", "1980-04-12", false},
		{"valid_to", "1980-04-12", false},
		{"d_day", "2030-04-12", false},
		{"photo", "2030-04-12", false},
		// What the kiosk stores.
		{"reason", "UNDER_15", true},
		{"reason", "CARD_EXPIRES_FIRST", true},
		{"reason", "ISSUER_REFUSED", true},
		{"new_expiry", "2031-06-15", true},
		{"renewal_opens", "2026-03-15", true},
		{"cutoff", "2025-05-01", true},
		{"to", "2026-04-30", true},
		{"from_date", "2026-04-01", true},
		{"staff_id", "sato", true},
		{"by", "kato", true},
		{"card_ref", "auth:19800412", true},
		{"cert_serial", "1234:5678", true},
		{"lang", "pt-BR", true},
		{"printer", "tcp://127.0.0.1:9100", true},
		{"printer", "tcp://lp-host:9100", true},
		{"target", "tcp://127.0.0.1:9100", true},
	} {
		err := CheckValue(c.key, c.v)
		if c.ok != (err == nil) {
			t.Errorf("CheckValue(%q, %q) = %v, want ok=%v", c.key, c.v, err, c.ok)
		}
	}
}
