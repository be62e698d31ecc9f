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
// happens to have, or to a missing-glyph box. Each language's name (shown
// in its own font, Kiosk.InOwnFont) and the symbols the screens add (●✓×・)
// are checked too. Korean, Chinese and Vietnamese use the bundled subset of
// Noto Sans CJK SC: a character missing there means `go generate ./assets`.
func TestEveryLanguageHasItsGlyphs(t *testing.T) {
	test.NewTempApp(t)
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	values := []any{"PIN", "PIN", "Date", "1", "Days", "2", "Cert", "C", "Time", "9:00", "K", 1, "N", 2, "Max", 3,
		"Count", 4, "Y", 2026, "M", 12, "D", 24, "Month", "12", "Reiwa", "8"}
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
				if ok {
					check(id, text)
				}
			}
			check("language name and symbols", l.Name+"●✓×・")
			for _, o := range tr.Languages() {
				if NewTheme(28).ForLang(o.Tag).prop { // drawn in the font now shown (Kiosk.InOwnFont)
					check("name of "+o.Tag, o.Name)
				}
			}
			for r, id := range missing {
				t.Errorf("%s (%s): %q (U+%04X, in %s) has no glyph", l.Tag, res.Name(), r, r, id)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no character checked")
	}
}

// TestFontForLanguage: the languages BIZ UDGothic cannot draw get the CJK
// subset, Japanese (easy or not) BIZ UDGothic, Latin-script ones BIZ UDPGothic.
func TestFontForLanguage(t *testing.T) {
	for tag, want := range map[string]string{
		"ja": "BIZUDGothic-Regular.ttf", i18n.EasyJapanese: "BIZUDGothic-Regular.ttf",
		"en": "BIZUDPGothic-Regular.ttf", "pt-BR": "BIZUDPGothic-Regular.ttf",
		"ko": "NotoSansCJKsc-Regular-subset.otf", "zh-Hans": "NotoSansCJKsc-Regular-subset.otf", "vi": "NotoSansCJKsc-Regular-subset.otf",
	} {
		if got := NewTheme(28).ForLang(tag).Font(fyne.TextStyle{}).Name(); got != want {
			t.Errorf("%s: font %s, want %s", tag, got, want)
		}
	}
	if got := NewTheme(28).ForLang("ko").Font(fyne.TextStyle{Bold: true}).Name(); got != "NotoSansCJKsc-Bold-subset.otf" {
		t.Errorf("ko bold: %s", got)
	}
}
