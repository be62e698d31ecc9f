package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// ExportColumns are the CSV header, in order; the JSON objects use the same
// names, with detail_json embedded as the object "detail".
var ExportColumns = []string{"seq", "at", "session_id", "kind", "detail_json", "prev_hash", "hash"}

type exportRow struct {
	Seq       int64           `json:"seq"`
	At        string          `json:"at"`
	SessionID *int64          `json:"session_id"`
	Kind      string          `json:"kind"`
	Detail    json.RawMessage `json:"detail"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// Export writes the audit events of the local dates from..to (YYYY-MM-DD,
// inclusive, Asia/Tokyo) to w in seq order, as CSV with a header row or as
// one JSON array, and returns how many it wrote. Rows carry prev_hash and
// hash, so an export of a contiguous range can be checked on its own.
func (s *Store) Export(ctx context.Context, w io.Writer, from, to, format string) (int64, error) {
	if format != FormatCSV && format != FormatJSON {
		return 0, fmt.Errorf("%w: format %q (want csv or json)", ErrInvalid, format)
	}
	lo, hi, err := dayRange(from, to)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var n int64
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, session_id, kind, detail_json, prev_hash, hash
			FROM audit_events WHERE at >= ? AND at < ? ORDER BY seq`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		var cw *csv.Writer
		var enc *json.Encoder
		var buf bytes.Buffer
		if format == FormatCSV {
			cw = csv.NewWriter(bw)
			if err := cw.Write(ExportColumns); err != nil {
				return err
			}
		} else {
			enc = json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			bw.WriteString("[")
		}
		rec := make([]string, len(ExportColumns))
		for rows.Next() {
			var r exportRow
			var sid sql.NullInt64
			var dj string
			if err := rows.Scan(&r.Seq, &r.At, &sid, &r.Kind, &dj, &r.PrevHash, &r.Hash); err != nil {
				return err
			}
			if cw != nil {
				rec[0], rec[1], rec[2], rec[3] = strconv.FormatInt(r.Seq, 10), r.At, "", r.Kind
				if sid.Valid {
					rec[2] = strconv.FormatInt(sid.Int64, 10)
				}
				rec[4], rec[5], rec[6] = dj, r.PrevHash, r.Hash
				if err := cw.Write(rec); err != nil {
					return err
				}
			} else {
				if sid.Valid {
					r.SessionID = &sid.Int64
				}
				r.Detail = json.RawMessage(dj)
				if n > 0 {
					bw.WriteString(",")
				}
				bw.WriteString("\n")
				buf.Reset()
				if err := enc.Encode(r); err != nil {
					return err
				}
				bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if cw != nil {
			cw.Flush()
			return cw.Error()
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		_, err = bw.WriteString("]\n")
		return err
	})
	if err != nil {
		return n, fmt.Errorf("exporting events: %w", err)
	}
	return n, bw.Flush()
}
