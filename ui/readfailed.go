package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The card could not be read: try again, or end.
func init() {
	registerNotice(flow.StateReadFailed.String(), noticeSpec{
		key: "read_failed", icon: func() fyne.Resource { return theme.NewErrorThemedResource(theme.ErrorIcon()) }, tone: theme.ColorNameError,
		errCode: true, next: "action.retry", cancel: "action.finish",
	})
}
