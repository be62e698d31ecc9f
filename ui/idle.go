package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateIdleCountdown, idle) }

// idle is the countdown drawn over the screen the resident left: continue,
// or the session is wiped when it reaches zero (the flow decides; at least
// 20 seconds to respond).
// It shows the seconds left and the continue button.
func idle(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	secs := widget.NewLabelWithStyle(strconv.Itoa(s.Countdown), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	secs.SizeName = theme.SizeNameHeadingText
	secs.Importance = widget.DangerImportance
	body := container.NewVBox(
		Heading(tr.T("screen.idle.lead")),
		container.NewCenter(AtLeast(secs, 200, 80)),
		Body(tr.N("screen.idle.explain", s.Countdown)),
	)
	return Page{
		Title:   tr.T("screen.idle.title"),
		Body:    body,
		Overlay: true,
		Primary: &Action{ID: "next", Label: tr.T("action.continue"), Icon: theme.MediaPlayIcon(), Do: func() { k.Send(flow.Next{}) }},
		Secondary: []Action{{ID: "cancel", Label: tr.T("action.finish"), Icon: theme.LogoutIcon(),
			Do: func() { k.Send(flow.Cancel{}) }}},
	}
}
