package ui

// Memory of fonts (issue 10, docs/PERFORMANCE.md "Memory").
//
// Fyne parses a font afresh for every theme-override scope that draws text
// (container.NewThemeOverride makes a new scope when built, when rendered
// and at every Refresh) and keeps each parsed face in its font cache until
// the app's theme is set again. A parsed BIZ UDGothic face is about 13 MB
// of Go heap (the 4.6 MB file copied table by table, every glyph's
// outline decoded); the Noto Sans CJK subset about 0.4 MB. So the kiosk
// asks for as few scopes with the large fonts as it can (nameTheme), and
// drops the faces of the screens a resident has left at every hand-over
// (releaseFonts).

// nameTheme returns the theme a language's name (tag) is drawn in while
// the kiosk shows t, or nil when t's own font draws it. The name is drawn
// in a font that has its letters, preferring the small CJK subset over a
// second scope of a large BIZ UDGothic face: BIZ UDGothic and UDPGothic
// draw Japanese and the Latin-script names, the subset draws every name
// but Japanese (TestLanguageNamesHaveTheirGlyphs). Latin-script names on a
// Japanese screen are drawn in the subset's proportional Latin letters,
// not in BIZ UDGothic's fixed-width ones.
func (t *Theme) nameTheme(tag string) *Theme {
	own := t.ForLang(tag)
	japanese := !own.cjk && !own.prop
	switch {
	case own.cjk == t.cjk && own.prop == t.prop: // the same font
		return nil
	case t.cjk && own.prop: // Latin letters: in the subset
		return nil
	case t.prop && japanese: // BIZ UDPGothic has the kanji and kana
		return nil
	case japanese: // from a Korean, Chinese or Vietnamese screen
		return own
	}
	c := *own
	c.prop, c.cjk = false, true
	return &c
}

// releaseFonts sets the kiosk theme again, on which Fyne empties its font
// cache: the faces parsed for the scopes of the screens now gone are
// released, the screen shown parses what it needs again (a few hundred
// milliseconds, at a hand-over, while nobody waits).
func (k *Kiosk) releaseFonts() {
	k.app.Settings().SetTheme(NewTheme(k.textNow).ForLang(k.tr.Lang()))
}
