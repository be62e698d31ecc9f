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
		// The main button does what the screen says: take the card (the
		// session ends) and go to the counter. A PIN reset is done at this
		// kiosk: the screen then says to wait here (go_to_counter_here),
		// with no main button (notice.Page).
		ticket: true, reasons: true, next: "action.take_card_to_counter", cancel: "action.to_menu",
	})
}
