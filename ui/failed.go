package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// A card or issuance operation failed: what happened, what was done anyway,
// and a ticket for the counter as the way forward.
func init() {
	registerNotice(flow.StateFailed.String(), noticeSpec{
		key: "failed", icon: func() fyne.Resource { return theme.NewErrorThemedResource(theme.ErrorIcon()) }, tone: theme.ColorNameError,
		errCode: true, next: "action.take_ticket", back: "action.back_to_menu",
		extra: func(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
			if s.Receipt == nil || len(s.Receipt.Done) == 0 {
				return nil
			}
			out := []fyne.CanvasObject{Strong(k.tr.T("screen.failed.partly_done"))}
			for _, d := range s.Receipt.Done {
				out = append(out, Body("・"+k.tr.T("done."+d)))
			}
			return out
		},
	})
}
