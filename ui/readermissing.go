package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// No card reader is connected: the kiosk cannot serve; call staff.
func init() {
	registerNotice(idReaderMissing, noticeSpec{
		key: "reader_missing", icon: func() fyne.Resource { return theme.NewErrorThemedResource(theme.ErrorIcon()) }, tone: theme.ColorNameError,
	})
}
