package ui

import (
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"golang.org/x/image/font/sfnt"

	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// TestEveryLanguageHasItsGlyphs: every message of every language offered
// (and, for a partial language, the English staff messages it shows) is
// drawn entirely with the font the theme uses for that language, regular
// and bold: no character would fall back to whatever font the terminal
// happens to have, or to a missing-glyph box. The language menu's names
// and the symbols the screens add (●✓×・) are checked in every language's font.
func TestEveryLanguageHasItsGlyphs(t *testing.T) {
	test.NewTempApp(t)
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	values := []any{"PIN", "PIN", "Date", "1", "Days", "2", "Cert", "C", "Time", "9:00", "K", 1, "N", 2, "Max", 3,
		"Count", 4, "Y", 2026, "M", 12, "D", 24, "Month", "12", "Reiwa", "8"}
	var names string
	for _, l := range tr.Languages() {
		names += l.Name
	}
	checked := 0
	for _, l := range tr.Languages() {
		th := NewTheme(28).ForLang(l.Tag)
		for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
			res := th.Font(style)
			f, err := sfnt.Parse(res.Content())
			if err != nil {
				t.Fatalf("%s: %v", res.Name(), err)
			}
			var buf sfnt.Buffer
			missing := map[rune]string{}
			check := func(id, text string) {
				for _, r := range text {
					if unicode.IsSpace(r) || unicode.IsControl(r) {
						continue
					}
					checked++
					if g, _ := f.GlyphIndex(&buf, r); g == 0 {
						missing[r] = id
					}
				}
			}
			for _, id := range tr.IDs("ja") {
				text, ok := tr.In(l.Tag, id, values...)
				if !ok && l.Partial && i18n.StaffOnly(id) {
					text, ok = tr.In("en", id, values...)
				}
				if ok {
					check(id, text)
				}
			}
			check("language menu and symbols", names+"●✓×・")
			for r, id := range missing {
				t.Errorf("%s (%s): %q (U+%04X, in %s) has no glyph", l.Tag, res.Name(), r, r, id)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no character checked")
	}
}
