package staff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/jpki-kiosk/kiosk/store"
)

// Bar is one bar of the dashboard's chart.
type Bar struct {
	Label string  // hour "09" or outcome code
	Count int     // sessions
	Frac  float32 // Count relative to the tallest bar, 0..1
}

// HourBars returns the bars of the sessions by hour for the hours from..to-1
// (local), the reception day; hours outside with sessions widen the range.
func HourBars(d store.Dashboard, from, to int) []Bar {
	for h, n := range d.ByHour {
		if n > 0 {
			from, to = min(from, h), max(to, h+1)
		}
	}
	var out []Bar
	top := 0
	for h := from; h < to; h++ {
		top = max(top, d.ByHour[h])
		out = append(out, Bar{Label: fmt.Sprintf("%02d", h), Count: d.ByHour[h]})
	}
	return scale(out, top)
}

// OutcomeBars returns one bar per outcome, in the store's order, plus the
// sessions still open.
func OutcomeBars(d store.Dashboard) []Bar {
	var out []Bar
	top := d.Open
	for _, o := range store.Outcomes {
		top = max(top, d.ByOutcome[o])
		out = append(out, Bar{Label: string(o), Count: d.ByOutcome[o]})
	}
	out = append(out, Bar{Label: "open", Count: d.Open})
	return scale(out, top)
}

func scale(bs []Bar, top int) []Bar {
	for i := range bs {
		if top > 0 {
			bs[i].Frac = float32(bs[i].Count) / float32(top)
		}
	}
	return bs
}

// ErrRange is an export date range that is malformed or reversed.
var ErrRange = errors.New("staff: bad date range")

// ExportCSV writes the audit events of the local dates from..to (inclusive)
// as CSV to a new file in dir, named audit-FROM_TO.csv, and returns its path
// and the number of events. The file appears complete or not at all.
func ExportCSV(ctx context.Context, s *store.Store, dir, from, to string) (string, int64, error) {
	f0, err1 := store.ParseDate(from)
	t0, err2 := store.ParseDate(to)
	if err1 != nil || err2 != nil || t0.Before(f0) {
		return "", 0, fmt.Errorf("%w: %s to %s", ErrRange, from, to)
	}
	return writeExport(dir, fmt.Sprintf("audit-%s_%s.csv", from, to), func(w io.Writer) (int64, error) {
		return s.Export(ctx, w, from, to, store.FormatCSV)
	})
}

// writeExport writes an export file name in dir through write: a temporary
// file beside it, synced, then renamed, so the file appears complete or not
// at all. It returns the path and what write counted.
func writeExport(dir, name string, write func(io.Writer) (int64, error)) (string, int64, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", 0, fmt.Errorf("export directory %q: not a directory", dir)
	}
	tmp, err := os.CreateTemp(dir, "."+name+"-*.tmp")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, err
	}
	return path, n, nil
}
