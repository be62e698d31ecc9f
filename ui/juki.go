package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// An old Basic Resident Register card (住基カード): new certificates need a
// My Number card since January 2016. Say so, do nothing else.
func init() {
	registerNotice(flow.StateJukiCard.String(), noticeSpec{
		key: "juki_card", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.InfoIcon()) },
		reasons: true, next: "action.finish",
	})
}
