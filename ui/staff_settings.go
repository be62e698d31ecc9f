package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// idleChoices and staffChoices are the timeouts offered, in seconds.
var (
	idleChoices  = []int{30, 60, 90, 120, 180, 300}
	staffChoices = []int{60, 180, 300, 600, 900}
)

// staffSettings changes the kiosk settings (supervisors): profile, idle
// timeout, staff timeout, languages offered, scrambled keypad, receipt
// printing. Saving writes each change to the audit trail through the store
// and applies it at once.
type staffSettings struct {
	staffScreen
	draft   staff.Settings
	printer *widget.Entry
	msg     string
	msgErr  bool
}

func init() {
	Register(idStaffSettings, func(k *Kiosk) Screen {
		s := &staffSettings{staffScreen: newStaffScreen(k), printer: widget.NewEntry()}
		if s.d != nil {
			s.draft = s.d.settings
			s.draft.Languages = slices.Clone(s.d.settings.Languages)
			s.printer.SetText(s.draft.Printer)
		}
		return s
	})
}

// PrinterEntry is the printer field (tests).
func (s *staffSettings) PrinterEntry() *widget.Entry { return s.printer }

func secondsLabel(tr func(string, ...any) string, n int) string {
	if n%60 == 0 {
		return tr("staff.settings.minutes", "N", n/60)
	}
	return tr("staff.settings.seconds", "N", n)
}

// Page lays out the settings as rows of choices.
func (s *staffSettings) Page(flow.Snapshot) Page {
	if s.d == nil {
		return noDesk(s.k)
	}
	if !s.d.desk.Supervisor() {
		return Page{Title: s.t("staff.title.settings"), Body: container.NewVBox(s.banner(), WarningPanel(s.t("staff.settings.supervisor_only"))),
			Secondary: []Action{s.backToMenu()}}
	}
	row := func(label string, items ...fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(Strong(label), container.NewGridWithColumns(max(len(items), 1), items...))
	}
	var profiles []fyne.CanvasObject
	for _, name := range policy.ProfileNames() {
		if !slices.Contains(policy.ProfileNames(), s.d.settings.Profile) {
			break // a profile from a file: the choice would not take effect
		}
		name := name
		lbl := name
		if p, err := policy.LoadProfile(name); err == nil {
			lbl = p.Name.In(s.k.tr.Lang())
		}
		profiles = append(profiles, s.wrapToggle("staff.settings.profile."+name, lbl, s.draft.Profile == name, func() { s.draft.Profile = name; s.changed() }))
	}
	var idle []fyne.CanvasObject
	for _, n := range idleChoices {
		n := n
		idle = append(idle, s.wrapToggle("staff.settings.idle."+strconv.Itoa(n), secondsLabel(s.t, n), s.draft.IdleTimeout == time.Duration(n)*time.Second,
			func() { s.draft.IdleTimeout = time.Duration(n) * time.Second; s.changed() }))
	}
	var st []fyne.CanvasObject
	for _, n := range staffChoices {
		n := n
		st = append(st, s.wrapToggle("staff.settings.staff."+strconv.Itoa(n), secondsLabel(s.t, n), s.draft.StaffTimeout == time.Duration(n)*time.Second,
			func() { s.draft.StaffTimeout = time.Duration(n) * time.Second; s.changed() }))
	}
	var langs []fyne.CanvasObject
	for _, l := range s.k.tr.Languages() {
		l := l
		on := slices.Contains(s.draft.Languages, l.Tag)
		langs = append(langs, s.k.InOwnFont(l.Tag, s.wrapToggle("staff.settings.lang."+l.Tag, l.Name, on, func() {
			if l.Tag == "ja" {
				return // Japanese is always offered, and first
			}
			if on {
				s.draft.Languages = slices.DeleteFunc(s.draft.Languages, func(x string) bool { return x == l.Tag })
			} else {
				s.draft.Languages = append(s.draft.Languages, l.Tag)
			}
			s.changed()
		})))
	}
	onoff := func(id string, v *bool) []fyne.CanvasObject {
		return []fyne.CanvasObject{
			s.wrapToggle(id+".on", s.t("staff.settings.on"), *v, func() { *v = true; s.changed() }),
			s.wrapToggle(id+".off", s.t("staff.settings.off"), !*v, func() { *v = false; s.changed() }),
		}
	}
	// Only settings that take effect appear: the profile row when the kiosk
	// runs an embedded profile (one from a file stays), the printer when
	// receipts are printed.
	rows := []fyne.CanvasObject{s.banner()}
	if s.msg != "" { // on top, where the supervisor looks after saving
		if s.msgErr {
			rows = append(rows, WarningPanel(s.msg))
		} else {
			rows = append(rows, Emphasis(s.msg, theme.ColorNameSuccess))
		}
	}
	if len(profiles) > 0 {
		rows = append(rows, row(s.t("staff.settings.profile"), profiles...))
	}
	rows = append(rows,
		row(s.t("staff.settings.idle"), idle...),
		row(s.t("staff.settings.staff_timeout"), st...),
		row(s.t("staff.settings.languages"), langs...),
		row(s.t("staff.settings.scramble"), onoff("staff.settings.scramble", &s.draft.Scramble)...),
		row(s.t("staff.settings.receipt_print"), onoff("staff.settings.receipt_print", &s.draft.ReceiptPrint)...),
		row(s.t("staff.settings.receipt_qr"), onoff("staff.settings.receipt_qr", &s.draft.ReceiptQR)...))
	if s.draft.ReceiptPrint {
		s.printer.SetPlaceHolder("tcp://192.0.2.10:9100, cups:QUEUE, spool:NAME, /dev/usb/lp0")
		rows = append(rows, container.NewVBox(Strong(s.t("staff.settings.printer")), AtLeast(s.printer, 640, MinTarget)))
	}
	return Page{Title: s.t("staff.title.settings"), Body: container.NewVBox(rows...), Wide: true,
		Primary:   &Action{ID: "staff.settings.save", Label: s.t("staff.action.save"), Icon: theme.DocumentSaveIcon(), Do: s.onSave},
		Secondary: []Action{s.backToMenu(), s.signOut()}}
}

// changed redraws after a choice; the last save's message goes, being about
// settings no longer shown.
func (s *staffSettings) changed() {
	s.msg, s.msgErr = "", false
	s.k.rebuild()
}

func (s *staffSettings) onSave() {
	c, ok := s.d.clerk()
	if !ok || !c.Supervisor() {
		return
	}
	s.draft.Printer = strings.TrimSpace(s.printer.Text)
	var avail []string
	for _, l := range s.k.tr.Languages() {
		avail = append(avail, l.Tag)
	}
	keys, err := s.d.cfg.Office.SaveSettings(s.d.ctx(), s.d.settings, s.draft, avail, c.ID)
	switch {
	case errors.Is(err, staff.ErrSetting):
		s.msg, s.msgErr = s.t("staff.settings.invalid"), true
	case err != nil:
		s.msg, s.msgErr = s.t("staff.error.store"), true
	default:
		s.d.apply(s.draft)
		s.msg, s.msgErr = s.t("staff.settings.saved", "N", len(keys)), false
	}
	s.k.rebuild()
}

// apply puts saved settings into force: the keypad and the staff timeout
// here, the rest through the program's callback.
func (d *StaffDesk) apply(s staff.Settings) {
	s.Languages = slices.Clone(s.Languages)
	if s.Profile != d.settings.Profile {
		if p, err := policy.LoadProfile(s.Profile); err == nil {
			d.cfg.Profile, d.counter.Profile = p, p
		}
	}
	d.settings = s
	if d.k != nil {
		d.k.ApplySettings(s)
	}
	d.desk.SetTimeout(s.StaffTimeout)
	if d.cfg.OnSettings != nil {
		d.cfg.OnSettings(s)
	}
}
