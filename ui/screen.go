package ui

import (
	"fyne.io/fyne/v2"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Screen is one full-screen page of the kiosk. A screen is a small struct
// holding its widgets and its Kiosk, built by a Factory when the kiosk
// enters it, and asked for its Page every time the snapshot changes or the
// language switches (so widgets that must survive a re-render, such as a PIN
// field, live in the struct).
type Screen interface {
	Page(s flow.Snapshot) Page
}

// Disposer is implemented by screens that hold something to wipe or stop
// when the kiosk leaves them (PIN buffers, animations).
type Disposer interface {
	Dispose()
}

// Framer is implemented by screens that need their framed page (with the
// action bar's buttons) before the first paint, to enable or disable them.
type Framer interface {
	Framed()
}

// Factory builds a screen for a kiosk.
type Factory func(k *Kiosk) Screen

// Page is what a screen shows. The kiosk frames it the same way on every
// screen: the step header with the title and the language button on top, the
// body in the middle, the actions at the bottom (secondary actions on the
// left, the one primary action on the right).
type Page struct {
	Title     string            // translated screen title
	Body      fyne.CanvasObject // the screen's content
	Primary   *Action           // the one primary action, or nil
	Secondary []Action          // back, cancel, finish...
	Overlay   bool              // draw over the previous page (the idle countdown)
	Focus     fyne.Focusable    // focused when shown (the PIN field)
	Wide      bool              // use the full width (no side margins)
}

// Action is a button of the action bar.
type Action struct {
	ID     string        // stable name for tests and tap counting: "next", "back", "cancel"...
	Label  string        // translated label
	Icon   fyne.Resource // optional
	Do     func()
	Danger bool // drawn in the warning colour (the last PIN try)
}

var registry = map[string]Factory{}

// Register adds a screen under id. Resident screens use the flow state's
// code (flow.StateStatus.String() = "STATUS"); other screens use a dotted
// name of their own ("staff.signin", "kiosk.reader_missing"). Each screen
// file registers itself in an init function; a duplicate id panics.
func Register(id string, f Factory) {
	if _, dup := registry[id]; dup {
		panic("ui: duplicate screen " + id)
	}
	registry[id] = f
}

// registerPage registers the screen of a flow state that keeps nothing of
// its own between snapshots: its page is a function of the kiosk and the
// snapshot.
func registerPage(st flow.State, page func(k *Kiosk, s flow.Snapshot) Page) {
	Register(st.String(), func(k *Kiosk) Screen { return pageScreen{k: k, page: page} })
}

// pageScreen is a screen made of a page function.
type pageScreen struct {
	k    *Kiosk
	page func(k *Kiosk, s flow.Snapshot) Page
}

// Page builds the page.
func (p pageScreen) Page(s flow.Snapshot) Page { return p.page(p.k, s) }

// Registered reports whether a screen is registered under id.
func Registered(id string) bool { _, ok := registry[id]; return ok }
