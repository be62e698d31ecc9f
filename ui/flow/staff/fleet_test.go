package staff

import (
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/fleet"
)

func TestFleetRows(t *testing.T) {
	now := time.Date(2026, 4, 1, 15, 0, 0, 0, store.JST)
	today := now.Add(-time.Hour)
	before := now.AddDate(0, 0, -3)
	lag := func(s int64) *int64 { return &s }
	rows := FleetRows([]fleet.KioskStatus{
		{Kiosk: "a", Health: "ok", LastEventAt: &today, LagSeconds: lag(42), Sessions: 12, TicketsWaiting: 2},
		{Kiosk: "b", Health: "flagged", Problem: "TRUNCATED", LastEventAt: &before, LagSeconds: lag(3 * 86400)},
		{Kiosk: "c", Health: "stale"},
	}, now)
	want := []FleetRow{
		{Kiosk: "b", LastEvent: "03-29 15:00", Lag: "3d", Health: "flagged", Problem: "TRUNCATED", Sessions: "0", Waiting: "0", Warn: true},
		{Kiosk: "c", LastEvent: "-", Lag: "-", Health: "stale", Sessions: "0", Waiting: "0", Warn: true},
		{Kiosk: "a", LastEvent: "14:00", Lag: "42s", Health: "ok", Sessions: "12", Waiting: "2"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
}
