package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The clerk declined the request: the reason, and back to the menu.
func init() {
	registerNotice(flow.StateDeclined.String(), noticeSpec{
		key: "declined", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.InfoIcon()) },
		reasons: true, next: "action.to_menu",
	})
}
