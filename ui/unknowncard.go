package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The card is not a JPKI card: say so, and how to end.
func init() {
	registerNotice(flow.StateUnknownCard.String(), noticeSpec{
		key: "unknown_card", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.QuestionIcon()) },
		next: "action.finish",
	})
}
