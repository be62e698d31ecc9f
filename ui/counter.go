package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// A ticket for the counter: the number, why, and where to go.
func init() {
	registerNotice(flow.StateGoToCounter.String(), noticeSpec{
		key: "go_to_counter", icon: func() fyne.Resource { return theme.NewPrimaryThemedResource(theme.AccountIcon()) },
		ticket: true, reasons: true, next: "action.to_menu",
	})
}
