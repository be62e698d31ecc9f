package ui

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

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
// (releaseFonts). Each parse also leaves its copy of the file and its
// working memory as garbage: with the Go collector's default headroom
// (GOGC=100, the heap may double its live size) that garbage held well
// over 100 MB of freed heap that the runtime returns to the system only
// slowly, so the kiosk hands it back once the start screen is drawn
// (trimSoon).

// nameTheme returns the theme a language's name (tag) is drawn in while
// the kiosk shows t, or nil when t's own font draws it: BIZ UDGothic and
// UDPGothic draw Japanese and the Latin-script names, the small CJK subset
// every name but Japanese (TestLanguageNamesHaveTheirGlyphs). So only the
// Korean, Chinese and Vietnamese names on a Japanese or Latin-script
// screen (in the 0.4 MB subset) and 日本語 on a Korean, Chinese or
// Vietnamese one (in BIZ UDGothic) get a scope of their own. A name drawn
// in the screen's font is also measured in it (Fyne measures a button's
// label in the window's theme, not the override's), so it is not cut off.
func (t *Theme) nameTheme(tag string) *Theme {
	own := t.ForLang(tag)
	if own.cjk == t.cjk || (t.cjk && own.prop) {
		return nil
	}
	return own
}

// releaseFonts sets the kiosk theme again, on which Fyne empties its font
// cache: the faces parsed for the scopes of the screens now gone are
// released, the screen shown parses what it needs again (a few hundred
// milliseconds, at a hand-over, while nobody waits).
func (k *Kiosk) releaseFonts() {
	k.app.Settings().SetTheme(NewTheme(k.textNow).ForLang(k.tr.Lang()))
	trimSoon()
}

// trimDelay is how long after a hand-over the kiosk returns freed memory
// to the system: the start screen is drawn by then, its fonts parsed
// again. startTrimDelay is the same after the start, which parses more and
// may take seconds on a loaded terminal.
const (
	trimDelay      = 5 * time.Second
	startTrimDelay = 20 * time.Second
)

var trimPending atomic.Bool

// trimSoon returns the freed heap to the system trimDelay from now.
func trimSoon() { trimAfter(trimDelay) }

// trimAfter returns the freed heap to the system (debug.FreeOSMemory: a
// full collection, tens of milliseconds) d from now, once however often it
// is asked for meanwhile.
func trimAfter(d time.Duration) {
	if trimPending.Swap(true) {
		return
	}
	time.AfterFunc(d, func() {
		trimPending.Store(false)
		debug.FreeOSMemory()
	})
}

// lazyFont is a font resource read from the binary (and patched) when it is
// first drawn: the proportional BIZ UDPGothic pair, 9.3 MB of heap and as
// much of the executable's pages, stays out of memory until a resident
// chooses a Latin-script language.
type lazyFont struct {
	name string
	load func() []byte
	once sync.Once
	b    []byte
}

var _ fyne.Resource = (*lazyFont)(nil)

func newLazyFont(name string, load func() []byte) *lazyFont {
	return &lazyFont{name: name, load: load}
}

// Name returns the font file's name.
func (f *lazyFont) Name() string { return f.name }

// Content returns the font file, reading it the first time.
func (f *lazyFont) Content() []byte {
	f.once.Do(func() { f.b = f.load() })
	return f.b
}
