package store

import (
	"context"
	"database/sql"
	"strconv"
)

// Dashboard is the staff screen's summary of one local day.
type Dashboard struct {
	Date             string          `json:"date"`
	Sessions         int             `json:"sessions"`          // started that day
	Open             int             `json:"open"`              // of those, not ended yet
	ByOutcome        map[Outcome]int `json:"by_outcome"`        // ended sessions by outcome
	ByHour           [24]int         `json:"by_hour"`           // sessions started, by local hour
	TicketsWaiting   int             `json:"tickets_waiting"`   // waiting or called
	ApprovalsPending int             `json:"approvals_pending"` // waiting or called, route approval or counter
	PINLockouts      int             `json:"pin_lockouts"`      // pin_locked events seen
	StaffLockouts    int             `json:"staff_lockouts"`    // staff_locked events
}

// Dashboard summarizes a local date (YYYY-MM-DD) in one snapshot.
func (s *Store) Dashboard(ctx context.Context, date string) (Dashboard, error) {
	d := Dashboard{Date: date, ByOutcome: map[Outcome]int{}}
	lo, hi, err := dayRange(date, date)
	if err != nil {
		return d, err
	}
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT substr(started_at, 12, 2), COALESCE(outcome,''), COUNT(*)
			FROM sessions WHERE started_at >= ? AND started_at < ? GROUP BY 1, 2`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var hour, outcome string
			var n int
			if err := rows.Scan(&hour, &outcome, &n); err != nil {
				return err
			}
			if h, err := strconv.Atoi(hour); err == nil && h >= 0 && h < 24 {
				d.ByHour[h] += n
			}
			d.Sessions += n
			if outcome == "" {
				d.Open += n
			} else {
				d.ByOutcome[Outcome(outcome)] += n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(route <> 'self'),0) FROM tickets
			WHERE date = ? AND status IN ('waiting','called')`, date).Scan(&d.TicketsWaiting, &d.ApprovalsPending); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(kind = ?),0), COALESCE(SUM(kind = ?),0) FROM audit_events
			WHERE kind IN (?, ?) AND at >= ? AND at < ?`, KindPINLocked, KindStaffLocked, KindPINLocked, KindStaffLocked, lo, hi).
			Scan(&d.PINLockouts, &d.StaffLockouts)
	})
	return d, err
}
