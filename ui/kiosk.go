// Package ui is the kiosk's Fyne front end: the theme, the widgets (step
// header, certificate card, keypads, PIN field) and one file per screen. It
// holds no rules: it renders the flow.Snapshot that package ui/flow returns
// and sends it events. Card I/O runs in the flow's tasks on other
// goroutines; their results come back to the UI goroutine through fyne.Do.
package ui

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// Session is the part of the flow state machine (*flow.Machine) the kiosk
// drives: events in, snapshots out. Calls are made on the UI goroutine only.
type Session interface {
	Handle(ev flow.Event) flow.Snapshot
	Snapshot() flow.Snapshot
	// ValidatePIN is the live check of a PIN being typed: the rule codes it
	// breaks for the PIN field now shown (empty: acceptable).
	ValidatePIN(draft []byte) []string
}

// StaffReason says why the kiosk calls the staff hook.
type StaffReason int

const (
	// StaffExit: something asked the kiosk to close (window close, Alt+F4,
	// Escape). Only signed-in staff may let it.
	StaffExit StaffReason = iota + 1
	// StaffMenu: the hidden staff gesture (five taps on the top-left corner
	// within three seconds) or the staff key (F12).
	StaffMenu
	// StaffApprove: the clerk's button on the waiting-for-approval screen.
	StaffApprove
)

// StaffHook is called on the UI goroutine when staff access is requested.
// The staff screens (staff sign-in, approvals, dashboard) set it and usually
// answer with k.Show("staff.signin"). Without a hook the request is ignored:
// there is no way out of the kiosk without staff credentials.
type StaffHook func(k *Kiosk, why StaffReason)

// Options configure a Kiosk.
type Options struct {
	// Scramble shuffles the keypad keys on every PIN screen (profile setting).
	Scramble bool
	// Rand is the source for scrambling; nil uses a random seed.
	Rand *rand.Rand
	// Staff is the staff hook (see StaffHook).
	Staff StaffHook
	// Demo marks every screen with a "demo" ribbon.
	Demo bool
	// TextSize is the body text size (default 28, the 1920×1080 panel).
	TextSize float32
	// Voice speaks the screens when the resident asks for voice guidance
	// (nil: no speech; the keys still work).
	Voice Voice
}

// Kiosk is the kiosk's window content: it renders the current screen for the
// session's snapshot and passes the screens' events to the session.
type Kiosk struct {
	app     fyne.App
	win     fyne.Window
	tr      *i18n.Catalogue
	session Session
	opts    Options
	rnd     *rand.Rand

	root        *fyne.Container
	snap        flow.Snapshot
	screenID    string
	screen      Screen
	override    string // a screen shown instead of the flow's (staff, reader missing)
	lastPage    fyne.CanvasObject
	buttons     map[string]*widget.Button
	readerOK    bool
	taps        int
	onRender    []func(id string)
	everySecond []func() // run on the UI goroutine after each flow.Tick (the staff timeout)
	tickStop    chan struct{}
	tickOnce    sync.Once
	lastRebuild uint64
	textNow     float32

	sink    *keySink  // holds Fyne's focus on resident screens (keys.go)
	pin     *PINField // the PIN field the keys type into, or nil
	order   []string  // button ids in focus order
	focus   string    // the button the keyboard focus is on
	primary string    // the id of the page's primary action
	page    Page      // the page now shown (voice guidance describes it)
	voice   voiceState
	large   bool // large text (display.go), for this session
	high    bool // high contrast, for this session
	small   bool // the window is the 1280×800 terminal's (display.go)
	prevID  string
	popup   *popupState // an open chooser that has the keys (keys.go)
	print   printing    // receipt printer and the settings shown (settings.go)
	// homeLang is the kiosk's language (the -lang flag): each resident's
	// session starts in it, whatever the one before chose.
	homeLang string
}

// panelLayout stacks the kiosk's layers and fits the text size to the
// panel: Options.TextSize on a full-HD panel, 22 px below 1600 px width
// (the 1280×800 terminals), so that two certificate cards fit side by side.
type panelLayout struct{ k *Kiosk }

func (l *panelLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if size.Width > 0 && l.k.fitText(size) {
		l.k.app.Settings().SetTheme(NewTheme(l.k.textNow).ForLang(l.k.tr.Lang()))
		if l.k.screen != nil {
			// The page was built for the other panel (its text size,
			// compact panels, the welcome screen's language row): build
			// it again; rebuild lays the new page out at this size.
			l.k.rebuild()
			return
		}
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *panelLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// New builds the kiosk for window w and shows the session's current
// snapshot. It sets the kiosk theme on a.
func New(a fyne.App, w fyne.Window, tr *i18n.Catalogue, s Session, opts Options) *Kiosk {
	if opts.TextSize == 0 {
		opts.TextSize = 28
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	a.Settings().SetTheme(NewTheme(opts.TextSize).ForLang(tr.Lang()))
	k := &Kiosk{app: a, win: w, tr: tr, session: s, opts: opts, rnd: rnd,
		buttons: map[string]*widget.Button{}, readerOK: true}
	k.textNow = opts.TextSize
	k.homeLang = tr.Lang()
	k.root = container.New(&panelLayout{k: k})
	tr.OnChange(func(tag string) {
		k.app.Settings().SetTheme(NewTheme(k.textNow).ForLang(tag))
		k.rebuild()
	})
	k.sink = newKeySink(k)
	k.voice.volume = defaultVolume
	w.SetContent(k.root)
	w.Canvas().SetOnTypedKey(k.onTypedKey)
	w.Canvas().SetOnTypedRune(func(r rune) {
		if k.residentKeys() {
			k.HandleRune(r)
		}
	})
	k.render(s.Snapshot())
	trimAfter(startTrimDelay) // the start-up's font parsing leaves garbage (fontmem.go)
	return k
}

// Window returns the kiosk's window.
func (k *Kiosk) Window() fyne.Window { return k.win }

// App returns the Fyne app.
func (k *Kiosk) App() fyne.App { return k.app }

// Tr returns the language catalogue.
func (k *Kiosk) Tr() *i18n.Catalogue { return k.tr }

// Snapshot returns the snapshot now shown.
func (k *Kiosk) Snapshot() flow.Snapshot { return k.snap }

// ScreenID returns the id of the screen now shown.
func (k *Kiosk) ScreenID() string { return k.screenID }

// Screen returns the screen now shown (tests reach its widgets through it).
func (k *Kiosk) Screen() Screen { return k.screen }

// Taps returns how many action-bar and screen buttons have been tapped
// (keypad characters excluded), for the tap budget of DESIGN §7.
func (k *Kiosk) Taps() int { return k.taps }

// ResetTaps sets the tap counter to zero.
func (k *Kiosk) ResetTaps() { k.taps = 0 }

// Button returns the action-bar or screen button registered under id on the
// current page ("next", "back", "cancel", "service.PIN_CHANGE.AUTH"...).
func (k *Kiosk) Button(id string) *widget.Button { return k.buttons[id] }

// OnRender registers f to be called after every render with the screen id.
func (k *Kiosk) OnRender(f func(id string)) { k.onRender = append(k.onRender, f) }

// Refresh renders the session's current snapshot again (after the session
// changed without an event from the kiosk, e.g. in screenshots).
func (k *Kiosk) Refresh() { k.render(k.session.Snapshot()) }

// Send hands an event to the session and renders the new snapshot. Call it
// on the UI goroutine only (screens' handlers run there).
func (k *Kiosk) Send(ev flow.Event) { k.render(k.session.Handle(ev)) }

// Post is Send for any goroutine: the event is handed over through fyne.Do.
// The flow's executor and the card monitor report through Post.
func (k *Kiosk) Post(ev flow.Event) { fyne.Do(func() { k.Send(ev) }) }

// Executor runs the flow's card tasks in goroutines and posts their results
// to a kiosk's UI goroutine. It exists before the kiosk (the flow machine
// needs it first); Bind connects it.
type Executor struct {
	k atomic.Pointer[Kiosk]
}

// Run runs task in a goroutine and hands its event to the bound kiosk.
func (e *Executor) Run(task func() flow.Event) {
	go func() {
		ev := task()
		if k := e.k.Load(); k != nil {
			k.Post(ev)
		}
	}()
}

// Bind sends the results of later tasks to k.
func (e *Executor) Bind(k *Kiosk) { e.k.Store(k) }

// CardInserted and CardRemoved are for the card monitor; any goroutine.
func (k *Kiosk) CardInserted() { k.Post(flow.CardInserted{}) }

// CardRemoved tells the session the card is gone; any goroutine.
func (k *Kiosk) CardRemoved() { k.Post(flow.CardRemoved{}) }

// SetReaderPresent shows the "reader missing" screen while no reader is
// connected; any goroutine.
func (k *Kiosk) SetReaderPresent(ok bool) {
	fyne.Do(func() {
		k.readerOK = ok
		k.rebuild()
	})
}

// Show displays a registered screen instead of the flow's screen until
// ShowFlow is called (staff screens use it). It must run on the UI goroutine.
func (k *Kiosk) Show(id string) {
	if !Registered(id) {
		fyne.LogError("ui: no screen "+id, nil)
		return
	}
	k.override = id
	k.rebuild()
}

// ShowFlow returns to the screen of the resident flow.
func (k *Kiosk) ShowFlow() {
	k.override = ""
	k.rebuild()
}

// StartTicker sends flow.Tick every second until Stop; the session's idle
// countdown and approval polling run on it, and the staff timeout (the
// kiosk's one ticker).
func (k *Kiosk) StartTicker() {
	k.tickStop = make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fyne.Do(k.tick)
			case <-k.tickStop:
				return
			}
		}
	}()
}

// tick is one second on the UI goroutine.
func (k *Kiosk) tick() {
	k.Send(flow.Tick{})
	for _, f := range k.everySecond {
		f()
	}
}

// onEverySecond runs f on the UI goroutine every second the ticker runs.
func (k *Kiosk) onEverySecond(f func()) { k.everySecond = append(k.everySecond, f) }

// Stop ends the ticker and disposes of the current screen (wiping PIN buffers).
func (k *Kiosk) Stop() {
	k.tickOnce.Do(func() {
		if k.tickStop != nil {
			close(k.tickStop)
		}
	})
	k.dispose()
}

// Quit closes the kiosk without asking: for the staff exit after sign-in.
func (k *Kiosk) Quit() {
	k.Stop()
	k.app.Quit()
}

// Lockdown makes the window a kiosk: full screen (unless windowed, for
// development), no close without the staff hook, screen blanking off.
func (k *Kiosk) Lockdown(windowed bool) {
	if !windowed {
		k.win.SetFullScreen(true)
	}
	k.win.SetPadded(false)
	k.win.SetCloseIntercept(func() { k.staff(StaffExit) })
	k.app.Driver().SetDisableScreenBlanking(true)
}

func (k *Kiosk) staff(why StaffReason) {
	if k.opts.Staff != nil {
		k.opts.Staff(k, why)
	}
}

// onTypedKey gets the keys when nothing has Fyne's focus (the key sink
// normally has it on resident screens): the same dispatcher, and on staff
// screens only the staff keys.
func (k *Kiosk) onTypedKey(e *fyne.KeyEvent) {
	if k.residentKeys() {
		k.HandleKey(e)
		return
	}
	switch e.Name {
	case fyne.KeyEscape:
		k.staff(StaffExit)
	case fyne.KeyF12:
		k.staff(StaffMenu)
	}
}

// render shows snapshot s: a new screen when the screen changes, otherwise
// the same screen asked again (only when something changed).
// SetHomeLanguage sets the kiosk's own language, the one each resident's
// session starts in (the -lang flag), and switches to it now. Tools that
// render every screen in several languages set it per language.
func (k *Kiosk) SetHomeLanguage(tag string) bool {
	if !k.tr.SetLang(tag) {
		return false
	}
	k.homeLang = tag
	return true
}

func (k *Kiosk) render(s flow.Snapshot) {
	prev := k.snap
	k.snap = s
	k.maybePrint(s)
	if s.State == flow.StateInsertCard && prev.State != flow.StateInsertCard && k.tr.Lang() != k.homeLang {
		// A session ended: the next resident finds the kiosk in its own
		// language, not in the one the last resident chose.
		k.tr.SetLang(k.homeLang)
	}
	id := k.currentID()
	if id == k.screenID && k.screen != nil && s.Seq == prev.Seq && s.Seq == k.lastRebuild {
		return
	}
	k.rebuild()
}

func (k *Kiosk) currentID() string {
	switch {
	case k.override != "":
		return k.override
	case !k.readerOK:
		return idReaderMissing
	}
	return k.snap.State.String()
}

// rebuild asks the current screen for its page again (after a language
// switch, or a new snapshot) and frames it.
func (k *Kiosk) rebuild() {
	id := k.currentID()
	handOver := id == flow.StateInsertCard.String() && k.prevID != "" && k.prevID != id && k.override == ""
	if handOver {
		k.resetResident()
	}
	k.prevID = id
	if d := deskOf(k); d != nil {
		if g := d.gate(id); g != id {
			k.override, id = g, g
		}
	}
	if id != k.screenID || k.screen == nil {
		k.dispose()
		f, ok := registry[id]
		if !ok {
			f = registry[idUnknownState]
		}
		k.screenID = id
		k.screen = f(k)
	}
	k.lastRebuild = k.snap.Seq
	k.buttons = map[string]*widget.Button{}
	k.order, k.focus, k.primary, k.pin = nil, "", "", nil
	page := k.screen.Page(k.snap)
	if k.tr.Lang() == i18n.EasyJapanese {
		page = easyReadings(page)
	}
	k.page = page
	framed := k.frame(page)
	if page.Overlay && k.lastPage != nil {
		k.root.Objects = []fyne.CanvasObject{k.sink, k.lastPage, newBlocker(), framed}
	} else {
		k.root.Objects = []fyne.CanvasObject{k.sink, framed}
		k.lastPage = framed
	}
	k.root.Refresh()
	if handOver {
		k.releaseFonts()
	}
	if f, ok := k.screen.(Framer); ok {
		f.Framed()
	}
	k.grabKeys()
	if pf, ok := page.Focus.(*PINField); ok && k.residentKeys() {
		k.pin = pf
		pf.OnTap = k.grabKeys
		pf.FocusGained()
	} else if page.Focus != nil {
		k.win.Canvas().Focus(page.Focus)
	}
	k.spokenPage(id, page, framed)
	for _, f := range k.onRender {
		f(id)
	}
}

func (k *Kiosk) dispose() {
	if d, ok := k.screen.(Disposer); ok {
		d.Dispose()
	}
	k.screen = nil
}

// frame puts the step header, the body and the action bar around a page.
func (k *Kiosk) frame(p Page) fyne.CanvasObject {
	var actions []fyne.CanvasObject
	for _, a := range p.Secondary {
		_, o := k.actionButton(a, false)
		actions = append(actions, o)
	}
	actions = append(actions, layout.NewSpacer())
	if p.Primary != nil {
		_, o := k.actionButton(*p.Primary, true)
		actions = append(actions, o)
		k.primary = p.Primary.ID
	}
	barTop, barBottom := float32(16), float32(24)
	if k.Compact() && k.large { // large text on 1280×800: every pixel for the body
		barTop, barBottom = 8, 8
	}
	bar := container.New(layout.NewCustomPaddedLayout(barTop, barBottom, 48, 48), container.NewHBox(actions...))
	side := float32(64)
	if p.Wide {
		side = 32
	}
	var body fyne.CanvasObject = widget.NewLabel("")
	if p.Body != nil {
		body = p.Body
	}
	top := float32(24)
	if k.Compact() {
		top = 12
		if k.large {
			top = 4
		}
	}
	body = container.New(layout.NewCustomPaddedLayout(top, 8, side, side), body)
	if p.Overlay {
		// The screen underneath keeps its header in view: the overlay has
		// only its title, not a second step header.
		title := container.New(layout.NewCustomPaddedLayout(24, 0, 48, 48), Heading(p.Title))
		panel := Panel(colBackground, container.NewBorder(title, bar, nil, nil, body))
		return container.NewCenter(AtLeast(panel, 1100, 560))
	}
	return container.NewBorder(k.stepHeader(p.Title), container.NewVBox(widget.NewSeparator(), bar), nil, nil, container.NewVScroll(body))
}

// actionButton builds an action-bar button and registers it under its id.
func (k *Kiosk) actionButton(a Action, primary bool) (*widget.Button, fyne.CanvasObject) {
	do := a.Do
	tapped := func() {
		k.taps++
		if do != nil {
			do()
		}
	}
	var b *widget.Button
	var o fyne.CanvasObject
	if primary {
		b, o = PrimaryButton(a.Label, a.Icon, tapped)
	} else {
		b, o = SecondaryButton(a.Label, a.Icon, tapped)
	}
	if a.Danger {
		b.Importance = widget.DangerImportance
	}
	if k.snap.Busy && k.override == "" {
		b.Disable()
	}
	if a.ID != "" {
		k.buttons[a.ID] = b
		k.order = append(k.order, a.ID)
	}
	return b, o
}

// Tappable returns a button for a screen's body that counts as a tap and is
// registered under id (service tiles, certificate choices).
func (k *Kiosk) Tappable(id, label string, icon fyne.Resource, do func()) *widget.Button {
	return k.button(id, label, icon, do, true)
}

// Control is Tappable for a button that is not a step of a service (show the
// PIN, choose a language): it counts no tap.
func (k *Kiosk) Control(id, label string, icon fyne.Resource, do func()) *widget.Button {
	return k.button(id, label, icon, do, false)
}

func (k *Kiosk) button(id, label string, icon fyne.Resource, do func(), count bool) *widget.Button {
	b := widget.NewButtonWithIcon(label, icon, func() {
		if count {
			k.taps++
		}
		if do != nil {
			do()
		}
	})
	if id != "" {
		k.buttons[id] = b
		k.order = append(k.order, id)
	}
	return b
}

// stepHeader is the band at the top of every screen: "ステップ 2 / 5", the
// screen title, and the language button.
func (k *Kiosk) stepHeader(title string) fyne.CanvasObject {
	st := k.snap.Step
	var left []fyne.CanvasObject
	if st.N > 0 && k.override == "" {
		step := canvas.NewText(k.tr.T("header.step", "K", st.K, "N", st.N), colPrimary)
		step.TextStyle.Bold = true
		step.TextSize = k.textSize() * 1.1
		left = append(left, container.NewCenter(step), widget.NewSeparator())
	}
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameSubHeadingText
	t.Truncation = fyne.TextTruncateEllipsis
	// On the 1280×800 panel and in large text the language and display
	// buttons show their icons only (the title must not be cut); voice
	// guidance keeps its label, and the welcome screen names every language.
	narrow := k.Compact() || k.large
	label := func(id string) string {
		if narrow {
			return ""
		}
		return k.tr.T(id)
	}
	lang := k.Control("language", label("header.language"), languageIcon, k.onLanguage)
	right := []fyne.CanvasObject{AtLeast(lang, MinTarget, MinTarget)}
	if !narrow {
		right[0] = AtLeast(lang, 200, MinTarget)
	}
	if k.residentKeys() {
		voice := k.Control("voice", k.tr.T("header.voice"), theme.VolumeUpIcon(), k.voiceKey)
		display := k.Control("display", label("header.display"), theme.VisibilityIcon(), k.onDisplay)
		right = append([]fyne.CanvasObject{AtLeast(voice, 160, MinTarget), AtLeast(display, MinTarget, MinTarget)}, right...)
	}
	if k.opts.Demo {
		right = append([]fyne.CanvasObject{container.NewCenter(Badge(k.tr.T("header.demo"), theme.ColorNameError))}, right...)
	}
	bg := canvas.NewRectangle(colHeader)
	row := container.NewBorder(nil, nil, container.NewHBox(left...), container.NewHBox(right...), t)
	line := canvas.NewRectangle(colPrimary)
	line.SetMinSize(fyne.NewSize(0, 4))
	pad, side := float32(12), float32(48)
	if k.Compact() && k.large {
		pad, side = 6, 24
	}
	band := container.NewStack(bg, newStaffCorner(k), container.New(layout.NewCustomPaddedLayout(pad, pad, side, 32), row))
	return container.NewVBox(band, line)
}

func (k *Kiosk) textSize() float32 { return k.textNow }

// Compact reports whether the kiosk is laid out for the smaller terminal
// (1280×800, or text below 28 px): screens then drop repeated explanations and
// use tighter panels and keys so that nothing needs scrolling.
func (k *Kiosk) Compact() bool { return k.small || k.textNow < 28 }

// onLanguage opens the language chooser: one big button per language,
// each written in its own language.
func (k *Kiosk) onLanguage() {
	var pop *widget.PopUp
	var cells []fyne.CanvasObject
	for _, l := range k.Offered() {
		l := l
		b := widget.NewButton(l.Name, func() {
			pop.Hide()
			k.tr.SetLang(l.Tag)
		})
		if l.Tag == k.tr.Lang() {
			b.Importance = widget.HighImportance
		}
		k.buttons["lang."+l.Tag] = b
		cells = append(cells, k.InOwnFont(l.Tag, AtLeast(b, 320, KeyHeight)))
	}
	title := Heading(k.tr.T("header.choose_language"))
	closeB := widget.NewButtonWithIcon(k.tr.T("action.close"), theme.CancelIcon(), func() { pop.Hide() })
	k.buttons["lang.close"] = closeB
	content := container.NewVBox(title, container.NewGridWithColumns(2, cells...), widget.NewSeparator(),
		container.NewHBox(layout.NewSpacer(), AtLeast(closeB, 240, MinTarget)))
	pop = widget.NewModalPopUp(container.NewStack(container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), content)), k.win.Canvas())
	var ids []string
	for _, l := range k.tr.Languages() {
		ids = append(ids, "lang."+l.Tag)
	}
	k.openPopup(pop, k.tr.T("header.choose_language"), append(ids, "lang.close"))
}

// InOwnFont shows o (a language's name) in the font of language tag: the
// font of the language now shown may lack its letters (BIZ UDGothic has no
// Hangul, the CJK subset no kanji beyond Chinese). Latin-script names stay
// in the font now shown.
func (k *Kiosk) InOwnFont(tag string, o fyne.CanvasObject) fyne.CanvasObject {
	th := NewTheme(k.textNow).ForLang(k.tr.Lang()).nameTheme(tag)
	if th == nil {
		return o
	}
	return container.NewThemeOverride(o, th)
}

// staffCorner is an invisible tap target in the header's top-left corner:
// five taps within three seconds call the staff hook (StaffMenu).
type staffCorner struct {
	widget.BaseWidget
	k     *Kiosk
	times []time.Time
}

func newStaffCorner(k *Kiosk) *fyne.Container {
	c := &staffCorner{k: k}
	c.ExtendBaseWidget(c)
	c.Resize(c.MinSize())
	return container.NewWithoutLayout(c)
}

func (c *staffCorner) CreateRenderer() fyne.WidgetRenderer {
	r := canvas.NewRectangle(colHeader)
	return widget.NewSimpleRenderer(r)
}

func (c *staffCorner) MinSize() fyne.Size { return fyne.NewSize(48, 48) }

func (c *staffCorner) Tapped(*fyne.PointEvent) {
	now := time.Now()
	keep := c.times[:0]
	for _, t := range c.times {
		if now.Sub(t) < 3*time.Second {
			keep = append(keep, t)
		}
	}
	c.times = append(keep, now)
	if len(c.times) >= 5 {
		c.times = nil
		c.k.staff(StaffMenu)
	}
}

// blocker dims what lies under an overlay and swallows taps meant for it.
type blocker struct{ widget.BaseWidget }

func newBlocker() *blocker {
	b := &blocker{}
	b.ExtendBaseWidget(b)
	return b
}

func (b *blocker) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(colShadow))
}

// Tapped swallows the tap.
func (b *blocker) Tapped(*fyne.PointEvent) {}
