package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The fallback for a state without a screen (a newer flow than this UI):
// apologise and offer the way back.
func init() {
	registerNotice(idUnknownState, noticeSpec{
		key: "unknown_state", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.WarningIcon()) },
		next: "action.continue", cancel: "action.cancel",
	})
}
