package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/jpki-kiosk/kiosk/store"
)

// The staff account commands: staff add, passwd, list, disable, enable.
// Passwords come from standard input, one line, never from arguments (which
// other users can see and shells record); they are wiped after hashing.

// staffArgon overrides the password hash parameters (tests only).
var staffArgon *store.Argon2Params

// maxPasswordLine bounds the line read as a password.
const maxPasswordLine = store.MaxPasswordLen + 2

// staffOut is one account in the JSON of staff add/passwd/list.
type staffOut struct {
	ID          string  `json:"id"`
	Role        string  `json:"role"`
	Disabled    bool    `json:"disabled"`
	LockedUntil *string `json:"locked_until"` // Asia/Tokyo, while locked
	LastSignIn  *string `json:"last_sign_in"`
	CreatedAt   string  `json:"created_at"`
}

const staffTimeLayout = "2006-01-02T15:04"

func staffJSON(st store.Staff, now time.Time) staffOut {
	o := staffOut{ID: st.ID, Role: string(st.Role), Disabled: st.Disabled, CreatedAt: st.CreatedAt.Format(staffTimeLayout)}
	if st.Locked(now) {
		v := st.LockedUntil.Format(staffTimeLayout)
		o.LockedUntil = &v
	}
	if !st.LastSignIn.IsZero() {
		v := st.LastSignIn.Format(staffTimeLayout)
		o.LastSignIn = &v
	}
	return o
}

// staffFlags are the flags every staff command shares.
type staffFlags struct {
	fs     *flag.FlagSet
	db     *string
	id     *string // nil for staff list
	asJSON *bool
}

func newStaffFlags(e *env, name string, withID bool) *staffFlags {
	fs := newFlags(e, name)
	f := &staffFlags{fs: fs, db: fs.String("db", "", "database file"), asJSON: fs.Bool("json", false, "print JSON")}
	if withID {
		f.id = fs.String("id", "", "staff ID (lower-case letters and digits, starting with a letter)")
	}
	return f
}

// parse parses args and checks --db and --id.
func (f *staffFlags) parse(args []string) error {
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	if *f.db == "" {
		return usagef("--db is required")
	}
	if f.id != nil {
		if *f.id == "" {
			return usagef("--id is required")
		}
		if err := store.CheckStaffID(*f.id); err != nil {
			return usagef("--id %q: lower-case letters, digits, '.', '_' or '-', starting with a letter, at most 32", *f.id)
		}
	}
	return nil
}

// openStoreRW opens (creating if needed) the database for a staff change.
func openStoreRW(asJSON bool, path string) (*store.Store, error) {
	s, err := store.Open(path, store.Options{Argon2: staffArgon})
	if err != nil {
		return nil, refuse(asJSON, "DATABASE_ERROR", "%v", err)
	}
	return s, nil
}

// readPassword reads one line from standard input; the caller wipes it.
func readPassword(e *env, asJSON bool) ([]byte, error) {
	r := bufio.NewReaderSize(e.stdin, maxPasswordLine+1)
	line, err := r.ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		wipe(line)
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, refuse(asJSON, "WEAK_PASSWORD", "password longer than %d bytes", store.MaxPasswordLen)
		}
		return nil, refuse(asJSON, "NO_PASSWORD", "reading the password from standard input: %v", err)
	}
	// Only the line ending goes ("\n" or "\r\n"); a "\r" or any other
	// control character inside the line is kept, so the store refuses it
	// rather than silently setting a different password.
	end := len(line)
	if end > 0 && line[end-1] == '\n' {
		end--
		if end > 0 && line[end-1] == '\r' {
			end--
		}
	}
	pw := append(make([]byte, 0, end), line[:end]...)
	wipe(line)
	if len(pw) == 0 {
		return nil, refuse(asJSON, "NO_PASSWORD", "give the password on standard input, one line")
	}
	return pw, nil
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// staffRefusal maps store errors to the contract's codes.
func staffRefusal(asJSON bool, id string, err error) error {
	switch {
	case errors.Is(err, store.ErrWeakPassword):
		return refuse(asJSON, "WEAK_PASSWORD", "%v: a password is %d to %d characters without control characters, not a repeated character or a sequence, not containing the staff ID, not a well-known password", err, store.MinPasswordLen, store.MaxPasswordLen)
	case errors.Is(err, store.ErrConflict):
		return refuse(asJSON, "STAFF_EXISTS", "staff %s already exists", id)
	case errors.Is(err, store.ErrNotFound):
		return refuse(asJSON, "STAFF_NOT_FOUND", "no staff %s", id)
	}
	return refuse(asJSON, "DATABASE_ERROR", "%v", err)
}

func runStaffAdd(e *env, args []string) error {
	f := newStaffFlags(e, "staff add", true)
	role := f.fs.String("role", string(store.RoleClerk), "clerk, supervisor or admin")
	if err := f.parse(args); err != nil {
		return err
	}
	r, err := store.ParseRole(*role)
	if err != nil {
		return usagef("--role must be clerk, supervisor or admin, not %q", *role)
	}
	pw, err := readPassword(e, *f.asJSON)
	if err != nil {
		return err
	}
	defer wipe(pw)
	s, err := openStoreRW(*f.asJSON, *f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.AddStaff(context.Background(), *f.id, r, pw, ""); err != nil {
		return staffRefusal(*f.asJSON, *f.id, err)
	}
	return printStaffMember(e, s, *f.id, *f.asJSON, "added")
}

func runStaffPasswd(e *env, args []string) error {
	f := newStaffFlags(e, "staff passwd", true)
	if err := f.parse(args); err != nil {
		return err
	}
	pw, err := readPassword(e, *f.asJSON)
	if err != nil {
		return err
	}
	defer wipe(pw)
	s, err := openExisting(*f.asJSON, *f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetPassword(context.Background(), *f.id, pw, ""); err != nil {
		return staffRefusal(*f.asJSON, *f.id, err)
	}
	return printStaffMember(e, s, *f.id, *f.asJSON, "password set for")
}

func runStaffDisable(e *env, args []string) error {
	return staffToggle(e, args, "staff disable", false)
}

func runStaffEnable(e *env, args []string) error { return staffToggle(e, args, "staff enable", true) }

func staffToggle(e *env, args []string, name string, enable bool) error {
	f := newStaffFlags(e, name, true)
	if err := f.parse(args); err != nil {
		return err
	}
	s, err := openExisting(*f.asJSON, *f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	op, verb := s.DisableStaff, "disabled"
	if enable {
		op, verb = s.EnableStaff, "enabled"
	}
	if err := op(context.Background(), *f.id, ""); err != nil {
		return staffRefusal(*f.asJSON, *f.id, err)
	}
	return printStaffMember(e, s, *f.id, *f.asJSON, verb)
}

// openExisting opens an existing database for writing.
func openExisting(asJSON bool, path string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, refuse(asJSON, "NO_DATABASE", "no database at %s", path)
	}
	return openStoreRW(asJSON, path)
}

func printStaffMember(e *env, s *store.Store, id string, asJSON bool, verb string) error {
	st, err := s.StaffMember(context.Background(), id)
	if err != nil {
		return staffRefusal(asJSON, id, err)
	}
	if asJSON {
		writeJSON(e.stdout, staffJSON(st, s.Now()))
		return nil
	}
	fmt.Fprintf(e.stdout, "%s staff %s (%s)\n", verb, st.ID, st.Role)
	return nil
}

func runStaffList(e *env, args []string) error {
	f := newStaffFlags(e, "staff list", false)
	if err := f.parse(args); err != nil {
		return err
	}
	s, err := openStoreRO(*f.asJSON, *f.db)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.ListStaff(context.Background())
	if err != nil {
		return refuse(*f.asJSON, "DATABASE_ERROR", "%v", err)
	}
	now := s.Now()
	out := make([]staffOut, 0, len(list))
	for _, st := range list {
		out = append(out, staffJSON(st, now))
	}
	if *f.asJSON {
		writeJSON(e.stdout, struct {
			Staff []staffOut `json:"staff"`
		}{out})
		return nil
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "no staff accounts")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tSTATE\tLAST SIGN-IN")
	for _, o := range out {
		state := "active"
		switch {
		case o.Disabled:
			state = "disabled"
		case o.LockedUntil != nil:
			state = "locked until " + *o.LockedUntil
		}
		last := "-"
		if o.LastSignIn != nil {
			last = *o.LastSignIn
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.ID, o.Role, state, last)
	}
	return tw.Flush()
}
