package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// lastTry guards the last try of a PIN: a plain warning of what a wrong
// entry means, and an explicit confirmation before the field opens.
type lastTry struct{ k *Kiosk }

func init() {
	Register(flow.StateLastTryConfirm.String(), func(k *Kiosk) Screen { return &lastTry{k: k} })
}

// Page shows the warning. The safe choice (stop and ask at the counter) is
// the primary action; going on is a plain secondary one, so a resident who
// taps the prominent button never spends the last try by accident.
func (l *lastTry) Page(s flow.Snapshot) Page {
	tr := l.k.tr
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
			Do: func() { l.k.Send(flow.Back{}) }},
		Secondary: []Action{{ID: "next", Label: tr.T("screen.last_try.confirm"), Icon: theme.WarningIcon(), Do: func() { l.k.Send(flow.Next{}) }}},
	}
}
