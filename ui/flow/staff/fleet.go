package staff

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/fleet"
)

// FleetSource gives the "All kiosks" screen every kiosk of the city from
// the central database (the read-only kiosk_dashboard role).
type FleetSource interface {
	Kiosks(ctx context.Context, date string, now time.Time) ([]fleet.KioskStatus, error)
	// Export writes every kiosk's events of from..to as CSV (fleet.Export).
	Export(ctx context.Context, w io.Writer, from, to string) (int64, error)
}

// PGFleet reads the central database at URL (libpq-style, role
// kiosk_dashboard), one short connection per call.
type PGFleet struct{ URL string }

// Kiosks returns fleet.Status for date.
func (p PGFleet) Kiosks(ctx context.Context, date string, now time.Time) ([]fleet.KioskStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	return fleet.Status(ctx, conn, date, now)
}

// Export writes fleet.Export's CSV to w.
func (p PGFleet) Export(ctx context.Context, w io.Writer, from, to string) (int64, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.Connect(cctx, p.URL)
	cancel()
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	return fleet.Export(ctx, conn, w, from, to)
}

// FleetMonth is the export range of the "All kiosks" screen: the first of
// now's month to now's date (Asia/Tokyo).
func FleetMonth(now time.Time) (from, to string) {
	t := now.In(store.JST)
	return t.Format("2006-01") + "-01", t.Format("2006-01-02")
}

// ExportFleetCSV writes every kiosk's events of from..to as CSV to a new
// file in dir, all-kiosks-FROM_TO.csv, complete or not at all, and records
// the export in the local trail (staffID, count, range) when st is not nil.
func ExportFleetCSV(ctx context.Context, src FleetSource, st *store.Store, staffID, dir, from, to string) (string, int64, error) {
	path, n, err := writeExport(dir, fmt.Sprintf("all-kiosks-%s_%s.csv", from, to), func(w io.Writer) (int64, error) {
		return src.Export(ctx, w, from, to)
	})
	if err != nil {
		return "", 0, err
	}
	if st != nil {
		// The file is written; an export the trail cannot record is still
		// reported, so the supervisor knows the trail lacks it.
		if _, err := st.Append(ctx, 0, "fleet_exported", store.Detail{"staff_id": staffID, "events": n, "from_date": from, "to_date": to}); err != nil {
			return path, n, fmt.Errorf("export written, but not recorded in the audit trail: %w", err)
		}
	}
	return path, n, nil
}

// FleetRow is one kiosk's line on the screen, already formatted.
type FleetRow struct {
	Kiosk     string
	LastEvent string // "15:04" today, "01-02 15:04" before, "-" never
	Lag       string // "45s", "12m", "3h", "2d", "-"
	Health    string // ok | stale | flagged (an i18n key suffix)
	Problem   string // the flag's code, e.g. REWRITTEN
	Sessions  string
	Waiting   string
	Warn      bool // not ok
}

// FleetRows formats the kiosks for the screen; flagged and stale kiosks first.
func FleetRows(ks []fleet.KioskStatus, now time.Time) []FleetRow {
	today := now.In(store.JST).Format("2006-01-02")
	var bad, good []FleetRow
	for _, k := range ks {
		r := FleetRow{Kiosk: k.Kiosk, LastEvent: "-", Lag: "-", Health: k.Health, Problem: k.Problem,
			Sessions: strconv.FormatInt(k.Sessions, 10), Waiting: strconv.FormatInt(k.TicketsWaiting, 10), Warn: k.Health != "ok"}
		if k.LastEventAt != nil {
			t := k.LastEventAt.In(store.JST)
			if t.Format("2006-01-02") == today {
				r.LastEvent = t.Format("15:04")
			} else {
				r.LastEvent = t.Format("01-02 15:04")
			}
		}
		if k.LagSeconds != nil {
			r.Lag = shortDuration(time.Duration(*k.LagSeconds) * time.Second)
		}
		if r.Warn {
			bad = append(bad, r)
		} else {
			good = append(good, r)
		}
	}
	return append(bad, good...)
}

func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
}

// CanSeeFleet says whether the signed-in member may see all kiosks
// (supervisors and admins).
func (d *Desk) CanSeeFleet() bool { return d.Can(store.RoleSupervisor) }

// FleetDate is the local (Asia/Tokyo) date of now, for FleetSource.Kiosks.
func FleetDate(now time.Time) string { return now.In(store.JST).Format("2006-01-02") }
