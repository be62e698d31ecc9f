package ui

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// Staff screen ids.
const (
	idStaffSignIn    = "staff.signin"
	idStaffMenu      = "staff.menu"
	idStaffApprove   = "staff.approve"
	idStaffCase      = "staff.case"
	idStaffPIN       = "staff.pin"
	idStaffDashboard = "staff.dashboard"
	idStaffSettings  = "staff.settings"
	idStaffExit      = "staff.exit"
)

// StaffConfig wires staff mode to the rest of the kiosk.
type StaffConfig struct {
	// Office is the store behind the staff screens (staff.NewOffice),
	// with the approval book the flow's staff.GuardedIssuer shares.
	Office  *staff.Office
	Profile *policy.Profile
	// Settings are the current settings (staff.LoadSettings at start).
	Settings staff.Settings
	// Languages are the language tags the kiosk has catalogues for.
	Languages []string
	// Work is the card side of counter cases (PIN reset, issuance); nil
	// leaves counter cases at the approval.
	Work staff.CardWork
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// ExportDir is the directory the export offers first.
	ExportDir string
	// OnSettings applies saved settings outside the UI (the flow's idle
	// timeout, the receipt printer); the UI applies the keypad, languages
	// and staff timeout itself.
	OnSettings func(staff.Settings)
	// OnAuditError hears audit writes that failed (printer faults); nil
	// drops them.
	OnAuditError func(error)
	// Quit closes the kiosk after a supervisor's exit; nil is Kiosk.Quit.
	Quit func()
	// Fleet is the central database for "All kiosks" (supervisors); nil
	// hides the screen (a kiosk that runs alone).
	Fleet staff.FleetSource
}

// StaffDesk is staff mode on one kiosk: the staff session, the counter
// case in progress and the staff screens' shared state. Create it with
// NewStaffDesk and pass its Hook as Options.Staff.
type StaffDesk struct {
	cfg       StaffConfig
	desk      *staff.Desk
	approvals *staff.Approvals
	counter   *staff.Counter
	settings  staff.Settings
	now       func() time.Time

	k      *Kiosk
	reason StaffReason
	// resume is the staff screen asked for without a live session; the
	// sign-in goes on to it.
	resume string
	// handedBy is the clerk who handed the terminal to the resident for a
	// counter case's PINs (their session ended at the hand-over).
	handedBy string
	cur      *staff.Case
	pins     *staff.PINEntry
}

var (
	desksMu sync.Mutex
	desks   = map[*Kiosk]*StaffDesk{}
)

func deskOf(k *Kiosk) *StaffDesk {
	desksMu.Lock()
	defer desksMu.Unlock()
	return desks[k]
}

// NewStaffDesk builds staff mode from cfg.
func NewStaffDesk(cfg StaffConfig) *StaffDesk {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	ap := cfg.Office.Approvals()
	if cfg.Settings.Profile == "" {
		cfg.Settings = staff.Defaults(cfg.Profile)
	}
	d := &StaffDesk{cfg: cfg, approvals: ap, settings: cfg.Settings, now: now,
		desk:    cfg.Office.NewDesk(now, cfg.Settings.StaffTimeout),
		counter: cfg.Office.Counter(cfg.Profile)}
	return d
}

// Attach binds the desk to a kiosk (Hook does it on first use) and applies
// the settings the kiosk shows (scrambled keypad).
func (d *StaffDesk) Attach(k *Kiosk) {
	desksMu.Lock()
	desks[k] = d
	desksMu.Unlock()
	d.k = k
	k.onPrinted(d.printed)
	k.onEverySecond(func() { d.CheckTimeout() })
	k.ApplySettings(d.settings)
}

// printed audits a receipt printer fault (a code, nothing personal); the
// dashboard shows the kiosk's last fault.
func (d *StaffDesk) printed(code string) {
	if code == "" {
		return
	}
	d.auditError(d.cfg.Office.RecordPrinterFault(d.ctx(), code))
}

// auditError passes an audit write that failed where no clerk sees a screen
// (a printer fault, the end of a case handed to the resident) to
// OnAuditError.
func (d *StaffDesk) auditError(err error) {
	if err != nil && d.cfg.OnAuditError != nil {
		d.cfg.OnAuditError(err)
	}
}

// KindPrinterFault is the audit event of a receipt that did not print.
const KindPrinterFault = staff.KindPrinterFault

// Hook is the kiosk's staff hook (Options.Staff): the hidden corner, the
// staff key, the close request and the clerk's button on the waiting screen
// all come here. Without a signed-in clerk it asks for the sign-in.
func (d *StaffDesk) Hook(k *Kiosk, why StaffReason) {
	if d.k != k {
		d.Attach(k)
	}
	d.reason = why
	d.resume = ""
	if _, ok := d.desk.Clerk(); !ok {
		k.Show(idStaffSignIn)
		return
	}
	d.desk.Touch()
	d.route()
}

// route shows the screen the staff request was for.
func (d *StaffDesk) route() {
	if id := d.resume; id != "" {
		d.resume = ""
		d.k.Show(id)
		return
	}
	switch {
	case d.reason == StaffExit:
		d.k.Show(idStaffExit)
	case d.reason == StaffApprove || d.waiting():
		d.k.Show(idStaffApprove)
	default:
		d.k.Show(idStaffMenu)
	}
}

// ResidentHeld reports whether screen id is one the resident holds: every
// screen of the resident flow, and the counter case's PIN entry, which the
// clerk hands over.
func ResidentHeld(id string) bool {
	return id == idStaffPIN || !strings.HasPrefix(id, "staff.")
}

// gate is the staff-session rule, applied by the kiosk to every screen it is
// about to show, so that no path around it exists: a screen the resident
// holds ends the staff session (whoever left it open), and a staff screen
// other than the sign-in needs a live session, else the sign-in is shown
// and goes on to that screen afterwards. It returns the screen to show.
func (d *StaffDesk) gate(id string) string {
	if ResidentHeld(id) {
		if c, ok := d.desk.Clerk(); ok {
			d.handedBy = c.ID
			d.desk.SignOut()
		}
		return id
	}
	if id == idStaffSignIn {
		return id
	}
	if _, ok := d.desk.Clerk(); !ok {
		d.resume = id
		return idStaffSignIn
	}
	return id
}

// waiting reports whether the resident's session waits for a clerk's approval.
func (d *StaffDesk) waiting() bool {
	s := d.k.Snapshot()
	return s.State == flow.StateWaitApproval && s.Ticket != nil
}

// Desk returns the staff session.
func (d *StaffDesk) Desk() *staff.Desk { return d.desk }

// Approvals returns the approval book (for the flow's GuardedIssuer).
func (d *StaffDesk) Approvals() *staff.Approvals { return d.approvals }

// Settings returns the settings in force.
func (d *StaffDesk) Settings() staff.Settings { return d.settings }

// Case returns the counter case in progress, if any.
func (d *StaffDesk) Case() *staff.Case { return d.cur }

// clerk returns the signed-in clerk's ID, or leaves staff mode when the
// session is over.
func (d *StaffDesk) clerk() (staff.Clerk, bool) {
	c, ok := d.desk.Clerk()
	if !ok {
		d.leave()
		return c, false
	}
	d.desk.Touch()
	return c, true
}

// leave ends staff mode on screen: the case's PIN buffers are wiped, the
// clerk signed out and the resident's flow shown again.
func (d *StaffDesk) leave() {
	if d.pins != nil {
		d.pins.Wipe()
		d.pins = nil
	}
	d.cur = nil
	d.desk.SignOut()
	if d.k != nil {
		d.k.ShowFlow()
	}
}

// CheckTimeout ends a staff session that has been idle too long and returns
// the kiosk to the resident's screen; it reports whether it did. The kiosk's
// ticker calls it every second (Kiosk.StartTicker).
func (d *StaffDesk) CheckTimeout() bool {
	if d.desk.Expire() {
		d.leave()
		return true
	}
	return false
}

func (d *StaffDesk) ctx() context.Context { return context.Background() }

// staffScreen is the common part of the staff screens.
type staffScreen struct {
	k *Kiosk
	d *StaffDesk
}

func newStaffScreen(k *Kiosk) staffScreen { return staffScreen{k: k, d: deskOf(k)} }

// t translates.
func (s staffScreen) t(id string, kv ...any) string { return s.k.tr.T(id, kv...) }

// banner is the staff band on top of every staff screen: who is signed in,
// and that the screen is for staff.
func (s staffScreen) banner() fyne.CanvasObject {
	who := ""
	if s.d != nil {
		if c, ok := s.d.desk.Clerk(); ok {
			who = s.t("staff.banner.signed_in", "ID", c.ID, "Role", s.t("staff.role."+string(c.Role)))
		}
	}
	bg := canvas.NewRectangle(colPrimary)
	txt := canvas.NewText(s.t("staff.banner.mode")+"  "+who, colBackground)
	txt.TextStyle.Bold = true
	txt.TextSize = s.k.textSize() * 0.8
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(6, 6, 16, 16), txt))
}

// backToMenu is the secondary action that returns to the staff menu.
func (s staffScreen) backToMenu() Action {
	return Action{ID: "staff.menu", Label: s.t("staff.action.menu"), Icon: theme.NavigateBackIcon(), Do: func() {
		if _, ok := s.d.clerk(); ok {
			s.k.Show(idStaffMenu)
		}
	}}
}

// signOut is the secondary action that ends staff mode.
func (s staffScreen) signOut() Action {
	return Action{ID: "staff.signout", Label: s.t("staff.action.signout"), Icon: theme.LogoutIcon(), Do: s.d.leave}
}

// wrapToggle is a staff screen's choice: a light tile whose label wraps, so
// that rows of many choices (identity documents, kinds of case, languages)
// fit the 1280 panel; drawn with a blue border, a tick and bold blue text
// when on. The button under the label takes the taps.
func (s staffScreen) wrapToggle(id, label string, on bool, do func()) fyne.CanvasObject {
	b := s.k.Tappable(id, "", nil, do)
	b.Importance = widget.LowImportance
	bg := canvas.NewRectangle(colCardSurface)
	bg.CornerRadius = 8
	bg.StrokeColor, bg.StrokeWidth = colSeparator, 2
	l := Body(label)
	if on {
		bg.FillColor, bg.StrokeColor, bg.StrokeWidth = colHeader, colPrimary, 3
		l = Emphasis("✓ "+label, theme.ColorNamePrimary)
	}
	l.Alignment = fyne.TextAlignCenter
	return AtLeast(container.NewStack(bg, b, container.NewVBox(layout.NewSpacer(), l, layout.NewSpacer())), 120, MinTarget)
}

// noDesk is the page shown when staff mode is not wired (a programming error).
func noDesk(k *Kiosk) Page {
	return Page{Title: k.tr.T("staff.title.signin"), Body: Body(k.tr.T("staff.error.unavailable")),
		Secondary: []Action{{ID: "staff.back", Label: k.tr.T("staff.action.back_to_kiosk"), Do: k.ShowFlow}}}
}
