package ui

import (
	"errors"
	"image/color"
	"os"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// staffDashboard shows today's sessions by hour (a bar chart) and by
// outcome, tickets waiting, approvals pending and PIN lockouts seen, and
// exports the audit trail of a date range as CSV to a chosen directory.
type staffDashboard struct {
	staffScreen
	from, to, dir *widget.Entry
	result        string
	resultErr     bool
}

func init() {
	Register(idStaffDashboard, func(k *Kiosk) Screen {
		d := &staffDashboard{staffScreen: newStaffScreen(k), from: widget.NewEntry(), to: widget.NewEntry(), dir: widget.NewEntry()}
		if d.d != nil {
			today := policy.DateOf(d.d.now()).String()
			d.from.SetText(today)
			d.to.SetText(today)
			dir := d.d.cfg.ExportDir
			if dir == "" {
				dir, _ = os.UserHomeDir()
			}
			d.dir.SetText(dir)
		}
		return d
	})
}

// Entries returns the export fields (tests).
func (d *staffDashboard) Entries() (from, to, dir *widget.Entry) { return d.from, d.to, d.dir }

// Page shows the counts, the charts and the export.
func (d *staffDashboard) Page(flow.Snapshot) Page {
	if d.d == nil {
		return noDesk(d.k)
	}
	db, err := d.d.cfg.Office.Today(d.d.ctx(), d.d.now())
	rows := []fyne.CanvasObject{d.banner()}
	if d.result != "" { // the export's outcome, at the top where the supervisor looks
		if d.resultErr {
			rows = append(rows, WarningPanel(d.result))
		} else {
			rows = append(rows, Emphasis(d.result, theme.ColorNameSuccess))
		}
	}
	if err != nil {
		rows = append(rows, WarningPanel(d.t("staff.error.store")))
	}
	rows = append(rows, Heading(d.t("staff.dash.lead", "Date", d.k.tr.Date(db.Date))))
	if f := d.k.PrinterFault(); f != "" { // the last receipt did not print
		rows = append(rows, WarningPanel(d.t("staff.dash.printer_fault", "Fault", d.t("staff.printer."+f))))
	}
	count := func(id string, label string, n int, warn bool) fyne.CanvasObject {
		num := widget.NewLabelWithStyle(strconv.Itoa(n), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		num.SizeName = theme.SizeNameHeadingText
		if warn && n > 0 {
			num.Importance = widget.DangerImportance
		}
		l := widget.NewLabelWithStyle(label, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return Panel(colHeader, container.NewVBox(l, num))
	}
	rows = append(rows, container.NewGridWithColumns(5,
		count("sessions", d.t("staff.dash.sessions"), db.Sessions, false),
		count("waiting", d.t("staff.dash.waiting"), db.TicketsWaiting, false),
		count("approvals", d.t("staff.dash.approvals"), db.ApprovalsPending, true),
		count("lockouts", d.t("staff.dash.lockouts"), db.PINLockouts, true),
		count("staff_lockouts", d.t("staff.dash.staff_lockouts"), db.StaffLockouts, true)))
	rows = append(rows, container.NewGridWithColumns(2,
		container.NewVBox(Strong(d.t("staff.dash.by_hour")), d.chart(db.Hours, func(b staff.Bar) string { return b.Label })),
		container.NewVBox(Strong(d.t("staff.dash.by_outcome")), d.chart(db.Outcomes, func(b staff.Bar) string { return d.t("staff.outcome." + b.Label) }))))

	// Export.
	choose := d.k.Control("staff.export.choose", d.t("staff.export.choose"), theme.FolderOpenIcon(), d.onChoose)
	rows = append(rows, widget.NewSeparator(), Strong(d.t("staff.export.lead")),
		container.NewGridWithColumns(2,
			container.NewBorder(nil, nil, widget.NewLabel(d.t("staff.export.from")), nil, AtLeast(d.from, 240, MinTarget)),
			container.NewBorder(nil, nil, widget.NewLabel(d.t("staff.export.to")), nil, AtLeast(d.to, 240, MinTarget))),
		container.NewBorder(nil, nil, widget.NewLabel(d.t("staff.export.dir")), AtLeast(choose, 240, MinTarget), AtLeast(d.dir, 400, MinTarget)))
	p := Page{Title: d.t("staff.title.dashboard"), Body: container.NewVBox(rows...), Wide: true,
		Secondary: []Action{d.backToMenu(), d.signOut(), {ID: "staff.dash.refresh", Label: d.t("staff.action.refresh"), Icon: theme.ViewRefreshIcon(),
			Do: func() {
				if _, ok := d.d.clerk(); ok {
					d.k.rebuild()
				}
			}}}}
	if d.d.desk.Supervisor() {
		p.Primary = &Action{ID: "staff.export", Label: d.t("staff.action.export"), Icon: theme.DownloadIcon(), Do: d.onExport}
	} else {
		p.Body = container.NewVBox(p.Body, Body(d.t("staff.export.supervisor_only")))
	}
	return p
}

// chartHeight is the height of a full bar.
const chartHeight = 120

// chart draws one bar per entry with canvas rectangles: the bar's height is
// its share of the tallest, the count above and the label below.
func (d *staffDashboard) chart(bars []staff.Bar, label func(staff.Bar) string) fyne.CanvasObject {
	const h = chartHeight
	var cols []fyne.CanvasObject
	for _, b := range bars {
		bar := canvas.NewRectangle(colPrimary)
		bar.CornerRadius = 4
		bh := float32(h) * b.Frac
		if b.Count > 0 {
			bh = max(bh, 4)
		}
		bar.SetMinSize(fyne.NewSize(28, bh))
		space := canvas.NewRectangle(color.Transparent)
		space.SetMinSize(fyne.NewSize(28, h-bh))
		n := canvas.NewText(strconv.Itoa(b.Count), colForeground)
		n.Alignment = fyne.TextAlignCenter
		n.TextSize = d.k.textSize() * 0.7
		// The label wraps (an outcome is a few words), so that the charts
		// side by side fit the 1280 panel.
		l := Body(label(b))
		l.SizeName = theme.SizeNameCaptionText
		l.Alignment = fyne.TextAlignCenter
		cols = append(cols, container.NewVBox(space, n, container.NewCenter(bar), Tight(l)))
	}
	return Panel(colBackground, container.New(layout.NewGridLayoutWithColumns(max(len(cols), 1)), cols...))
}

func (d *staffDashboard) onChoose() {
	if _, ok := d.d.clerk(); !ok {
		return
	}
	dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err == nil && u != nil {
			d.dir.SetText(u.Path())
		}
	}, d.k.win)
}

func (d *staffDashboard) onExport() {
	if !d.d.desk.Supervisor() {
		return
	}
	d.d.desk.Touch()
	path, n, err := d.d.cfg.Office.Export(d.d.ctx(), d.clerkID(), strings.TrimSpace(d.dir.Text), strings.TrimSpace(d.from.Text), strings.TrimSpace(d.to.Text))
	switch {
	case errors.Is(err, staff.ErrNotRecorded): // the file is there, the trail lacks it
		d.result, d.resultErr = d.t("staff.export.done", "N", n, "Path", path)+" "+d.t("staff.error.store"), true
	case err != nil:
		d.result, d.resultErr = d.t("staff.export.error"), true
	default:
		d.result, d.resultErr = d.t("staff.export.done", "N", n, "Path", path), false
	}
	d.k.rebuild()
}
