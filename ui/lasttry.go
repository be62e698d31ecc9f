package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateLastTryConfirm, lastTry) }

// lastTry guards the last try of a PIN: a plain warning of what a wrong
// entry means, and an explicit confirmation before the field opens.
// It shows the warning. The safe choice (stop and ask at the counter) is
// the primary action; going on is a plain secondary one, so a resident who
// taps the prominent button never spends the last try by accident.
func lastTry(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	name := tr.T("pin." + s.PIN.Which.String() + ".name")
	body := container.NewVBox(
		WarningPanel(tr.T("screen.last_try.lead", "PIN", name)),
		Body(tr.T("screen.last_try.explain")),
		Strong(tr.T("screen.last_try.unsure")),
	)
	if s.Error == "PIN_INCORRECT" {
		body.Objects = append([]fyne.CanvasObject{Emphasis(tr.T("error.PIN_INCORRECT"), theme.ColorNameError)}, body.Objects...)
	}
	return Page{
		Title: tr.T("screen.last_try.title"),
		Body:  body,
		Primary: &Action{ID: "back", Label: tr.T("screen.last_try.stop"), Icon: theme.NavigateBackIcon(),
			Do: func() { k.Send(flow.Back{}) }},
		Secondary: []Action{{ID: "next", Label: tr.T("screen.last_try.confirm"), Icon: theme.WarningIcon(), Do: func() { k.Send(flow.Next{}) }}},
	}
}
