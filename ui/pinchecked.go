package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The PIN check succeeded: the tries are back to the maximum.
func init() {
	registerNotice(flow.StatePINChecked.String(), noticeSpec{
		key: "pin_checked", icon: func() fyne.Resource { return theme.NewSuccessThemedResource(theme.ConfirmIcon()) }, tone: theme.ColorNameSuccess,
		next: "action.to_menu",
		extra: func(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
			return []fyne.CanvasObject{TriesSummary(k, s)}
		},
	})
}
