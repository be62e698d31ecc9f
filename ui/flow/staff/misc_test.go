package staff

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

type fakeWork struct {
	resets, issues []Work
	pins           []string // what reached the card: the test checks it, the kiosk never logs it
	fail           error
}

func (f *fakeWork) ResetPIN(_ context.Context, w Work, pin []byte) error {
	if f.fail != nil {
		return f.fail
	}
	f.resets = append(f.resets, w)
	f.pins = append(f.pins, string(pin))
	return nil
}

func (f *fakeWork) Issue(_ context.Context, w Work, pin []byte) error {
	f.issues = append(f.issues, w)
	f.pins = append(f.pins, string(pin))
	return nil
}

func TestPINEntry(t *testing.T) {
	ctx := context.Background()
	fw := &fakeWork{}
	e := NewPINEntry(fw, []Work{{Cert: policy.CertSign, Purpose: policy.PurposePINReset}, {Cert: policy.CertAuth, Purpose: policy.PurposePINReset}})

	if err := e.Submit(ctx, []byte("ABC")); err != nil || e.Error() != PINErrRule || len(e.Problems()) == 0 || e.Stage() != PINNew {
		t.Fatalf("short sign PIN: err %v code %q problems %v stage %s", err, e.Error(), e.Problems(), e.Stage())
	}
	first := []byte("ABC123")
	if err := e.Submit(ctx, first); err != nil || e.Stage() != PINRepeat {
		t.Fatalf("valid PIN: %v, %s", err, e.Stage())
	}
	if !bytes.Equal(first, make([]byte, 6)) {
		t.Error("Submit did not wipe the caller's PIN")
	}
	if err := e.Submit(ctx, []byte("ABC124")); err != nil || e.Error() != PINErrMismatch || e.Stage() != PINNew {
		t.Fatalf("mismatch: %v %q %s", err, e.Error(), e.Stage())
	}
	e.Submit(ctx, []byte("ABC123"))
	e.Submit(ctx, []byte("ABC123"))
	if e.Current().Cert != policy.CertAuth || e.Stage() != PINNew {
		t.Fatalf("after sign: current %v stage %s", e.Current(), e.Stage())
	}
	e.Submit(ctx, []byte("1234"))
	e.Submit(ctx, []byte("1234"))
	if e.Stage() != PINDone || len(fw.resets) != 2 || len(e.Done()) != 2 {
		t.Fatalf("stage %s resets %d", e.Stage(), len(fw.resets))
	}
	if !slices.Equal(fw.pins, []string{"ABC123", "1234"}) {
		t.Errorf("card got %d PINs", len(fw.pins))
	}

	fail := &fakeWork{fail: errors.New("card pulled")}
	e = NewPINEntry(fail, []Work{{Cert: policy.CertAuth, Purpose: policy.PurposePINReset}})
	e.Submit(ctx, []byte("1234"))
	if err := e.Submit(ctx, []byte("1234")); err == nil || e.Stage() != PINFailed || e.Error() != PINErrCard {
		t.Fatalf("card failure: %v %s", err, e.Stage())
	}
	e.Retry()
	if e.Stage() != PINNew {
		t.Error("Retry")
	}

	iss := &fakeWork{}
	e = NewPINEntry(iss, []Work{{Cert: policy.CertAuth, Purpose: policy.PurposeNew}})
	e.Submit(ctx, []byte("9876"))
	e.Submit(ctx, []byte("9876"))
	if len(iss.issues) != 1 || len(iss.resets) != 0 {
		t.Errorf("issuing work went to reset %d / issue %d", len(iss.resets), len(iss.issues))
	}
}

func TestBars(t *testing.T) {
	var d store.Dashboard
	d.ByHour[9], d.ByHour[10], d.ByHour[20] = 2, 4, 1
	d.ByOutcome = map[store.Outcome]int{store.OutcomeDone: 6, store.OutcomeTimeout: 3}
	d.Open = 1
	bs := HourBars(d, 8, 18)
	if len(bs) != 13 || bs[0].Label != "08" || bs[len(bs)-1].Label != "20" {
		t.Fatalf("hour bars %v", bs)
	}
	if bs[2].Frac != 1 || bs[1].Frac != 0.5 || bs[0].Frac != 0 {
		t.Errorf("fractions %v", bs[:3])
	}
	ob := OutcomeBars(d)
	if ob[0].Label != string(store.OutcomeDone) || ob[0].Frac != 1 || ob[len(ob)-1].Label != "open" || ob[len(ob)-1].Count != 1 {
		t.Errorf("outcome bars %v", ob)
	}
}

func TestExportCSV(t *testing.T) {
	c := newClock()
	s := newStore(t, c)
	ctx := context.Background()
	addStaff(t, s, "clerk1", store.RoleClerk)
	id, err := s.StartSession(ctx, store.SessionStart{Mode: store.ModeSelf, Profile: "moriya"})
	if err != nil {
		t.Fatal(err)
	}
	s.EndSession(ctx, id, store.SessionEnd{Outcome: store.OutcomeDone})
	c.Add(24 * time.Hour) // the next day: outside a one-day range
	s.Append(ctx, 0, "staff_note", store.Detail{"note": "next-day"})

	dir := t.TempDir()
	path, n, err := ExportCSV(ctx, s, dir, "2025-06-10", "2025-06-10")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != dir || filepath.Base(path) != "audit-2025-06-10_2025-06-10.csv" {
		t.Errorf("path %s", path)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], store.ExportColumns) {
		t.Errorf("header %v", recs[0])
	}
	if int64(len(recs)-1) != n || n < 3 {
		t.Fatalf("%d rows for n=%d", len(recs)-1, n)
	}
	var kinds []string
	for _, r := range recs[1:] {
		kinds = append(kinds, r[3])
		if !strings.HasPrefix(r[1], "2025-06-10T") {
			t.Errorf("row outside the range: %v", r)
		}
	}
	for _, k := range []string{store.KindStaffAdded, store.KindSessionStarted, store.KindSessionEnded} {
		if !slices.Contains(kinds, k) {
			t.Errorf("export lacks %s: %v", k, kinds)
		}
	}
	if slices.Contains(kinds, "staff_note") {
		t.Error("export holds the next day's event")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("export left %d files in the directory", len(ents))
	}
	if _, _, err := ExportCSV(ctx, s, dir, "2025-06-11", "2025-06-10"); !errors.Is(err, ErrRange) {
		t.Errorf("reversed range: %v", err)
	}
	if _, _, err := ExportCSV(ctx, s, filepath.Join(dir, "nope"), "2025-06-10", "2025-06-10"); err == nil {
		t.Error("missing directory accepted")
	}
}

func TestSettingsSaveAuditsAndLoads(t *testing.T) {
	c := newClock()
	s := newStore(t, c)
	ctx := context.Background()
	addStaff(t, s, "super1", store.RoleSupervisor)
	def := Defaults(profile(t, "moriya"))
	if def.Profile != "moriya" || def.IdleTimeout != 90*time.Second || def.Languages[0] != "ja" {
		t.Fatalf("defaults %+v", def)
	}
	next := def
	next.IdleTimeout = 120 * time.Second
	next.Scramble = true
	next.Languages = []string{"ja", "en", "ko"}
	next.Printer = "TM-T88VI"
	avail := []string{"ja", "en", "ko"}
	keys, err := SaveSettings(ctx, s, def, next, avail, "super1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.SettingIdleTimeout, store.SettingLanguages, SettingScramble, SettingPrinter}
	if !slices.Equal(keys, want) {
		t.Errorf("changed %v, want %v", keys, want)
	}
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE kind = ? AND json_extract(detail_json,'$.by') = 'super1'`, store.KindSettingChanged).Scan(&n)
	if n != len(want) {
		t.Errorf("%d setting_changed events by super1, want %d", n, len(want))
	}
	got, err := LoadSettings(ctx, s, def)
	if err != nil {
		t.Fatal(err)
	}
	if got.IdleTimeout != next.IdleTimeout || !got.Scramble || !slices.Equal(got.Languages, next.Languages) || got.Printer != "TM-T88VI" {
		t.Errorf("loaded %+v", got)
	}
	for _, bad := range []func(*Settings){
		func(s *Settings) { s.IdleTimeout = time.Second },
		func(s *Settings) { s.Languages = []string{"en", "ja"} },
		func(s *Settings) { s.Languages = []string{"ja", "xx"} },
		func(s *Settings) { s.Profile = "atlantis" },
		func(s *Settings) { s.Printer = "" },
		func(s *Settings) { s.StaffTimeout = time.Hour },
	} {
		x := next
		x.Languages = slices.Clone(next.Languages)
		bad(&x)
		if _, err := SaveSettings(ctx, s, next, x, avail, "super1"); !errors.Is(err, ErrSetting) {
			t.Errorf("bad settings %+v saved: %v", x, err)
		}
	}
	// A kiosk running a profile from a file keeps it and saves the rest.
	file := next
	file.Profile = "my-town"
	other := file
	other.IdleTimeout = 60 * time.Second
	if _, err := SaveSettings(ctx, s, file, other, avail, "super1"); err != nil {
		t.Errorf("settings of a kiosk with a profile file: %v", err)
	}
}
