// Command screenshots renders every kiosk screen in Japanese and English at
// 1920×1080 with Fyne's headless test driver, into PNG files and an index
// (README.md): `go run ./cmd/screenshots -out docs/screens` (make screenshots).
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
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// still is a session that shows one snapshot and ignores events.
type still struct{ snap flow.Snapshot }

func (s *still) Handle(flow.Event) flow.Snapshot { return s.snap }
func (s *still) Snapshot() flow.Snapshot         { return s.snap }
func (s *still) ValidatePIN(b []byte) []string   { return nil }

func main() {
	out := flag.String("out", "docs/screens", "output directory")
	width := flag.Int("width", 1920, "window width")
	height := flag.Int("height", 1080, "window height")
	langs := flag.String("lang", "ja,en", "languages, comma-separated")
	flag.Parse()
	if err := run(*out, fyne.NewSize(float32(*width), float32(*height)), strings.Split(*langs, ",")); err != nil {
		log.Fatal(err)
	}
}

func run(out string, size fyne.Size, langs []string) error {
	a := test.NewApp()
	defer a.Quit()
	w := test.NewWindow(nil)
	w.Resize(size)
	tr, err := i18n.Load()
	if err != nil {
		return err
	}
	s := &still{}
	k := ui.New(a, w, tr, s, ui.Options{})
	var index strings.Builder
	fmt.Fprintf(&index, "# Kiosk screens\n\nEvery screen of the kiosk at %.0f×%.0f, rendered headlessly by `make screenshots`\n(`go run ./cmd/screenshots -out docs/screens`) from sample snapshots of `ui/flow`.\n\n", size.Width, size.Height)
	fmt.Fprintf(&index, "| # | screen | %s |\n|---|---|%s\n", strings.Join(langs, " | "), strings.Repeat("---|", len(langs)))
	type row struct {
		id    string
		files []string
	}
	var rows []row
	tmp, err := os.MkdirTemp("", "kiosk-screens-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	staffShots, closeStaff, err := ui.StaffSamples(k, tmp, func(snap flow.Snapshot) { s.snap = snap; k.Refresh() })
	if err != nil {
		return err
	}
	defer closeStaff()
	for li, lang := range langs {
		if !k.SetHomeLanguage(lang) {
			return fmt.Errorf("no language %q", lang)
		}
		dir := filepath.Join(out, lang)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		n := 0
		shot := func(id string) error {
			n++
			name := fmt.Sprintf("%02d-%s.png", n, strings.ToLower(strings.ReplaceAll(id, ".", "-")))
			ui.Settle(w)
			if err := save(filepath.Join(dir, name), w.Canvas().Capture()); err != nil {
				return err
			}
			if li == 0 {
				rows = append(rows, row{id: id})
			}
			rows[n-1].files = append(rows[n-1].files, lang+"/"+name)
			return nil
		}
		for _, snap := range ui.SampleSnapshots() {
			s.snap = snap
			k.Refresh()
			if err := shot(snap.State.String()); err != nil {
				return err
			}
		}
		for _, st := range staffShots { // staff mode (ui/staff_samples.go)
			st.Show()
			if err := shot(st.ID); err != nil {
				return err
			}
		}
		k.ShowFlow()
		k.SetReaderPresent(false)
		if err := shot("kiosk.reader_missing"); err != nil {
			return err
		}
		k.SetReaderPresent(true)
		s.snap = ui.SampleSnapshots()[5] // status, with the language chooser open
		k.Refresh()
		test.Tap(k.Button("language"))
		if err := shot("language-chooser"); err != nil {
			return err
		}
		for _, o := range w.Canvas().Overlays().List() {
			o.Hide()
			w.Canvas().Overlays().Remove(o)
		}
	}
	if m := tr.Missing(); len(m) > 0 {
		return fmt.Errorf("messages missing: %v", m)
	}
	for i, r := range rows {
		fmt.Fprintf(&index, "| %d | `%s` |", i+1, r.id)
		for _, f := range r.files {
			fmt.Fprintf(&index, " [![%s](%s)](%s) |", r.id, f, f)
		}
		index.WriteString("\n")
	}
	if size == fyne.NewSize(1920, 1080) {
		if err := smallPanel(out, w, k, s, tr, langs, &index); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, "README.md"), []byte(index.String()), 0o644)
}

// mainScreens are the resident screens shown on the smaller panel and in
// the languages beyond Japanese and English.
var mainScreens = map[flow.State]bool{
	flow.StateInsertCard: true, flow.StateStatus: true, flow.StateLastTryConfirm: true, flow.StateEnterPIN: true,
	flow.StateNewPIN: true, flow.StatePINChanged: true, flow.StateChooseCerts: true, flow.StateEligibility: true,
	flow.StateWaitApproval: true, flow.StateReceipt: true,
}

// smallPanel renders the main resident screens on the 1280×800 terminal into
// out/1280x800/<lang>/, and those of the other offered languages at full
// size into out/<lang>/, and adds their sections to the index.
func smallPanel(out string, w fyne.Window, k *ui.Kiosk, s *still, tr *i18n.Catalogue, langs []string, index *strings.Builder) error {
	size := w.Canvas().Size()
	w.Resize(fyne.NewSize(1280, 800))
	if err := subset(out, "1280x800", w, k, s, tr, langs, index,
		"## 1280×800\n\nThe smaller terminal, main resident screens. `TestFitsBothPanels` and\n`TestResidentScreensNeedNoScrolling` (ui) check on both panels, in Japanese and English,\nthat no resident screen needs scrolling and every button and key lies inside the window.\n"); err != nil {
		return err
	}
	w.Resize(size)
	var more []string
	for _, l := range tr.Languages() {
		if !slices.Contains(langs, l.Tag) {
			more = append(more, l.Tag)
		}
	}
	if len(more) == 0 {
		return nil
	}
	return subset(out, "", w, k, s, tr, more, index,
		"## Other languages\n\nThe main resident screens in the other languages offered (staff screens fall back to English).\n")
}

// subset renders the main screens in langs into out/sub/<lang>/.
func subset(out, sub string, w fyne.Window, k *ui.Kiosk, s *still, tr *i18n.Catalogue, langs []string, index *strings.Builder, heading string) error {
	files := map[flow.State][]string{}
	var order []flow.State
	for _, lang := range langs {
		if !k.SetHomeLanguage(lang) {
			return fmt.Errorf("no language %q", lang)
		}
		dir := filepath.Join(out, sub, lang)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i, snap := range ui.SampleSnapshots() {
			if !mainScreens[snap.State] {
				continue
			}
			s.snap = snap
			k.Refresh()
			name := fmt.Sprintf("%02d-%s.png", i+1, strings.ToLower(snap.State.String()))
			ui.Settle(w)
			if err := save(filepath.Join(dir, name), w.Canvas().Capture()); err != nil {
				return err
			}
			if len(files[snap.State]) == 0 {
				order = append(order, snap.State)
			}
			files[snap.State] = append(files[snap.State], filepath.ToSlash(filepath.Join(sub, lang, name)))
		}
	}
	fmt.Fprintf(index, "\n%s\n", heading)
	fmt.Fprintf(index, "| screen | %s |\n|---|%s\n", strings.Join(langs, " | "), strings.Repeat("---|", len(langs)))
	for _, st := range order {
		fmt.Fprintf(index, "| `%s` |", st)
		for _, f := range files[st] {
			fmt.Fprintf(index, " [![%s](%s)](%s) |", st, f, f)
		}
		index.WriteString("\n")
	}
	return nil
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
