package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// The card is not a JPKI card: say so, and how to end. A smartphone's
// certificate (スマホ用電子証明書) gets its own wording: it is managed in the
// phone, and this kiosk works with the card itself.
func init() {
	unknown := noticeSpec{
		key: "unknown_card", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.QuestionIcon()) },
		next: "action.finish",
	}
	phone := noticeSpec{
		key: "smartphone", icon: func() fyne.Resource { return theme.NewWarningThemedResource(theme.InfoIcon()) },
		next: "action.finish",
	}
	Register(flow.StateUnknownCard.String(), func(k *Kiosk) Screen {
		return &cardKindNotice{unknown: &notice{k: k, spec: unknown}, phone: &notice{k: k, spec: phone}}
	})
}

// cardKindNotice is the unknown-card notice, or the smartphone one.
type cardKindNotice struct{ unknown, phone *notice }

// Page picks the notice by the card type.
func (c *cardKindNotice) Page(s flow.Snapshot) Page {
	if s.CardType == flow.CardSmartphone {
		return c.phone.Page(s)
	}
	return c.unknown.Page(s)
}
