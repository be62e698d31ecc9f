package store

import (
	"context"
	"database/sql"
	"fmt"
)

// PurgeResult says what Purge removed.
type PurgeResult struct {
	Cutoff     string      `json:"cutoff"` // first local date kept
	Events     int64       `json:"events"`
	Sessions   int64       `json:"sessions"`
	Tickets    int64       `json:"tickets"` // with their approvals
	ProxyCases int64       `json:"proxy_cases"`
	Checkpoint *Checkpoint `json:"checkpoint"` // nil when no event was purged
}

// Purge deletes what is older than retentionDays local days (the profile's
// retention): audit events (a prefix of the chain), sessions, tickets with
// their approvals, and closed proxy cases. Open proxy cases are kept. To
// keep the chain verifiable it records a checkpoint (seq and hash of the
// last purged event) and appends a retention_purge event naming it; all in
// one transaction. Deleted rows are zeroed (secure_delete) and the WAL is
// checkpointed so purged data does not linger in the files.
func (s *Store) Purge(ctx context.Context, retentionDays int) (PurgeResult, error) {
	return s.PurgeBy(ctx, retentionDays, "")
}

// PurgeBy is Purge on behalf of a staff member (a supervisor or admin,
// re-checked in the transaction), recorded in the retention_purge event;
// by "" is the kiosk's own daily purge at the profile's retention.
func (s *Store) PurgeBy(ctx context.Context, retentionDays int, by string) (PurgeResult, error) {
	if retentionDays < 1 {
		return PurgeResult{}, fmt.Errorf("%w: retention of %d days", ErrInvalid, retentionDays)
	}
	now := s.Now()
	cutoff := now.AddDate(0, 0, -retentionDays).Format(dateLayout)
	r := PurgeResult{Cutoff: cutoff}
	who := "retention"
	if by != "" {
		who = by
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkBy(ctx, tx, by, RoleSupervisor, ""); err != nil {
			return err
		}
		// The purged events are the prefix before the first event at or after
		// the cutoff (seq order rules even if the clock once went back).
		var upto sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(
			(SELECT MIN(seq) - 1 FROM audit_events WHERE at >= ?),
			(SELECT MAX(seq) FROM audit_events))`, cutoff).Scan(&upto)
		if err != nil {
			return err
		}
		var first sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_events`).Scan(&first); err != nil {
			return err
		}
		d := Detail{"cutoff": cutoff, "retention_days": retentionDays, "by": who}
		var carried map[string]string // bindings whose last event is purged
		if upto.Valid && first.Valid && upto.Int64 >= first.Int64 {
			cp := Checkpoint{Seq: upto.Int64, At: now, Cutoff: cutoff, PurgedEvents: upto.Int64 - first.Int64 + 1}
			if err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = ?`, cp.Seq).Scan(&cp.Hash); err != nil {
				return fmt.Errorf("reading checkpoint event: %w", err)
			}
			if carried, err = lastBindingsUpTo(ctx, tx, cp.Seq); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE purge_gate SET upto_seq = ? WHERE id = 1`, cp.Seq); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (seq, hash, at, cutoff, purged_events) VALUES (?,?,?,?,?)`,
				cp.Seq, cp.Hash, ts(now), cutoff, cp.PurgedEvents); err != nil {
				return fmt.Errorf("recording checkpoint: %w", err)
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM audit_events WHERE seq <= ?`, cp.Seq)
			if err != nil {
				return fmt.Errorf("purging events: %w", err)
			}
			r.Events, _ = res.RowsAffected()
			if _, err := tx.ExecContext(ctx, `UPDATE purge_gate SET upto_seq = 0 WHERE id = 1`); err != nil {
				return err
			}
			r.Checkpoint = &cp
			// The purged range and the head at the cut: the first event kept
			// links to checkpoint_hash, and this keyed event is what makes
			// the checkpoint (and so the deletion) genuine.
			d["checkpoint_seq"], d["checkpoint_hash"], d["purged_from_seq"] = cp.Seq, cp.Hash, first.Int64
		}
		for _, p := range []struct {
			n *int64
			q string
		}{
			{&r.Tickets, `DELETE FROM tickets WHERE date < ?`},
			{&r.ProxyCases, `DELETE FROM proxy_cases WHERE state IN ('completed','cancelled') AND updated_at < ?`},
			{&r.Sessions, `DELETE FROM sessions WHERE started_at < ?`},
		} {
			res, err := tx.ExecContext(ctx, p.q, cutoff)
			if err != nil {
				return fmt.Errorf("purging: %w", err)
			}
			*p.n, _ = res.RowsAffected()
		}
		d["events"], d["sessions"], d["tickets"], d["proxy_cases"] = r.Events, r.Sessions, r.Tickets, r.ProxyCases
		if err := s.appendDetail(ctx, tx, 0, KindRetentionPurge, d); err != nil {
			return err
		}
		// Staff rows outlive their events: bind again those whose last
		// binding event was purged.
		return s.carryBindingsTx(ctx, tx, carried)
	})
	if err != nil {
		return PurgeResult{}, err
	}
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return r, nil
}
