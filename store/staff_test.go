package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashPHC(t *testing.T) {
	h, err := HashPassword([]byte("correct horse"), testArgon)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Count(h, "$") != 5 {
		t.Errorf("PHC string %q", h)
	}
	h2, _ := HashPassword([]byte("correct horse"), testArgon)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct horsf", false}, {"", false}, {"correct horse ", false}} {
		ok, err := CheckPassword(h, []byte(c.pw))
		if err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v", c.pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if _, err := CheckPassword(bad, []byte("x")); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckPassword(%q): %v", bad, err)
		}
	}
}

func TestStaffAccounts(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pw := []byte("first password")
	if err := s.AddStaff(ctx, "sato", RoleSupervisor, pw, ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   string
		role Role
		pw   string
		want error
	}{
		{"sato", RoleClerk, "another password", ErrConflict},
		{"Sato", RoleClerk, "another password", ErrInvalid},
		{"1234", RoleClerk, "another password", ErrInvalid},
		{"suzuki", "root", "another password", ErrInvalid},
		{"suzuki", RoleClerk, "short", ErrWeakPassword},
		{"suzuki", RoleClerk, "with\nnewline", ErrWeakPassword},
	} {
		if err := s.AddStaff(ctx, c.id, c.role, []byte(c.pw), ""); !errors.Is(err, c.want) {
			t.Errorf("AddStaff(%q, %q): %v, want %v", c.id, c.role, err, c.want)
		}
	}
	st, err := s.SignIn(ctx, "sato", pw)
	if err != nil || st.Role != RoleSupervisor || st.LastSignIn.IsZero() {
		t.Fatalf("SignIn = %+v, %v", st, err)
	}
	if err := s.SetPassword(ctx, "sato", []byte("second password"), "sato"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "sato", pw); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password: %v", err)
	}
	if _, err := s.SignIn(ctx, "sato", []byte("second password")); err != nil {
		t.Errorf("new password: %v", err)
	}
	if err := s.DisableStaff(ctx, "sato", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "sato", []byte("second password")); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled account: %v", err)
	}
	if err := s.EnableStaff(ctx, "sato", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "sato", []byte("second password")); err != nil {
		t.Errorf("re-enabled account: %v", err)
	}
	if _, err := s.SignIn(ctx, "nobody", pw); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown staff: %v", err)
	}
	if err := s.SetPassword(ctx, "nobody", []byte("second password"), ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("passwd of unknown staff: %v", err)
	}
	list, err := s.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "sato" || list[0].Disabled {
		t.Errorf("ListStaff = %+v, %v", list, err)
	}
	// The audit trail has the sign-ins by staff ID, and no hash or password.
	var leaks int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE instr(detail_json, '$argon2') OR
		instr(detail_json, 'first password') OR instr(detail_json, 'second password')`).Scan(&leaks); err != nil || leaks != 0 {
		t.Errorf("password material in %d audit events (%v)", leaks, err)
	}
	kinds := eventKinds(t, s)
	for _, k := range []string{KindStaffAdded, KindStaffSignIn, KindStaffPassword, KindStaffSignInFailed, KindStaffDisabled, KindStaffEnabled} {
		if kinds[k] == 0 {
			t.Errorf("no %s event", k)
		}
	}
	mustVerify(t, s)
}

func TestStaffLockout(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	good := []byte("right password")
	if err := s.AddStaff(ctx, "kato", RoleClerk, good, ""); err != nil {
		t.Fatal(err)
	}
	// Four failures, a success: the count resets.
	for i := 0; i < MaxSignInFailures-1; i++ {
		if _, err := s.SignIn(ctx, "kato", []byte("wrong password")); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := s.SignIn(ctx, "kato", good); err != nil {
		t.Fatalf("success after 4 failures: %v", err)
	}
	// Five consecutive failures lock the account for 15 minutes.
	var err error
	for i := 0; i < MaxSignInFailures; i++ {
		_, err = s.SignIn(ctx, "kato", []byte("wrong password"))
	}
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrStaffLocked) || !le.Until.Equal(clk.Now().Add(LockoutDuration)) {
		t.Fatalf("fifth failure: %v", err)
	}
	clk.Add(LockoutDuration - time.Second)
	if _, err := s.SignIn(ctx, "kato", good); !errors.Is(err, ErrStaffLocked) {
		t.Errorf("right password while locked: %v", err)
	}
	clk.Add(time.Second)
	if _, err := s.SignIn(ctx, "kato", good); err != nil {
		t.Errorf("after the lockout: %v", err)
	}
	// A new password clears a lockout.
	for i := 0; i < MaxSignInFailures; i++ {
		_, _ = s.SignIn(ctx, "kato", []byte("wrong password"))
	}
	if err := s.SetPassword(ctx, "kato", []byte("reset password"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "kato", []byte("reset password")); err != nil {
		t.Errorf("after reset: %v", err)
	}
	if n := eventKinds(t, s)[KindStaffLocked]; n != 2 {
		t.Errorf("%d staff_locked events, want 2", n)
	}
	d, err := s.Dashboard(ctx, s.Today())
	if err != nil || d.StaffLockouts != 2 {
		t.Errorf("dashboard staff lockouts = %d (%v)", d.StaffLockouts, err)
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		r, min Role
		want   bool
	}{
		{RoleClerk, RoleClerk, true}, {RoleClerk, RoleSupervisor, false}, {RoleAdmin, RoleSupervisor, true},
		{RoleSupervisor, RoleAdmin, false}, {"", RoleClerk, false}, {"root", "root", false},
	} {
		if got := c.r.AtLeast(c.min); got != c.want {
			t.Errorf("%q.AtLeast(%q) = %v", c.r, c.min, got)
		}
	}
	if _, err := ParseRole("admin"); err != nil {
		t.Error(err)
	}
	if _, err := ParseRole("Admin"); err == nil {
		t.Error("ParseRole(Admin) accepted")
	}
}

func eventKinds(t testing.TB, s *Store) map[string]int {
	t.Helper()
	rows, err := s.DB().Query(`SELECT kind, COUNT(*) FROM audit_events GROUP BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		rows.Scan(&k, &n)
		m[k] = n
	}
	return m
}

// countArgon counts password hash checks for the rest of the test.
func countArgon(t *testing.T) *int {
	n := new(int)
	orig := argonIDKey
	argonIDKey = func(pw, salt []byte, time, mem uint32, threads uint8, keyLen uint32) []byte {
		*n++
		return orig(pw, salt, time, mem, threads, keyLen)
	}
	t.Cleanup(func() { argonIDKey = orig })
	return n
}

// TestUnknownIDsLockLikeRealOnes: the answers to an unknown staff ID are
// the answers to a real one — wrong password four times, then "locked
// until" the same time — with one argon2 check per answer in every case, so
// neither the answer nor its cost tells which IDs exist.
func TestUnknownIDsLockLikeRealOnes(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	if err := s.AddStaff(ctx, "kato", RoleClerk, []byte("right password"), ""); err != nil {
		t.Fatal(err)
	}
	calls := countArgon(t)
	answers := func(id string) []string {
		var out []string
		for i := 0; i < MaxSignInFailures+2; i++ {
			before := *calls
			_, err := s.SignIn(ctx, id, []byte("wrong password"))
			var le *LockedError
			switch {
			case errors.As(err, &le):
				out = append(out, "locked until "+le.Until.Format(time.RFC3339))
			case errors.Is(err, ErrBadCredentials):
				out = append(out, "bad credentials")
			default:
				out = append(out, "other: "+fmt.Sprint(err))
			}
			if n := *calls - before; n != 1 {
				t.Errorf("%s attempt %d: %d argon2 checks, want 1", id, i+1, n)
			}
		}
		return out
	}
	real, unknown := answers("kato"), answers("suzuki")
	if !slices.Equal(real, unknown) {
		t.Errorf("real ID answers %q\nunknown ID answers %q", real, unknown)
	}
	if !strings.HasPrefix(unknown[MaxSignInFailures-1], "locked until") {
		t.Errorf("unknown ID not locked after %d failures: %q", MaxSignInFailures, unknown)
	}
	clk.Add(LockoutDuration)
	if _, err := s.SignIn(ctx, "suzuki", []byte("wrong password")); !errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrStaffLocked) {
		t.Errorf("unknown ID after the lockout: %v", err)
	}
}

// TestPasswordRules: the obvious passwords are refused with ErrWeakPassword,
// reasonable ones accepted.
func TestPasswordRules(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"correct horse battery", true},
		{"Kiosk-Staff-7391", true},
		{"short", false},
		{"1234567890", false},
		{"0987654321", false},
		{"abcdefghijk", false},
		{"qwertyuiop", false},
		{"aaaaaaaaaa", false},
		{"abababababab", false},
		{"Password123", false},
		{"kato123456", false},     // the ID and a sequence
		{"katokato12", false},     // the ID twice
		{"kato-is-my-name", true}, // the ID and enough besides
		{"demo-staff-0000", true},
		{"right\rpassword", false},
		{"right\x00password", false},
		{"right password\r", false}, // a CR the CLI kept: refused, never trimmed here
	} {
		err := checkPasswordPolicy("kato", []byte(tc.pw))
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrWeakPassword)) {
			t.Errorf("%q: %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

// TestHostileArgonParameters: a stored hash whose parameters would exhaust
// memory or time is refused before any hashing.
func TestHostileArgonParameters(t *testing.T) {
	calls := countArgon(t)
	salt, key := "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	for _, params := range []string{"m=4194304,t=3,p=4", "m=65536,t=1000000,p=4", "m=65536,t=3,p=255"} {
		h := "$argon2id$v=19$" + params + "$" + salt + "$" + key
		if _, err := CheckPassword(h, []byte("x")); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", params, err)
		}
	}
	if *calls != 0 {
		t.Errorf("%d argon2 runs on refused parameters", *calls)
	}
	// What the kiosk writes is accepted.
	h, err := HashPassword([]byte("pw"), testArgon)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(h, []byte("pw")); !ok || err != nil {
		t.Errorf("own hash: %v %v", ok, err)
	}
}

// TestByIsCheckedOnEveryChange: a change names who makes it, and the store
// re-checks that member in the same transaction: unknown, disabled, locked
// or without the role is refused — a locked account cannot reset its own
// lockout, a clerk disabled after signing in changes nothing more.
func TestByIsCheckedOnEveryChange(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, a := range []struct {
		id   string
		role Role
	}{{"admin1", RoleAdmin}, {"super1", RoleSupervisor}, {"clerk1", RoleClerk}, {"clerk2", RoleClerk}} {
		if err := s.AddStaff(ctx, a.id, a.role, []byte("correct horse battery"), ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < MaxSignInFailures; i++ {
		_, _ = s.SignIn(ctx, "clerk2", []byte("wrong password"))
	}
	steps := []struct {
		name string
		do   func() error
		ok   bool
	}{
		{"admin adds a clerk", func() error { return s.AddStaff(ctx, "clerk3", RoleClerk, []byte("correct horse battery"), "admin1") }, true},
		{"clerk adds a clerk", func() error { return s.AddStaff(ctx, "clerk4", RoleClerk, []byte("correct horse battery"), "clerk1") }, false},
		{"unknown adds a clerk", func() error { return s.AddStaff(ctx, "clerk5", RoleClerk, []byte("correct horse battery"), "ghost1") }, false},
		{"supervisor changes a setting", func() error { return s.SetSetting(ctx, SettingIdleTimeout, "90", "super1") }, true},
		{"clerk changes a setting", func() error { return s.SetSetting(ctx, SettingIdleTimeout, "60", "clerk1") }, false},
		{"clerk changes own password", func() error { return s.SetPassword(ctx, "clerk1", []byte("another horse battery"), "clerk1") }, true},
		{"clerk changes another's password", func() error { return s.SetPassword(ctx, "super1", []byte("another horse battery"), "clerk1") }, false},
		{"locked clerk resets own lockout", func() error { return s.SetPassword(ctx, "clerk2", []byte("another horse battery"), "clerk2") }, false},
		{"admin disables clerk1", func() error { return s.DisableStaff(ctx, "clerk1", "admin1") }, true},
		{"disabled clerk changes own password", func() error { return s.SetPassword(ctx, "clerk1", []byte("third horse battery"), "clerk1") }, false},
		{"admin disables itself", func() error { return s.DisableStaff(ctx, "admin1", "admin1") }, false},
		{"operator's command line", func() error { return s.EnableStaff(ctx, "clerk1", "") }, true},
	}
	for _, st := range steps {
		err := st.do()
		if st.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotAllowed)) {
			t.Errorf("%s: %v, want ok=%v", st.name, err, st.ok)
		}
	}
	if st, err := s.StaffMember(ctx, "clerk2"); err != nil || st.LockedUntil.IsZero() {
		t.Errorf("clerk2's lockout was cleared: %+v %v", st, err)
	}
}
