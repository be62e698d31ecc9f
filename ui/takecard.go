package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The session has ended (and been wiped) while the card is still in the
// reader: ask the resident to take it.
func init() {
	registerNotice(flow.StateTakeCard.String(), noticeSpec{
		key: "take_card", icon: func() fyne.Resource { return theme.NewPrimaryThemedResource(cardIcon) },
	})
}
