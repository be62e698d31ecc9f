package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Issuance work is outside reception hours: why, and when it opens next.
func init() {
	registerNotice(flow.StateClosed.String(), noticeSpec{
		key: "closed", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.HistoryIcon()) },
		reasons: true, next: "action.to_menu",
		extra: func(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
			if s.Hours.NextOpen.IsZero() {
				return nil
			}
			t := s.Hours.NextOpen
			return []fyne.CanvasObject{Strong(k.tr.T("screen.closed.next_open", "Date", k.tr.Date(t),
				"Time", t.Format("15:04")))}
		},
	})
}
