package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// A PIN is locked: only the counter can reset it. The primary action takes
// a ticket for the counter.
func init() {
	registerNotice(flow.StatePINLocked.String(), noticeSpec{
		key: "pin_locked", icon: func() fyne.Resource { return theme.NewErrorThemedResource(theme.ErrorIcon()) }, tone: theme.ColorNameError,
		reasons: true, next: "action.take_ticket", back: "action.back_to_menu",
	})
}
