package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// notices is every notice screen, by screen id: what it says (the catalogue
// keys under "screen.<key>.*"), its icon, and its actions. notice.Page
// renders them all.
var notices = []struct {
	id   string
	spec noticeSpec
}{
	// Issuance work is outside reception hours: why, and when it opens next.
	{flow.StateClosed.String(), noticeSpec{
		key: "closed", icon: warningIcon(theme.HistoryIcon),
		reasons: true, next: "action.to_menu", extra: nextOpening,
	}},
	// A ticket for the counter: the number, why, and where to go. The main
	// button does what the screen says: take the card (the session ends) and
	// go to the counter. A PIN reset is done at this kiosk: the screen then
	// says to wait here (go_to_counter_here), with no main button (notice.Page).
	{flow.StateGoToCounter.String(), noticeSpec{
		key: "go_to_counter", icon: primaryIcon(theme.AccountIcon),
		ticket: true, reasons: true, next: "action.take_card_to_counter", cancel: "action.to_menu",
	}},
	// The clerk declined the request: the reason, and back to the menu.
	{flow.StateDeclined.String(), noticeSpec{
		key: "declined", icon: warningIcon(theme.InfoIcon),
		reasons: true, next: "action.to_menu",
	}},
	// A card or issuance operation failed: what happened, what was done
	// anyway, and a ticket for the counter as the way forward.
	{flow.StateFailed.String(), noticeSpec{
		key: "failed", icon: errorIcon(theme.ErrorIcon), tone: theme.ColorNameError,
		errCode: true, next: "action.take_ticket", back: "action.back_to_menu", extra: partlyDone,
	}},
	// An old Basic Resident Register card (住基カード): new certificates need a
	// My Number card since January 2016. Say so, do nothing else.
	{flow.StateJukiCard.String(), noticeSpec{
		key: "juki_card", icon: warningIcon(theme.InfoIcon),
		reasons: true, next: "action.finish",
	}},
	// The PIN check succeeded: the tries are back to the maximum.
	{flow.StatePINChecked.String(), noticeSpec{
		key: "pin_checked", icon: successIcon(theme.ConfirmIcon), tone: theme.ColorNameSuccess,
		next: "action.to_menu",
		extra: func(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
			return []fyne.CanvasObject{TriesSummary(k, s)}
		},
	}},
	// A PIN is locked: only the counter can reset it. The primary action
	// takes a ticket for the counter.
	{flow.StatePINLocked.String(), noticeSpec{
		key: "pin_locked", icon: errorIcon(theme.ErrorIcon), tone: theme.ColorNameError,
		reasons: true, next: "action.take_ticket", back: "action.back_to_menu",
	}},
	// The card could not be read: try again, or end.
	{flow.StateReadFailed.String(), noticeSpec{
		key: "read_failed", icon: errorIcon(theme.ErrorIcon), tone: theme.ColorNameError,
		errCode: true, next: "action.retry", cancel: "action.finish",
	}},
	// The session has ended (and been wiped) while the card is still in the
	// reader: ask the resident to take it.
	{flow.StateTakeCard.String(), noticeSpec{
		key: "take_card", icon: primaryIcon(func() fyne.Resource { return cardIcon }),
	}},
	// No card reader is connected: the kiosk cannot serve; call staff.
	{idReaderMissing, noticeSpec{
		key: "reader_missing", icon: errorIcon(theme.ErrorIcon), tone: theme.ColorNameError,
	}},
	// The fallback for a state without a screen (a newer flow than this UI):
	// apologise and offer the way back.
	{idUnknownState, noticeSpec{
		key: "unknown_state", icon: warningIcon(theme.WarningIcon),
		next: "action.continue", cancel: "action.cancel",
	}},
}

// The card is not a JPKI card: say so, and how to end. A smartphone's
// certificate (スマホ用電子証明書) gets its own wording: it is managed in the
// phone, and this kiosk works with the card itself.
var (
	unknownCardNotice = noticeSpec{key: "unknown_card", icon: warningIcon(theme.QuestionIcon), next: "action.finish"}
	smartphoneNotice  = noticeSpec{key: "smartphone", icon: warningIcon(theme.InfoIcon), next: "action.finish"}
)

func init() {
	for _, n := range notices {
		registerNotice(n.id, n.spec)
	}
	Register(flow.StateUnknownCard.String(), func(k *Kiosk) Screen {
		return &cardKindNotice{unknown: &notice{k: k, spec: unknownCardNotice}, phone: &notice{k: k, spec: smartphoneNotice}}
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

// nextOpening says when reception opens next, if the snapshot knows.
func nextOpening(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
	if s.Hours.NextOpen.IsZero() {
		return nil
	}
	t := s.Hours.NextOpen
	return []fyne.CanvasObject{Strong(k.tr.T("screen.closed.next_open", "Date", k.tr.Date(t),
		"Time", t.Format("15:04")))}
}

// partlyDone lists what was done before an operation failed.
func partlyDone(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject {
	if s.Receipt == nil || len(s.Receipt.Done) == 0 {
		return nil
	}
	out := []fyne.CanvasObject{Strong(k.tr.T("screen.failed.partly_done"))}
	for _, d := range s.Receipt.Done {
		out = append(out, Body("・"+k.tr.T("done."+d)))
	}
	return out
}

// Icons in the tones of the theme, built when shown (themes need a running app).
func warningIcon(f func() fyne.Resource) func() fyne.Resource {
	return func() fyne.Resource { return theme.NewWarningThemedResource(f()) }
}

func errorIcon(f func() fyne.Resource) func() fyne.Resource {
	return func() fyne.Resource { return theme.NewErrorThemedResource(f()) }
}

func successIcon(f func() fyne.Resource) func() fyne.Resource {
	return func() fyne.Resource { return theme.NewSuccessThemedResource(f()) }
}

func primaryIcon(f func() fyne.Resource) func() fyne.Resource {
	return func() fyne.Resource { return theme.NewPrimaryThemedResource(f()) }
}
