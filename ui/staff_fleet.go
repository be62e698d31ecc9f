package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// idStaffFleet is "全窓口 / All kiosks": every kiosk of the city from the
// central database (supervisors; only when StaffConfig.Fleet is set).
const idStaffFleet = "staff.fleet"

// staffFleet lists each kiosk's last event, lag, health and today's counts,
// and exports this month's events of all kiosks as CSV.
type staffFleet struct {
	staffScreen
	result    string
	resultErr bool
}

func init() {
	Register(idStaffFleet, func(k *Kiosk) Screen { return &staffFleet{staffScreen: newStaffScreen(k)} })
}

func (f *staffFleet) onExport() {
	if _, ok := f.d.clerk(); !ok || f.d.cfg.Fleet == nil || !f.d.desk.CanSeeFleet() {
		return
	}
	f.d.desk.Touch()
	dir := f.d.cfg.ExportDir
	if dir == "" {
		dir, _ = os.UserHomeDir()
	}
	from, to := staff.FleetMonth(f.d.now())
	path, n, err := f.d.cfg.Office.ExportFleet(f.d.ctx(), f.d.cfg.Fleet, f.clerkID(), dir, from, to)
	if err != nil {
		f.result, f.resultErr = f.t("staff.export.error"), true
	} else {
		f.result, f.resultErr = f.t("staff.export.done", "N", n, "Path", path), false
	}
	f.k.rebuild()
}

// Page reads the central database once per showing (Refresh reads again).
func (f *staffFleet) Page(flow.Snapshot) Page {
	if f.d == nil {
		return noDesk(f.k)
	}
	rows := []fyne.CanvasObject{f.banner()}
	p := Page{Title: f.t("staff.title.fleet"), Wide: true,
		Secondary: []Action{f.backToMenu(), f.signOut(), {ID: "staff.fleet.refresh", Label: f.t("staff.action.refresh"), Icon: theme.ViewRefreshIcon(),
			Do: func() {
				if _, ok := f.d.clerk(); ok {
					f.k.rebuild()
				}
			}}}}
	if f.d.cfg.Fleet == nil || !f.d.desk.CanSeeFleet() {
		p.Body = container.NewVBox(append(rows, Body(f.t("staff.fleet.supervisor_only")))...)
		return p
	}
	now := f.d.now()
	ks, err := f.d.cfg.Fleet.Kiosks(f.d.ctx(), staff.FleetDate(now), now)
	if err != nil {
		p.Body = container.NewVBox(append(rows, WarningPanel(f.t("staff.fleet.error")))...)
		return p
	}
	head := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(f.t(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	grid := []fyne.CanvasObject{head("staff.fleet.kiosk"), head("staff.fleet.last"), head("staff.fleet.lag"),
		head("staff.fleet.health"), head("staff.fleet.sessions"), head("staff.fleet.waiting")}
	for _, r := range staff.FleetRows(ks, now) {
		health := widget.NewLabel(f.t("staff.fleet.health." + r.Health))
		if r.Problem != "" {
			health.SetText(health.Text + " (" + r.Problem + ")")
		}
		if r.Warn {
			health.Importance = widget.DangerImportance
		}
		grid = append(grid, widget.NewLabel(r.Kiosk), widget.NewLabel(r.LastEvent), widget.NewLabel(r.Lag), health,
			widget.NewLabel(r.Sessions), widget.NewLabel(r.Waiting))
	}
	rows = append(rows, Heading(f.t("staff.fleet.lead", "N", len(ks))), container.NewGridWithColumns(6, grid...))
	if f.result != "" {
		if f.resultErr {
			rows = append(rows, WarningPanel(f.result))
		} else {
			rows = append(rows, Emphasis(f.result, theme.ColorNameSuccess))
		}
	}
	p.Body = container.NewVBox(rows...)
	p.Primary = &Action{ID: "staff.fleet.export", Label: f.t("staff.fleet.export"), Icon: theme.DownloadIcon(), Do: f.onExport}
	return p
}
