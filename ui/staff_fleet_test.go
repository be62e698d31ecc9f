package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/store/fleet"
)

type fakeFleet struct {
	ks  []fleet.KioskStatus
	err error
}

func (f fakeFleet) Kiosks(context.Context, string, time.Time) ([]fleet.KioskStatus, error) {
	return f.ks, f.err
}

func (f fakeFleet) Export(_ context.Context, w io.Writer, from, to string) (int64, error) {
	if f.err != nil {
		return 0, f.err
	}
	_, err := io.WriteString(w, "kiosk,seq\nmain-1,1\n")
	return 1, err
}

func TestStaffAllKiosks(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	// A kiosk alone: no tile.
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	if r.k.Button("staff.tile.fleet") != nil {
		t.Fatal("the All kiosks tile is shown without a central database")
	}
	r.tap("staff.signout")

	last := r.clock.Now().Add(-10 * time.Minute)
	lag := int64(30)
	r.desk.cfg.Fleet = fakeFleet{ks: []fleet.KioskStatus{
		{Kiosk: "main-1", Health: "ok", LastEventAt: &last, LagSeconds: &lag, Sessions: 7},
		{Kiosk: "branch-2", Health: "flagged", Problem: "TRUNCATED"},
	}}
	r.k.staff(StaffMenu)
	r.signIn("clerk1", staffPW)
	if r.k.Button("staff.tile.fleet") != nil {
		t.Fatal("a clerk is offered All kiosks")
	}
	r.tap("staff.signout")
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	r.tap("staff.tile.fleet")
	r.screen(idStaffFleet)
	r.see(r.tr("staff.title.fleet"))
	r.see("main-1")
	r.see("branch-2")
	r.see(r.tr("staff.fleet.health.flagged") + " (TRUNCATED)")
	r.see("09:50")

	r.tap("staff.fleet.export")
	r.see(r.tr("staff.export.done", "N", 1, "Path", filepath.Join(r.desk.cfg.ExportDir, "all-kiosks-2025-06-01_2025-06-10.csv")))
	if b, err := os.ReadFile(filepath.Join(r.desk.cfg.ExportDir, "all-kiosks-2025-06-01_2025-06-10.csv")); err != nil || !strings.Contains(string(b), "main-1,1") {
		t.Fatalf("export file: %q %v", b, err)
	}

	r.desk.cfg.Fleet = fakeFleet{err: errors.New("down")}
	r.tap("staff.fleet.refresh")
	r.see(r.tr("staff.fleet.error"))
}
