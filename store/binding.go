package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Row bindings: every event that creates or changes a staff, ticket or
// approval row carries "bind" (which row: staff/<id>, ticket/<id>,
// approval/<ticket id>) and "row_hash" (RowContentHash of the row's
// security-relevant columns after the change). The event is keyed, so the
// row cannot be changed by SQL without the change showing: Verify compares
// every row with its latest binding event, and the places that trust a row
// (CheckApproval before a card is written, SignIn and the re-check of every
// staff action) refuse one that differs (ErrTampered).

// ErrTampered is a staff, ticket or approval row that differs from what its
// latest audit event recorded: it was changed outside the kiosk.
var ErrTampered = errors.New("store: record changed outside the kiosk (it differs from its audit event)")

// boundTable is a table whose rows are bound to the trail. all selects
// every row, the key first; the other columns are what the binding covers.
type boundTable struct {
	name, prefix, all, key string
}

var boundTables = []boundTable{
	// Role, enabled and the password hash: a clerk made admin, a disabled
	// account re-enabled or a password hash replaced is caught. Sign-in
	// counters (failed_count, locked_until, last_login_at) are not bound.
	{"staff", "staff/", `SELECT id, role, disabled, password_hash FROM staff`, "id"},
	// Not session_id: the purge of an old session sets it to NULL (ON
	// DELETE SET NULL) without an event.
	{"tickets", "ticket/", `SELECT id, date, number, status, certificates, purpose, route, fee_yen, reasons, staff_id FROM tickets`, "id"},
	{"approvals", "approval/", `SELECT ticket_id, id, card_ref, staff_id, decision, reason, documents, at FROM approvals`, "ticket_id"},
}

func boundTableNamed(name string) boundTable {
	for _, b := range boundTables {
		if b.name == name {
			return b
		}
	}
	panic("store: no bound table " + name)
}

// RowContentHash is the row_hash of a bound row: hex(SHA-256) of the
// netstrings of the table name and each column as text ("" for NULL), in
// the order of the table's binding (docs/SECURITY.md).
func RowContentHash(table string, cols []string) string {
	h := sha256.New()
	netstring(h, table)
	for _, c := range cols {
		netstring(h, c)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// scanBound reads one row of a bound table: its key and row hash.
func scanBound(b boundTable, sc interface{ Scan(...any) error }, n int) (string, string, error) {
	vals := make([]sql.NullString, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := sc.Scan(ptrs...); err != nil {
		return "", "", err
	}
	cols := make([]string, n)
	for i, v := range vals {
		cols[i] = v.String
	}
	return cols[0], RowContentHash(b.name, cols), nil
}

func columnCount(q string) int {
	sel, _, _ := strings.Cut(strings.TrimPrefix(q, "SELECT "), " FROM ")
	return strings.Count(sel, ",") + 1
}

// rowHashTx is the row hash of one bound row; ErrNotFound when absent.
func rowHashTx(ctx context.Context, q queryer, table, key string) (string, error) {
	b := boundTableNamed(table)
	_, h, err := scanBound(b, q.QueryRowContext(ctx, b.all+` WHERE `+b.key+` = ?`, key), columnCount(b.all))
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %s %s", ErrNotFound, table, key)
	}
	return h, err
}

// bind adds to d the binding of the row as it is now in tx.
func bind(ctx context.Context, tx *sql.Tx, d Detail, table, key string) error {
	h, err := rowHashTx(ctx, tx, table, key)
	if err != nil {
		return err
	}
	d["bind"], d["row_hash"] = boundTableNamed(table).prefix+key, h
	return nil
}

func idKey(id int64) string { return strconv.FormatInt(id, 10) }

// checkBound refuses (ErrTampered) a row that differs from its latest
// binding event, or whose binding event is not genuine (its hash does not
// match its content, or, with the key, its mac does not match).
func (s *Store) checkBound(ctx context.Context, q queryer, table, key string) error {
	if !s.hasMAC {
		return nil // a database of before the key: nothing is bound yet
	}
	b := boundTableNamed(table)
	var e eventRow
	err := e.scan(q.QueryRowContext(ctx, `SELECT `+eventRowCols+`, mac FROM audit_events
		WHERE json_extract(detail_json, '$.bind') = ? ORDER BY seq DESC LIMIT 1`, b.prefix+key))
	if errors.Is(err, sql.ErrNoRows) {
		if keyed, err := trailKeyed(ctx, q); err != nil || !keyed {
			return err // an unkeyed trail of before the key binds nothing
		}
		return fmt.Errorf("%w: %s %s has no audit event", ErrTampered, table, key)
	}
	if err != nil {
		return err
	}
	if !e.hashOK() || (s.key != nil && !(e.mac.Valid && macOK(s.key, e.h, e.mac.String))) {
		return fmt.Errorf("%w: the audit event %d of %s %s is not genuine", ErrTampered, e.seq, table, key)
	}
	want := rowHashOf(e.dj)
	got, err := rowHashTx(ctx, q, table, key)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: %s %s differs from its audit event %d", ErrTampered, table, key, e.seq)
	}
	return nil
}

// bindOf and rowHashOf read the binding of an event detail (stored JSON);
// "" when it has none. They look for the keys without a full JSON decode
// when the detail cannot hold them.
func bindOf(dj string) (string, string) {
	if !strings.Contains(dj, `"bind":`) {
		return "", ""
	}
	var d struct {
		Bind    string `json:"bind"`
		RowHash string `json:"row_hash"`
	}
	if json.Unmarshal([]byte(dj), &d) != nil {
		return "", ""
	}
	return d.Bind, d.RowHash
}

func rowHashOf(dj string) string { _, h := bindOf(dj); return h }

// bindUnboundTx appends a row_bound event for every bound row that no
// event in the trail binds: the rows of a database of before the key, once,
// when it is keyed. (A purge carries bindings over with carryBindingsTx
// instead, so that it never vouches for a row added by SQL.)
func (s *Store) bindUnboundTx(ctx context.Context, tx *sql.Tx) error {
	for _, b := range boundTables {
		var missing []string
		err := func() error {
			rows, err := tx.QueryContext(ctx, `SELECT CAST(`+b.key+` AS TEXT) FROM `+b.name+` t
				WHERE NOT EXISTS (SELECT 1 FROM audit_events WHERE json_extract(detail_json, '$.bind') = ? || CAST(t.`+b.key+` AS TEXT))
				ORDER BY `+b.key, b.prefix)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					return err
				}
				missing = append(missing, k)
			}
			return rows.Err()
		}()
		if err != nil {
			return fmt.Errorf("binding %s: %w", b.name, err)
		}
		for _, k := range missing {
			d := Detail{"table": b.name}
			if err := bind(ctx, tx, d, b.name, k); err != nil {
				return err
			}
			if err := s.appendDetail(ctx, tx, 0, KindRowBound, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastBindingsUpTo returns, for each row whose latest binding event is at
// or before seq (so a purge up to seq removes it), the row hash that event
// recorded.
func lastBindingsUpTo(ctx context.Context, tx *sql.Tx, seq int64) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.detail_json FROM audit_events e
		WHERE json_extract(e.detail_json, '$.bind') IS NOT NULL AND e.seq <= ?
		AND e.seq = (SELECT MAX(x.seq) FROM audit_events x WHERE json_extract(x.detail_json, '$.bind') = json_extract(e.detail_json, '$.bind'))`, seq)
	if err != nil {
		return nil, fmt.Errorf("reading bindings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var dj string
		if err := rows.Scan(&dj); err != nil {
			return nil, err
		}
		if b, h := bindOf(dj); b != "" {
			out[b] = h
		}
	}
	return out, rows.Err()
}

// carryBindingsTx binds again, with a row_bound event, each row a purge
// took the last binding event of — only if the row still exists and still
// matches that event, so that a row changed or added by SQL stays unbound
// (and reported) rather than vouched for.
func (s *Store) carryBindingsTx(ctx context.Context, tx *sql.Tx, carried map[string]string) error {
	binds := make([]string, 0, len(carried))
	for b := range carried {
		binds = append(binds, b)
	}
	slices.Sort(binds)
	for _, b := range binds {
		for _, t := range boundTables {
			key, ok := strings.CutPrefix(b, t.prefix)
			if !ok {
				continue
			}
			h, err := rowHashTx(ctx, tx, t.name, key)
			if errors.Is(err, ErrNotFound) || (err == nil && h != carried[b]) {
				break // purged with it, or changed outside the kiosk
			}
			if err != nil {
				return err
			}
			if err := s.appendDetail(ctx, tx, 0, KindRowBound, Detail{"table": t.name, "bind": b, "row_hash": h}); err != nil {
				return err
			}
		}
	}
	return nil
}
