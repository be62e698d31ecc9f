package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jpki-kiosk/kiosk/store"
)

// The audit log commands: log verify (the hash chain), log export (events of
// a date range as CSV or JSON), log purge (retention).

// openStoreRO opens an existing database read-only: verify and export never
// create, migrate or write it.
func openStoreRO(asJSON bool, path string) (*store.Store, error) {
	return openStoreROKey(asJSON, path, store.Options{ReadOnly: true})
}

// openStoreROKey is openStoreRO with the audit key options (KeyPath, NoKey).
func openStoreROKey(asJSON bool, path string, opts store.Options) (*store.Store, error) {
	if path == "" {
		return nil, usagef("--db is required")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, refuse(asJSON, "NO_DATABASE", "no database at %s", path)
	}
	opts.ReadOnly = true
	s, err := store.Open(path, opts)
	if errors.Is(err, store.ErrKeyFile) {
		return nil, refuse(asJSON, "KEY_UNUSABLE", "%v", err)
	}
	if err != nil {
		return nil, refuse(asJSON, "DATABASE_ERROR", "%v", err)
	}
	return s, nil
}

// logVerifyOut is the JSON of log verify. When the chain is broken it is
// also the error object: ok false, error CHAIN_BROKEN, first_broken_seq.
type logVerifyOut struct {
	OK             bool   `json:"ok"`
	Events         int64  `json:"events"` // events verified (before the break)
	FirstSeq       int64  `json:"first_seq"`
	LastSeq        int64  `json:"last_seq"`
	Head           string `json:"head"` // hash of the last verified event
	CheckpointSeq  *int64 `json:"checkpoint_seq"`
	FirstBrokenSeq *int64 `json:"first_broken_seq,omitempty"`
	Problem        string `json:"problem,omitempty"`
	Error          string `json:"error,omitempty"`
	Message        string `json:"message,omitempty"`
	// The audit key, the bound rows and the sessions (docs/SECURITY.md):
	// fields added to the DESIGN §6 output.
	store.Integrity
	KeyFile string `json:"key_file,omitempty"`
}

func runLogVerify(e *env, args []string) error {
	fs := newFlags(e, "log verify")
	db := fs.String("db", "", "database file")
	expect := fs.String("expect", "", "SEQ:HASH of a head recorded earlier (e.g. in the daily report); the trail must still hold it")
	keyPath := fs.String("key", "", "the kiosk's audit key file (default: DB.key beside the database)")
	noKey := fs.Bool("no-key", false, "check the chain's continuity only, without the key (proves nothing against whoever can write the file)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var expSeq int64
	var expHash string
	if *expect != "" {
		seqText, h, ok := strings.Cut(*expect, ":")
		n, err := strconv.ParseInt(seqText, 10, 64)
		if !ok || err != nil || n < 1 || len(h) != 64 || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
			return usagef("--expect must be SEQ:HASH (a seq and a 64-digit hex hash), not %q", *expect)
		}
		expSeq, expHash = n, strings.ToLower(h)
	}
	if *noKey && *keyPath != "" {
		return usagef("--key and --no-key exclude each other")
	}
	s, err := openStoreROKey(*asJSON, *db, store.Options{KeyPath: *keyPath, NoKey: *noKey})
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := s.Verify(context.Background())
	if err != nil {
		return refuse(*asJSON, "DATABASE_ERROR", "%v", err)
	}
	if r.KeyMissing && !*noKey {
		return refuse(*asJSON, "KEY_MISSING",
			"the audit trail is keyed from event %d but there is no key at %s: give --key (the kiosk's key file), or --no-key to check its continuity only",
			r.KeyedFromSeq, s.KeyPath())
	}
	out := logVerifyOut{OK: r.OK, Events: r.Events, FirstSeq: r.FirstSeq, LastSeq: r.LastSeq, Head: r.Head, Integrity: r.Integrity}
	if r.Keyed {
		out.KeyFile = s.KeyPath()
	}
	if r.Checkpoint != nil {
		out.CheckpointSeq = &r.Checkpoint.Seq
	}
	if r.OK && *expect != "" {
		if msg := checkExpectedHead(s, r, expSeq, expHash); msg != "" {
			r.OK, r.FirstBrokenSeq, r.Problem = false, expSeq, msg
		}
	}
	if !r.OK && r.FirstBrokenSeq == 0 {
		// The chain holds but rows or sessions do not match it.
		msg := "audit records tampered: " + r.Problem
		if *asJSON {
			out.Problem, out.Error, out.Message = r.Problem, "RECORDS_TAMPERED", msg
			writeJSON(e.stdout, out)
		} else {
			fmt.Fprintf(e.stdout, "TAMPERED: %d events verified, but:\n", r.Events)
			for _, p := range r.RowProblems {
				fmt.Fprintf(e.stdout, "  %s\n", p)
			}
			if r.SessionsWithoutEvents > 0 {
				fmt.Fprintf(e.stdout, "  %d sessions have no events: %v\n", r.SessionsWithoutEvents, r.SessionsWithoutEventsList)
			}
			fmt.Fprintf(e.stdout, "head: %s\n", r.Head)
		}
		return &refusal{Code: "RECORDS_TAMPERED", Message: msg}
	}
	if !r.OK {
		msg := fmt.Sprintf("audit chain broken at event %d: %s", r.FirstBrokenSeq, r.Problem)
		if !*asJSON {
			// The count and head an outside record can be compared with.
			fmt.Fprintf(e.stdout, "BROKEN: %d events verified before seq %d\nhead: %s\n", r.Events, r.FirstBrokenSeq, r.Head)
		}
		if *asJSON {
			out.FirstBrokenSeq, out.Problem = &r.FirstBrokenSeq, r.Problem
			out.Error, out.Message = "CHAIN_BROKEN", msg
			writeJSON(e.stdout, out)
		}
		// The JSON object above is the error object; the refusal adds the
		// one-line reason on standard error and exit code 1.
		return &refusal{Code: "CHAIN_BROKEN", Message: msg}
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "ok: %d events verified", r.Events)
	if r.Events > 0 {
		fmt.Fprintf(e.stdout, " (seq %d to %d)", r.FirstSeq, r.LastSeq)
	}
	if r.Checkpoint != nil {
		fmt.Fprintf(e.stdout, ", from the retention checkpoint at seq %d (cutoff %s)", r.Checkpoint.Seq, r.Checkpoint.Cutoff)
	}
	switch {
	case r.Keyed && r.KeyedFromSeq != 0:
		fmt.Fprintf(e.stdout, "\nkeyed: from seq %d, key %s (%s)", r.KeyedFromSeq, r.KeyID, s.KeyPath())
	case r.KeyedFromSeq != 0:
		fmt.Fprintf(e.stdout, "\nNOT KEYED: continuity only (--no-key); the trail is keyed from seq %d", r.KeyedFromSeq)
	case r.Events > 0:
		fmt.Fprintf(e.stdout, "\nNOT KEYED: no event carries a mac (a database the kiosk has not opened since the audit key came)")
	}
	fmt.Fprintf(e.stdout, "\nrows: %d staff, ticket and approval rows match their events; sessions without events: %d", r.RowsChecked, r.SessionsWithoutEvents)
	fmt.Fprintf(e.stdout, "\nhead: %s\n", r.Head)
	return nil
}

// checkExpectedHead says why the verified trail r no longer holds the
// recorded head seq:hash ("" when it does).
func checkExpectedHead(s *store.Store, r store.VerifyResult, seq int64, hash string) string {
	if r.Checkpoint != nil && seq <= r.Checkpoint.Seq {
		if seq == r.Checkpoint.Seq && r.Checkpoint.Hash == hash {
			return ""
		}
		if seq == r.Checkpoint.Seq {
			return fmt.Sprintf("the recorded head %d differs from the retention checkpoint", seq)
		}
		return fmt.Sprintf("the recorded head %d was purged (checkpoint at %d); it cannot be checked", seq, r.Checkpoint.Seq)
	}
	if seq > r.LastSeq {
		return fmt.Sprintf("the trail ends at %d, before the recorded head %d: events were removed", r.LastSeq, seq)
	}
	h, err := s.EventHash(context.Background(), seq)
	if err != nil {
		return fmt.Sprintf("the recorded head %d is missing: %v", seq, err)
	}
	if h != hash {
		return fmt.Sprintf("event %d has hash %s, not the recorded %s: the trail was rewritten", seq, h, hash)
	}
	return ""
}

// logExportOut is the JSON summary of log export --out.
type logExportOut struct {
	Events int64  `json:"events"`
	From   string `json:"from"`
	To     string `json:"to"`
	Format string `json:"format"`
	Out    string `json:"out"`
}

func runLogExport(e *env, args []string) error {
	fs := newFlags(e, "log export")
	db := fs.String("db", "", "database file")
	from := fs.String("from", "", "first date, YYYY-MM-DD (Asia/Tokyo)")
	to := fs.String("to", "", "last date, YYYY-MM-DD, inclusive")
	format := fs.String("format", store.FormatCSV, "csv or json")
	outPath := fs.String("out", "", "write to this file instead of standard output")
	force := fs.Bool("force", false, "with --out: replace an existing file (never the database itself)")
	asJSON := fs.Bool("json", false, "JSON summary and error objects")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required (YYYY-MM-DD)")
	}
	f, err1 := store.ParseDate(*from)
	t, err2 := store.ParseDate(*to)
	switch {
	case err1 != nil || err2 != nil:
		return usagef("dates must be YYYY-MM-DD: --from %q --to %q", *from, *to)
	case t.Before(f):
		return usagef("--to %s is before --from %s", *to, *from)
	case *format != store.FormatCSV && *format != store.FormatJSON:
		return usagef("--format must be csv or json, not %q", *format)
	}
	if *outPath != "" {
		if err := checkExportTarget(*asJSON, *db, *outPath, *force); err != nil {
			return err
		}
	}
	s, err := openStoreRO(*asJSON, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	if *outPath == "" {
		if _, err := s.Export(ctx, e.stdout, *from, *to, *format); err != nil {
			return refuse(*asJSON, "EXPORT_FAILED", "%v", err)
		}
		return nil
	}
	n, err := writeExportFile(*outPath, func(w io.Writer) (int64, error) { return s.Export(ctx, w, *from, *to, *format) })
	if err != nil {
		return refuse(*asJSON, "EXPORT_FAILED", "%v", err)
	}
	if *asJSON {
		writeJSON(e.stdout, logExportOut{Events: n, From: *from, To: *to, Format: *format, Out: *outPath})
	} else {
		fmt.Fprintf(e.stdout, "exported %d events (%s to %s) to %s\n", n, *from, *to, *outPath)
	}
	return nil
}

// writeExportFile writes an export through write to a temporary file beside
// path, synced, then renamed: a failed export never leaves a partial file
// under the requested name. Check the target first (checkExportTarget).
func writeExportFile(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kioskctl-export-*")
	if err != nil {
		return 0, err
	}
	n, err := write(tmp)
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return 0, err
	}
	return n, nil
}

// checkExportTarget refuses an export file that would destroy data: the
// database itself or one of SQLite's files beside it (-wal, -shm, -journal),
// under any name that leads to them (a link, a relative path), and any
// existing file unless force is set. db "" protects no database (an export
// from the central database), only existing files.
func checkExportTarget(asJSON bool, db, out string, force bool) error {
	outFI, outErr := os.Stat(out)
	if db != "" {
		if protected, err := databaseFile(db, out, outFI, outErr); err != nil {
			return refuse(asJSON, "EXPORT_REFUSED", "%v", err)
		} else if protected != "" {
			return refuse(asJSON, "EXPORT_REFUSED", "--out %s is the database or one of its files (%s): refusing to overwrite the audit trail", out, protected)
		}
	}
	switch {
	case outErr == nil && outFI.IsDir():
		return refuse(asJSON, "EXPORT_REFUSED", "--out %s is a directory", out)
	case outErr == nil && !force:
		return refuse(asJSON, "EXPORT_REFUSED", "--out %s exists: choose a new file, or add --force to replace it", out)
	}
	return nil
}

// databaseFile names the file of database db (itself, -wal, -shm or
// -journal) that out leads to, by resolved path or as the same file; ""
// when none.
func databaseFile(db, out string, outFI os.FileInfo, outErr error) (string, error) {
	dbAbs, err1 := filepath.Abs(db)
	outAbs, err2 := filepath.Abs(out)
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("cannot resolve %s or %s", db, out)
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(outAbs)); err == nil {
		outAbs = filepath.Join(r, filepath.Base(outAbs))
	}
	if r, err := filepath.EvalSymlinks(dbAbs); err == nil {
		dbAbs = r
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		protected := dbAbs + suffix
		if outAbs == protected {
			return filepath.Base(protected), nil
		}
		if outErr == nil {
			if fi, err := os.Stat(protected); err == nil && os.SameFile(fi, outFI) {
				return filepath.Base(protected), nil
			}
		}
	}
	return "", nil
}

func runLogPurge(e *env, args []string) error {
	fs := newFlags(e, "log purge")
	db := fs.String("db", "", "database file")
	staffID := fs.String("staff", "", "supervisor or admin doing the purge (password on standard input)")
	prof := fs.String("profile", "", "municipality profile whose retention applies (default: the kiosk's stored setting)")
	days := fs.Int("days", 0, "keep this many days (at least the profile's retention_days; default exactly that)")
	keyPath := fs.String("key", "", "the kiosk's audit key file (default: DB.key beside the database)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	daysSet := false
	fs.Visit(func(f *flag.Flag) { daysSet = daysSet || f.Name == "days" })
	switch {
	case *db == "":
		return usagef("--db is required")
	case daysSet && *days < 1:
		return usagef("--days must be at least 1")
	case *staffID == "":
		return usagef("--staff is required: a supervisor signs for a purge (password on standard input)")
	}
	if _, err := os.Stat(*db); err != nil {
		return refuse(*asJSON, "NO_DATABASE", "no database at %s", *db)
	}
	pw, err := readPassword(e, *asJSON)
	if err != nil {
		return err
	}
	defer wipe(pw)
	s, err := store.Open(*db, store.Options{KeyPath: *keyPath})
	if err != nil {
		code := "DATABASE_ERROR"
		if errors.Is(err, store.ErrKeyMissing) || errors.Is(err, store.ErrKeyFile) {
			code = "KEY_MISSING"
		}
		return refuse(*asJSON, code, "%v", err)
	}
	defer s.Close()
	ctx := context.Background()
	st, err := s.SignIn(ctx, *staffID, pw)
	if err != nil {
		return refuse(*asJSON, "NOT_AUTHORIZED", "sign-in of %s failed: %v", *staffID, err)
	}
	if !st.Role.AtLeast(store.RoleSupervisor) {
		return refuse(*asJSON, "NOT_AUTHORIZED", "%s is %s: a purge needs a supervisor or admin", st.ID, st.Role)
	}
	keep, err := retentionFloor(ctx, s, *prof, *asJSON)
	if err != nil {
		return err
	}
	if *days == 0 {
		*days = keep
	}
	if *days < keep {
		return refuse(*asJSON, "RETENTION_TOO_SHORT", "--days %d is below the retention of %d days: records younger than that are never purged", *days, keep)
	}
	r, err := s.PurgeBy(ctx, *days, st.ID)
	if err != nil {
		return refuse(*asJSON, "PURGE_FAILED", "%v", err)
	}
	if *asJSON {
		writeJSON(e.stdout, r)
		return nil
	}
	fmt.Fprintf(e.stdout, "purged before %s by %s: %d events, %d sessions, %d tickets, %d proxy cases\n",
		r.Cutoff, st.ID, r.Events, r.Sessions, r.Tickets, r.ProxyCases)
	return nil
}

// retentionFloor is the fewest days a purge must keep: the profile's
// retention_days (--profile, else the profile stored in the kiosk's
// settings), or the stored retention setting where that is longer.
func retentionFloor(ctx context.Context, s *store.Store, prof string, asJSON bool) (int, error) {
	if prof == "" {
		v, err := s.GetSetting(ctx, store.SettingProfile)
		if err != nil || v == "" {
			return 0, refuse(asJSON, "NO_PROFILE", "the database names no profile: give --profile")
		}
		prof = v
	}
	p, err := loadProfileArg(prof, asJSON)
	if err != nil {
		return 0, err
	}
	keep := p.RetentionDays
	if v, err := s.GetSetting(ctx, store.SettingRetentionDays); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n > keep {
			keep = n
		}
	}
	return keep, nil
}
