package fleet

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// KioskCheck is one kiosk's line of Verify.
type KioskCheck struct {
	Kiosk   string `json:"kiosk"`
	Events  int64  `json:"events"`
	HeadSeq int64  `json:"head_seq"`
	OK      bool   `json:"ok"`
	Problem string `json:"problem"` // "" when ok
}

// Verify walks every kiosk's central chain (seq contiguous, each prev_hash
// equal to the previous row's hash, the head as recorded) and reports a
// flagged kiosk with its flag. It needs only the read-only role.
func Verify(ctx context.Context, conn *pgx.Conn) ([]KioskCheck, error) {
	rows, err := conn.Query(ctx, `
WITH w AS (
	SELECT kiosk, seq, prev_hash, hash,
		lag(seq) OVER (PARTITION BY kiosk ORDER BY seq) AS ps,
		lag(hash) OVER (PARTITION BY kiosk ORDER BY seq) AS ph
	FROM fleet.audit_events),
c AS (
	SELECT kiosk, count(*) AS n, max(seq) AS maxseq,
		bool_or(ps IS NOT NULL AND seq <> ps + 1) AS gap,
		bool_or(ph IS NOT NULL AND prev_hash <> ph) AS broken
	FROM w GROUP BY kiosk)
SELECT k.kiosk, coalesce(c.n, 0), k.head_seq, k.problem,
	coalesce(c.gap, false), coalesce(c.broken, false),
	coalesce(c.maxseq, 0) = k.head_seq AND coalesce(c.n, 0) = k.events
		AND (k.head_hash = '' OR k.head_hash = (SELECT hash FROM fleet.audit_events a WHERE a.kiosk = k.kiosk AND a.seq = k.head_seq))
FROM fleet.kiosks k LEFT JOIN c USING (kiosk) ORDER BY k.kiosk`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KioskCheck
	for rows.Next() {
		var c KioskCheck
		var flag *string
		var gap, broken, headOK bool
		if err := rows.Scan(&c.Kiosk, &c.Events, &c.HeadSeq, &flag, &gap, &broken, &headOK); err != nil {
			return nil, err
		}
		switch {
		case flag != nil:
			c.Problem = *flag
		case gap:
			c.Problem = ProblemGap
		case broken:
			c.Problem = ProblemBrokenLink
		case !headOK:
			c.Problem = ProblemTruncated
		}
		c.OK = c.Problem == ""
		out = append(out, c)
	}
	return out, rows.Err()
}

// KioskStatus is one kiosk's line of Status and of the supervisors' view.
type KioskStatus struct {
	Kiosk         string     `json:"kiosk"`
	HeadSeq       int64      `json:"head_seq"`
	Events        int64      `json:"events"`
	LastEventAt   *time.Time `json:"last_event_at"`
	LastContactAt *time.Time `json:"last_contact_at"`
	LagSeconds    *int64     `json:"lag_seconds"` // since the kiosk last reached the central database
	Health        string     `json:"health"`      // ok | stale | flagged
	Problem       string     `json:"problem,omitempty"`
	// Today's figures (Asia/Tokyo date given to Status).
	Sessions       int64 `json:"sessions"`
	Done           int64 `json:"done"`
	Referred       int64 `json:"referred"`
	TicketsWaiting int64 `json:"tickets_waiting"`
}

// StaleAfter is how long without contact makes a kiosk "stale".
var StaleAfter = 15 * time.Minute

// Status lists every kiosk with its last event, its lag (time since it last
// reached the central database), its health, and the given date's sessions
// and waiting tickets. date is YYYY-MM-DD in Asia/Tokyo; now is the clock.
func Status(ctx context.Context, conn *pgx.Conn, date string, now time.Time) ([]KioskStatus, error) {
	day, err := time.ParseInLocation("2006-01-02", date, time.FixedZone("JST", 9*3600))
	if err != nil {
		return nil, fmt.Errorf("fleet: date %q: want YYYY-MM-DD", date)
	}
	rows, err := conn.Query(ctx, `
SELECT k.kiosk, k.head_seq, k.events, k.last_event_at, k.last_contact_at, k.problem,
	coalesce(s.n, 0), coalesce(s.done, 0), coalesce(s.referred, 0), coalesce(t.waiting, 0)
FROM fleet.kiosks k
LEFT JOIN (SELECT kiosk, count(*) AS n, count(*) FILTER (WHERE outcome = 'done') AS done,
		count(*) FILTER (WHERE outcome = 'referred') AS referred
	FROM fleet.sessions WHERE started_at >= $1 AND started_at < $2 GROUP BY kiosk) s USING (kiosk)
LEFT JOIN (SELECT kiosk, count(*) AS waiting FROM fleet.tickets
	WHERE date = $3::date AND status IN ('waiting','called') GROUP BY kiosk) t USING (kiosk)
ORDER BY k.kiosk`, day, day.AddDate(0, 0, 1), date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KioskStatus
	for rows.Next() {
		var k KioskStatus
		var problem *string
		if err := rows.Scan(&k.Kiosk, &k.HeadSeq, &k.Events, &k.LastEventAt, &k.LastContactAt, &problem,
			&k.Sessions, &k.Done, &k.Referred, &k.TicketsWaiting); err != nil {
			return nil, err
		}
		k.Health = "ok"
		if k.LastContactAt != nil {
			lag := int64(now.Sub(*k.LastContactAt) / time.Second)
			k.LagSeconds = &lag
			if now.Sub(*k.LastContactAt) > StaleAfter {
				k.Health = "stale"
			}
		} else {
			k.Health = "stale"
		}
		if problem != nil {
			k.Health, k.Problem = "flagged", *problem
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Clear lifts a kiosk's flag (an operator's decision after looking into it);
// the incident keeps who cleared it. If the kiosk's trail still disagrees,
// its next batch flags it again.
func Clear(ctx context.Context, conn *pgx.Conn, kiosk, by string) (problem string, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(ctx)
	var p *string
	if err := tx.QueryRow(ctx, `SELECT problem FROM fleet.kiosks WHERE kiosk = $1 FOR UPDATE`, kiosk).Scan(&p); err != nil {
		if err == pgx.ErrNoRows {
			return "", fmt.Errorf("fleet: no kiosk %q", kiosk)
		}
		return "", err
	}
	if p == nil {
		return "", tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, `UPDATE fleet.kiosks SET problem = NULL, problem_seq = NULL, problem_at = NULL WHERE kiosk = $1`, kiosk); err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `UPDATE fleet.incidents SET cleared_at = now(), cleared_by = $2 WHERE kiosk = $1 AND cleared_at IS NULL`, kiosk, by); err != nil {
		return "", err
	}
	return *p, tx.Commit(ctx)
}

// Export writes every kiosk's events of local dates from..to (inclusive,
// Asia/Tokyo) as CSV: kiosk,seq,at,session_id,kind,detail_json,prev_hash,hash,
// ordered by kiosk and seq. It returns the number of events.
func Export(ctx context.Context, conn *pgx.Conn, w io.Writer, from, to string) (int64, error) {
	jst := time.FixedZone("JST", 9*3600)
	f, err1 := time.ParseInLocation("2006-01-02", from, jst)
	t, err2 := time.ParseInLocation("2006-01-02", to, jst)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0, fmt.Errorf("fleet: dates %q..%q: want YYYY-MM-DD, from not after to", from, to)
	}
	rows, err := conn.Query(ctx, `SELECT kiosk, seq, at, session_id, kind, detail_json, prev_hash, hash
		FROM fleet.audit_events WHERE at_ts >= $1 AND at_ts < $2 ORDER BY kiosk, seq`, f, t.AddDate(0, 0, 1))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"kiosk", "seq", "at", "session_id", "kind", "detail_json", "prev_hash", "hash"})
	var n int64
	for rows.Next() {
		var kiosk, at, kind, dj, ph, h string
		var seq int64
		var sid *int64
		if err := rows.Scan(&kiosk, &seq, &at, &sid, &kind, &dj, &ph, &h); err != nil {
			return n, err
		}
		s := ""
		if sid != nil {
			s = strconv.FormatInt(*sid, 10)
		}
		if err := cw.Write([]string{kiosk, strconv.FormatInt(seq, 10), at, s, kind, dj, ph, h}); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, cw.Error()
}
