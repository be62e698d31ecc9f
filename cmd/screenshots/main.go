// Command screenshots renders every kiosk screen with Fyne's headless test
// driver into PNG files and an index (README.md):
//
//	go run ./cmd/screenshots -out docs/screens            (make screenshots)
//	go run ./cmd/screenshots -out /tmp/s -lang ja,en
//
// Resident screens come from the journeys the tests walk (ui/demo's
// Headless kiosk: every persona through every service, with the virtual
// reader and the panel's clerk), each screen as first reached; the states
// no journey reaches (closed, declined, failed, idle countdown, …) and the
// staff screens from the sample snapshots. Of the languages asked for (all
// offered by default): every screen at 1920×1080 in Japanese and English,
// every resident and staff screen at 1280×800 in the others (one panel size
// keeps docs/screens small); the main resident screens also at 1280×800 in
// Japanese and English and in high contrast and large text in Japanese.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/demo"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// still is a session that shows one snapshot and ignores events.
type still struct{ snap flow.Snapshot }

func (s *still) Handle(flow.Event) flow.Snapshot { return s.snap }
func (s *still) Snapshot() flow.Snapshot         { return s.snap }
func (s *still) ValidatePIN(b []byte) []string   { return nil }

var (
	full  = fyne.NewSize(1920, 1080)
	small = fyne.NewSize(1280, 800)
)

// mainScreens are the resident screens also shown at 1280×800 and in high
// contrast and large text.
var mainScreens = map[string]bool{
	"INSERT_CARD": true, "STATUS": true, "LAST_TRY_CONFIRM": true, "ENTER_PIN": true, "NEW_PIN": true, "PIN_CHANGED": true,
	"CHOOSE_CERTS": true, "ELIGIBILITY": true, "WAIT_APPROVAL": true, "GO_TO_COUNTER": true, "RECEIPT": true,
}

func main() {
	out := flag.String("out", "docs/screens", "output directory")
	langs := flag.String("lang", "", "languages, comma-separated (default: every offered language)")
	flag.Parse()
	var list []string
	if *langs != "" {
		list = strings.Split(*langs, ",")
	}
	if err := run(*out, list); err != nil {
		log.Fatal(err)
	}
}

// row is one screen of the index: its id, where it comes from and its
// files by column.
type row struct {
	id, from string
	files    map[string]string
}

// book collects the index's sections.
type book struct {
	out   string
	rows  map[string][]*row // by section
	index map[string]map[string]*row
}

func (b *book) add(section, id, from, col, file string) {
	if b.index[section] == nil {
		b.index[section] = map[string]*row{}
	}
	r := b.index[section][id]
	if r == nil {
		r = &row{id: id, from: from, files: map[string]string{}}
		b.index[section][id] = r
		b.rows[section] = append(b.rows[section], r)
	}
	r.files[col] = file
}

// shoot saves w's canvas as out/dir/NN-id.png and adds it to section.
func (b *book) shoot(w fyne.Window, section, dir, id, from, col string) error {
	ui.Settle(w)
	n := len(b.rows[section]) + 1
	if r := b.index[section][id]; r != nil {
		n = slices.Index(b.rows[section], r) + 1
	}
	name := filepath.ToSlash(filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, strings.ToLower(strings.NewReplacer(".", "-", "_", "-").Replace(id)))))
	if err := os.MkdirAll(filepath.Join(b.out, filepath.FromSlash(dir)), 0o755); err != nil {
		return err
	}
	if err := save(filepath.Join(b.out, filepath.FromSlash(name)), w.Canvas().Capture()); err != nil {
		return err
	}
	b.add(section, id, from, col, name)
	return nil
}

// setLang shows lang, rebuilding the screen for the window's size even
// when lang is already shown.
func setLang(k *ui.Kiosk, lang string) {
	if k.Tr().Lang() == lang {
		other := "en"
		if lang == "en" {
			other = "ja"
		}
		k.Tr().SetLang(other)
	}
	k.Tr().SetLang(lang)
}

const (
	secResident   = "Resident screens, 1920×1080"
	secStaff      = "Staff screens, 1920×1080"
	secSmall      = "Main resident screens, 1280×800"
	secOther      = "Resident screens in the other languages, 1280×800"
	secStaffOther = "Staff screens in the other languages, 1280×800"
	secDisplay    = "Main resident screens in high contrast and large text (見やすさ), 1920×1080"
)

func run(out string, langs []string) error {
	a := test.NewApp()
	defer a.Quit()
	tr, err := i18n.Load()
	if err != nil {
		return err
	}
	if len(langs) == 0 {
		for _, l := range tr.Languages() {
			langs = append(langs, l.Tag)
		}
	}
	for _, l := range langs {
		if !slices.ContainsFunc(tr.Languages(), func(x i18n.Language) bool { return x.Tag == l }) {
			return fmt.Errorf("no language %q", l)
		}
	}
	twoLangs := slices.DeleteFunc(slices.Clone(langs), func(l string) bool { return l != "ja" && l != "en" })
	others := slices.DeleteFunc(slices.Clone(langs), func(l string) bool { return l == "ja" || l == "en" })
	b := &book{out: out, rows: map[string][]*row{}, index: map[string]map[string]*row{}}
	tmp, err := os.MkdirTemp("", "kiosk-screens-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// The journeys, as ui/demo's TestEveryJourneyFits walks them.
	wj := test.NewWindow(nil)
	wj.Resize(full)
	h, err := demo.NewHeadless(a, wj, tmp)
	if err != nil {
		return err
	}
	defer h.Close()
	journeys, err := h.Journeys()
	if err != nil {
		return err
	}
	k := h.Kiosk
	seen := map[string]bool{}
	for _, j := range journeys {
		err := h.Walk(j, func(int) error {
			id := k.ScreenID()
			if seen[id] || !ui.ResidentHeld(id) {
				return nil
			}
			seen[id] = true
			walkLang := k.Tr().Lang()
			if err := every(b, k, wj, id, j.Name(), twoLangs, others); err != nil {
				return err
			}
			setLang(k, walkLang)
			return nil
		})
		if err != nil {
			return err
		}
	}

	// The states no journey reaches, and the staff screens, from samples.
	w := test.NewWindow(nil)
	w.Resize(full)
	s := &still{}
	ks := ui.New(a, w, tr, s, ui.Options{})
	day, err := samples.OpenStaffDay(tmp)
	if err != nil {
		return err
	}
	defer day.Close()
	desk := ui.NewStaffDesk(ui.StaffConfig{Office: staff.NewOffice(day.Store, nil), Profile: day.Profile, Work: samples.NoWork{}, Now: day.Now, ExportDir: tmp, Quit: func() {}})
	staffShots, leaveStaff := ui.StaffSamples(ks, desk, ui.StaffSampleDay{At: day.At, Clerk: day.Clerk, Password: day.Password, Ticket: day.Ticket},
		func(snap flow.Snapshot) { s.snap = snap; ks.Refresh() })
	defer leaveStaff()
	for _, snap := range samples.Snapshots() {
		id := snap.State.String()
		if seen[id] {
			continue
		}
		seen[id] = true
		s.snap = snap
		if err := every(b, ks, w, id, "sample", twoLangs, others); err != nil {
			return err
		}
	}
	for _, lang := range twoLangs {
		setLang(ks, lang)
		ks.ShowFlow()
		ks.SetReaderPresent(false)
		if err := b.shoot(w, secResident, lang, "kiosk.reader_missing", "sample", lang); err != nil {
			return err
		}
		ks.SetReaderPresent(true)
		s.snap = samples.Snapshots()[5] // status, with the language chooser open
		ks.Refresh()
		test.Tap(ks.Button("language"))
		if err := b.shoot(w, secResident, lang, "language-chooser", "sample", lang); err != nil {
			return err
		}
		for _, o := range w.Canvas().Overlays().List() {
			o.Hide()
			w.Canvas().Overlays().Remove(o)
		}
	}
	for _, lang := range twoLangs {
		ks.SetHomeLanguage(lang)
		for _, st := range staffShots { // staff mode (ui/staff_samples.go)
			st.Show()
			if err := b.shoot(w, secStaff, lang, st.ID, "sample", lang); err != nil {
				return err
			}
		}
	}
	w.Resize(small) // the staff screens in the other languages, on the small panel
	for _, lang := range others {
		ks.SetHomeLanguage(lang)
		for _, st := range staffShots {
			st.Show()
			if err := b.shoot(w, secStaffOther, filepath.Join("1280x800", lang, "staff"), st.ID, "sample", lang); err != nil {
				return err
			}
		}
	}
	w.Resize(full)
	if m := tr.Missing(); len(m) > 0 {
		return fmt.Errorf("messages missing: %v", m)
	}
	return os.WriteFile(filepath.Join(out, "README.md"), []byte(b.readme(twoLangs, others)), 0o644)
}

// every renders the resident screen id at 1920×1080 in two (Japanese,
// English), at 1280×800 in the other languages, and if it is a main
// screen, also as more does.
func every(b *book, k *ui.Kiosk, w fyne.Window, id, from string, two, others []string) error {
	for _, lang := range two {
		setLang(k, lang)
		if err := b.shoot(w, secResident, lang, id, from, lang); err != nil {
			return err
		}
	}
	w.Resize(small)
	for _, lang := range others {
		setLang(k, lang)
		if err := b.shoot(w, secOther, filepath.Join("1280x800", lang), id, from, lang); err != nil {
			return err
		}
	}
	w.Resize(full)
	if !mainScreens[id] {
		return nil
	}
	return more(b, k, w, id, from, two)
}

// more renders the main screen id at 1280×800 in langs and, in Japanese,
// in high contrast and in large text.
func more(b *book, k *ui.Kiosk, w fyne.Window, id, from string, langs []string) error {
	w.Resize(small)
	for _, lang := range langs {
		setLang(k, lang)
		if err := b.shoot(w, secSmall, filepath.Join("1280x800", lang), id, from, lang); err != nil {
			return err
		}
	}
	w.Resize(full)
	if !slices.Contains(langs, "ja") {
		return nil
	}
	for _, m := range []struct {
		col         string
		large, high bool
	}{{"high contrast", false, true}, {"large text", true, false}} {
		k.SetDisplay(m.large, m.high)
		setLang(k, "ja")
		err := b.shoot(w, secDisplay, strings.ReplaceAll(m.col, " ", "-"), id, from, m.col)
		k.SetDisplay(false, false)
		if err != nil {
			return err
		}
	}
	setLang(k, "ja")
	return nil
}

// readme is the index of the screens.
func (b *book) readme(two, others []string) string {
	var s strings.Builder
	s.WriteString("# Kiosk screens\n\nEvery screen of the kiosk, rendered headlessly by `make screenshots`\n" +
		"(`go run ./cmd/screenshots -out docs/screens`). Resident screens come from the journeys that\n" +
		"`TestEveryJourneyFits` (ui/demo) walks — every persona through every service, on the demo's\n" +
		"virtual reader — each as first reached (the journey is named); the screens no journey reaches and\n" +
		"the staff screens from the sample snapshots of `ui`.\n")
	for _, sec := range []struct {
		name string
		cols []string
	}{{secResident, two}, {secStaff, two}, {secSmall, two}, {secOther, others}, {secStaffOther, others}, {secDisplay, []string{"high contrast", "large text"}}} {
		rows := b.rows[sec.name]
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&s, "\n## %s\n\n| # | screen | from | %s |\n|---|---|---|%s\n", sec.name, strings.Join(sec.cols, " | "), strings.Repeat("---|", len(sec.cols)))
		for i, r := range rows {
			fmt.Fprintf(&s, "| %d | `%s` | %s |", i+1, r.id, r.from)
			for _, c := range sec.cols {
				if f := r.files[c]; f != "" {
					fmt.Fprintf(&s, " [![%s](%s)](%s) |", r.id, f, f)
				} else {
					s.WriteString(" |")
				}
			}
			s.WriteString("\n")
		}
	}
	return s.String()
}

func save(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
