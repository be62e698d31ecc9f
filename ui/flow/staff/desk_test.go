package staff

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
)

func TestDeskSignInTimeoutAndRoles(t *testing.T) {
	s, c := clerkStore(t)
	addStaff(t, s, "super1", store.RoleSupervisor)
	d := NewDesk(s, c.Now, 2*time.Minute)
	ctx := context.Background()

	pw := []byte("correct horse battery")
	cl, err := d.SignIn(ctx, "clerk1", pw)
	if err != nil || cl.ID != "clerk1" || cl.Role != store.RoleClerk {
		t.Fatalf("SignIn = %+v, %v", cl, err)
	}
	for _, b := range pw {
		if b != 0 {
			t.Fatal("SignIn left the password in the caller's buffer")
		}
	}
	if d.CanExit() {
		t.Error("a clerk may exit the kiosk; want supervisors only")
	}
	c.Add(90 * time.Second)
	d.Touch()
	c.Add(90 * time.Second)
	if _, ok := d.Clerk(); !ok {
		t.Fatal("Touch did not push the timeout back")
	}
	c.Add(2 * time.Minute)
	if !d.Expire() {
		t.Fatal("staff session did not time out")
	}
	if _, ok := d.Clerk(); ok {
		t.Fatal("clerk still signed in after the timeout")
	}

	if _, err := d.SignIn(ctx, "super1", []byte("correct horse battery")); err != nil {
		t.Fatal(err)
	}
	if !d.CanExit() {
		t.Error("a supervisor may not exit the kiosk")
	}
	d.SetTimeout(5 * time.Minute)
	c.Add(4 * time.Minute)
	if _, ok := d.Clerk(); !ok {
		t.Error("SetTimeout not applied")
	}
	d.SignOut()
	if d.CanExit() {
		t.Error("CanExit after sign-out")
	}
}

func TestDeskLockout(t *testing.T) {
	s, c := clerkStore(t)
	d := NewDesk(s, c.Now, 0)
	ctx := context.Background()
	var se *SignInError
	if _, err := d.SignIn(ctx, "", []byte("x")); !errors.As(err, &se) || se.Code != SignInMissing {
		t.Fatalf("empty ID: %v", err)
	}
	if _, err := d.SignIn(ctx, "nobody", []byte("wrong password!")); !errors.As(err, &se) || se.Code != SignInBadCredentials {
		t.Fatalf("unknown ID: %v", err)
	}
	for i := 1; i < store.MaxSignInFailures; i++ {
		if _, err := d.SignIn(ctx, "clerk1", []byte("wrong password!")); !errors.As(err, &se) || se.Code != SignInBadCredentials {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, err := d.SignIn(ctx, "clerk1", []byte("wrong password!"))
	if !errors.As(err, &se) || se.Code != SignInLocked || se.Until.IsZero() {
		t.Fatalf("failure %d: %v, want LOCKED with a time", store.MaxSignInFailures, err)
	}
	// Even the right password is refused while locked.
	if _, err := d.SignIn(ctx, "clerk1", []byte("correct horse battery")); !errors.As(err, &se) || se.Code != SignInLocked {
		t.Fatalf("right password while locked: %v", err)
	}
	c.Add(store.LockoutDuration + time.Second)
	if _, err := d.SignIn(ctx, "clerk1", []byte("correct horse battery")); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

// TestDeskRechecksTheClerk: a clerk disabled, or demoted, after signing in
// is signed out at the next staff action, not at the timeout.
func TestDeskRechecksTheClerk(t *testing.T) {
	s, c := clerkStore(t)
	addStaff(t, s, "super1", store.RoleSupervisor)
	d := NewDesk(s, c.Now, 10*time.Minute)
	ctx := context.Background()
	if _, err := d.SignIn(ctx, "clerk1", []byte("correct horse battery")); err != nil {
		t.Fatal(err)
	}
	if !d.Can(store.RoleClerk) {
		t.Fatal("signed-in clerk cannot act")
	}
	if err := s.DisableStaff(ctx, "clerk1", ""); err != nil {
		t.Fatal(err)
	}
	if d.Can(store.RoleClerk) {
		t.Error("a clerk disabled after signing in can still act")
	}
	if _, ok := d.Clerk(); ok {
		t.Error("a disabled clerk is still signed in")
	}
	if _, err := d.SignIn(ctx, "super1", []byte("correct horse battery")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE staff SET locked_until = ? WHERE id = 'super1'`,
		c.Now().Add(time.Hour).Format("2006-01-02T15:04:05.000000Z07:00")); err != nil {
		t.Fatal(err)
	}
	if d.CanExit() {
		t.Error("a supervisor locked after signing in can still exit the kiosk")
	}
}
