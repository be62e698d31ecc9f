package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// staffMenu is the clerk's home: the waiting approval (if the resident at
// this terminal waits for one), counter cases, the dashboard, and for
// supervisors the settings and the kiosk exit.
type staffMenu struct{ staffScreen }

func init() {
	Register(idStaffMenu, func(k *Kiosk) Screen { return &staffMenu{newStaffScreen(k)} })
}

// Page lists the staff tasks as large tiles.
func (m *staffMenu) Page(s flow.Snapshot) Page {
	if m.d == nil {
		return noDesk(m.k)
	}
	c, ok := m.d.desk.Clerk()
	if !ok {
		return Page{Title: m.t("staff.title.menu"), Body: Body(m.t("staff.signin.error.EXPIRED"))}
	}
	tile := func(id, label string, icon fyne.Resource, do func()) fyne.CanvasObject {
		b := m.k.Tappable(id, label, icon, func() {
			if _, ok := m.d.clerk(); ok {
				do()
			}
		})
		return AtLeast(b, 420, 120)
	}
	var tiles []fyne.CanvasObject
	if m.d.waiting() {
		tiles = append(tiles, tile("staff.tile.approve", m.t("staff.menu.approve", "N", s.Ticket.Number), theme.ConfirmIcon(),
			func() { m.k.Show(idStaffApprove) }))
	}
	tiles = append(tiles,
		tile("staff.tile.case", m.t("staff.menu.case"), theme.DocumentIcon(), func() { m.d.cur = nil; m.k.Show(idStaffCase) }),
		tile("staff.tile.dashboard", m.t("staff.menu.dashboard"), theme.GridIcon(), func() { m.k.Show(idStaffDashboard) }))
	if m.d.cfg.Fleet != nil && m.d.desk.CanSeeFleet() {
		tiles = append(tiles, tile("staff.tile.fleet", m.t("staff.menu.fleet"), theme.ComputerIcon(), func() { m.k.Show(idStaffFleet) }))
	}
	if c.Supervisor() {
		tiles = append(tiles,
			tile("staff.tile.settings", m.t("staff.menu.settings"), theme.SettingsIcon(), func() { m.k.Show(idStaffSettings) }),
			tile("staff.tile.exit", m.t("staff.menu.exit"), theme.LogoutIcon(), func() { m.k.Show(idStaffExit) }))
	}
	body := container.NewVBox(m.banner(), Heading(m.t("staff.menu.lead")), container.NewGridWithColumns(2, tiles...))
	return Page{
		Title:     m.t("staff.title.menu"),
		Body:      body,
		Secondary: []Action{m.signOut()},
	}
}

// staffExit confirms closing the kiosk (supervisors only).
type staffExit struct {
	staffScreen
	errMsg string
}

func init() {
	Register(idStaffExit, func(k *Kiosk) Screen { return &staffExit{staffScreen: newStaffScreen(k)} })
}

// Page asks for confirmation, or explains that the role may not.
func (x *staffExit) Page(flow.Snapshot) Page {
	if x.d == nil {
		return noDesk(x.k)
	}
	p := Page{Title: x.t("staff.title.exit"), Secondary: []Action{x.backToMenu(), x.signOut()}}
	if !x.d.desk.CanExit() {
		p.Body = container.NewVBox(x.banner(), WarningPanel(x.t("staff.exit.not_allowed")))
		return p
	}
	p.Body = container.NewVBox(x.banner(), Heading(x.t("staff.exit.lead")), Body(x.t("staff.exit.explain")))
	if x.errMsg != "" {
		p.Body = container.NewVBox(x.banner(), WarningPanel(x.errMsg), Heading(x.t("staff.exit.lead")), Body(x.t("staff.exit.explain")))
	}
	p.Primary = &Action{ID: "staff.exit", Label: x.t("staff.action.exit"), Icon: theme.LogoutIcon(), Danger: true, Do: func() {
		if !x.d.desk.CanExit() {
			return
		}
		if err := x.d.cfg.Office.RecordExit(x.d.ctx(), x.clerkID()); err != nil {
			// A kiosk closes only with its exit on record: the
			// supervisor sees why it did not.
			x.errMsg = x.t("staff.error.store")
			x.k.rebuild()
			return
		}
		x.d.desk.SignOut()
		if x.d.cfg.Quit != nil {
			x.d.cfg.Quit()
			return
		}
		x.k.Quit()
	}}
	return p
}

func (s staffScreen) clerkID() string {
	c, _ := s.d.desk.Clerk()
	return c.ID
}
