package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"golang.org/x/image/font/sfnt"

	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// TestLanguageNamesHaveTheirGlyphs: on a screen in any offered language,
// every language's name is drawn (Kiosk.InOwnFont) in a font that has all
// its letters, regular and bold — the screen's own font when nameTheme
// says none is needed.
func TestLanguageNamesHaveTheirGlyphs(t *testing.T) {
	parsed := map[string]*sfnt.Font{}
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, cur := range tr.Languages() {
		screen := NewTheme(28).ForLang(cur.Tag)
		for _, l := range tr.Languages() {
			th := screen.nameTheme(l.Tag)
			if th == nil {
				th = screen
			}
			for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
				res := th.Font(style)
				f := parsed[res.Name()]
				if f == nil {
					if f, err = sfnt.Parse(res.Content()); err != nil {
						t.Fatal(err)
					}
					parsed[res.Name()] = f
				}
				for _, r := range l.Name {
					if r == ' ' {
						continue
					}
					if g, _ := f.GlyphIndex(&buf, r); g == 0 {
						t.Errorf("%s screen: %q of %q has no glyph in %s", cur.Tag, r, l.Name, res.Name())
					}
				}
			}
		}
	}
}

// TestNameThemeAvoidsLargeFonts: on a Japanese or a Latin-script screen
// no language's name gets a theme-override scope with a BIZ UDGothic face
// (13 MB of heap each, issue 10): its own font draws it, or the 0.4 MB CJK
// subset does.
func TestNameThemeAvoidsLargeFonts(t *testing.T) {
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, cur := range []string{"ja", "en", "pt-BR"} {
		screen := NewTheme(28).ForLang(cur)
		for _, l := range tr.Languages() {
			if th := screen.nameTheme(l.Tag); th != nil && !th.cjk {
				t.Errorf("%s screen: %s's name gets %s", cur, l.Tag, th.Font(fyne.TextStyle{}).Name())
			}
		}
	}
	if th := NewTheme(28).ForLang("ko").nameTheme("ja"); th == nil || th.cjk || th.prop {
		t.Errorf("ko screen: 日本語 is not drawn in BIZ UDGothic: %+v", th)
	}
}
