package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Keyboard dispatch. A hardware numeric keypad or keyboard drives every
// resident screen through one dispatcher, whatever has the pointer's focus:
//
//	0–9 (A–Z on letter PINs)  type into the PIN field (one neutral sound each)
//	Enter / Return            the focused choice, otherwise the primary action
//	Escape                    back, otherwise cancel (staff exit where neither exists)
//	Backspace                 delete the last character
//	Delete, "." (12-key pad)  clear the PIN field
//	arrows, Tab               move between the screen's choices (spoken in voice mode)
//	* or F1                   voice guidance: start, then repeat the screen
//	+ / -                     voice volume
//	F2 / F3                   large text / high contrast (also the header's 見やすさ)
//	F12                       staff sign-in
//
// Fyne delivers keys to the focused widget only, so on resident screens the
// kiosk keeps its own invisible keySink focused: the PIN field and the
// buttons show focus (FocusGained) without taking Fyne's focus. Staff screens
// keep Fyne's ordinary focus (their text entries need it).

// keySink is the always-focused receiver of key events on resident screens.
type keySink struct {
	widget.BaseWidget
	k *Kiosk
}

func newKeySink(k *Kiosk) *keySink {
	s := &keySink{k: k}
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySink) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(widget.NewLabel(""))
}

func (s *keySink) MinSize() fyne.Size { return fyne.Size{} }

// FocusGained is part of fyne.Focusable.
func (s *keySink) FocusGained() {}

// FocusLost is part of fyne.Focusable.
func (s *keySink) FocusLost() {}

// TypedRune is part of fyne.Focusable.
func (s *keySink) TypedRune(r rune) {
	if s.k.residentKeys() {
		s.k.HandleRune(r)
	}
}

// TypedKey is part of fyne.Focusable (on a staff screen only the staff keys).
func (s *keySink) TypedKey(e *fyne.KeyEvent) { s.k.onTypedKey(e) }

// AcceptsTab keeps Tab for the kiosk's own focus order.
func (s *keySink) AcceptsTab() bool { return true }

// residentKeys reports whether the kiosk's dispatcher owns the keyboard
// (every screen except the staff screens, whose entries need Fyne's focus).
func (k *Kiosk) residentKeys() bool {
	return len(k.override) < 6 || k.override[:6] != "staff."
}

// grabKeys gives the key sink Fyne's focus (after every render).
func (k *Kiosk) grabKeys() {
	if k.residentKeys() {
		k.win.Canvas().Focus(k.sink)
	}
}

// HandleRune is a character from the keyboard: digits and letters go into
// the PIN field, '*' asks for voice guidance, '+'/'-' set the volume, '.'
// clears. It returns whether the kiosk used it.
func (k *Kiosk) HandleRune(r rune) bool {
	switch r {
	case '*':
		k.voiceKey()
		return true
	case '+':
		k.changeVolume(+1)
		return true
	case '-':
		k.changeVolume(-1)
		return true
	case '.', ',':
		return k.clearPIN()
	}
	if k.pin == nil || k.snap.Busy {
		return false
	}
	if k.pin.Append(r) {
		k.keyClick()
		return true
	}
	return false
}

// HandleKey is a named key from the keyboard (see the table above). It
// returns whether the kiosk used it. Single characters come as runes
// (HandleRune) and are ignored here.
func (k *Kiosk) HandleKey(e *fyne.KeyEvent) bool {
	if k.popup != nil && k.popup.pop.Visible() {
		return k.popupKey(e)
	}
	k.popup = nil
	switch e.Name {
	case fyne.KeyF12:
		k.staff(StaffMenu)
	case fyne.KeyF1:
		k.voiceKey()
	case fyne.KeyF2:
		k.SetDisplay(!k.large, k.high)
	case fyne.KeyF3:
		k.SetDisplay(k.large, !k.high)
	case fyne.KeyEscape:
		for _, id := range []string{"back", "cancel"} {
			if k.press(id) {
				return true
			}
		}
		k.staff(StaffExit)
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.focus != "" && k.press(k.focus) {
			return true
		}
		if k.primary != "" {
			return k.press(k.primary)
		}
		return false
	case fyne.KeyBackspace:
		if k.pin == nil || k.pin.Len() == 0 {
			return false
		}
		k.pin.Backspace()
		k.keyClick()
	case fyne.KeyDelete:
		return k.clearPIN()
	case fyne.KeyDown, fyne.KeyRight, fyne.KeyTab:
		k.moveFocus(+1)
	case fyne.KeyUp, fyne.KeyLeft:
		k.moveFocus(-1)
	default:
		return false
	}
	return true
}

// press taps the enabled button registered under id on the current page.
func (k *Kiosk) press(id string) bool {
	b := k.buttons[id]
	if b == nil || b.Disabled() || !b.Visible() {
		return false
	}
	b.OnTapped()
	return true
}

func (k *Kiosk) clearPIN() bool {
	if k.pin == nil || k.pin.Len() == 0 {
		return false
	}
	for k.pin.Len() > 0 {
		k.pin.Backspace()
	}
	k.keyClick()
	return true
}

// popupState is an open chooser (language, display): its buttons in focus
// order. Keys then stay inside it; Escape closes it.
type popupState struct {
	pop *widget.PopUp
	ids []string
}

// openPopup shows pop with a key sink of its own (Fyne keeps one focus per
// overlay) and announces title in voice mode.
func (k *Kiosk) openPopup(pop *widget.PopUp, title string, ids []string) {
	k.popup = &popupState{pop: pop, ids: ids}
	k.setFocus("")
	pop.Show()
	sink := newKeySink(k)
	if c, ok := pop.Content.(*fyne.Container); ok {
		c.Objects = append([]fyne.CanvasObject{sink}, c.Objects...)
		c.Refresh()
	}
	k.win.Canvas().Focus(sink)
	k.say(title + "\n" + k.tr.N("speech.keys.choices", len(ids)))
}

func (k *Kiosk) popupKey(e *fyne.KeyEvent) bool {
	switch e.Name {
	case fyne.KeyEscape:
		k.popup.pop.Hide()
		k.popup = nil
		k.setFocus("")
	case fyne.KeyF12:
		k.popup.pop.Hide()
		k.popup = nil
		k.staff(StaffMenu)
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.focus == "" {
			return false
		}
		id := k.focus
		k.setFocus("")
		return k.press(id)
	case fyne.KeyDown, fyne.KeyRight, fyne.KeyTab:
		k.moveFocusIn(k.popup.ids, +1)
	case fyne.KeyUp, fyne.KeyLeft:
		k.moveFocusIn(k.popup.ids, -1)
	default:
		return false
	}
	return true
}

// moveFocus moves the kiosk's focus to the next (+1) or previous (-1)
// enabled button of the page, wrapping around, and speaks its label.
func (k *Kiosk) moveFocus(dir int) { k.moveFocusIn(k.order, dir) }

func (k *Kiosk) moveFocusIn(order []string, dir int) {
	var ids []string
	for _, id := range order {
		if b := k.buttons[id]; b != nil && !b.Disabled() {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	at := -1
	for i, id := range ids {
		if id == k.focus {
			at = i
		}
	}
	switch {
	case at < 0 && dir > 0:
		at = 0
	case at < 0:
		at = len(ids) - 1
	default:
		at = (at + dir + len(ids)) % len(ids)
	}
	k.setFocus(ids[at])
	if b := k.buttons[k.focus]; b != nil {
		k.say(k.tr.T("speech.focus", "Label", b.Text))
	}
}

// setFocus shows the focus ring on the button under id ("" for none).
func (k *Kiosk) setFocus(id string) {
	if b := k.buttons[k.focus]; b != nil {
		b.FocusLost()
	}
	k.focus = id
	if b := k.buttons[id]; b != nil {
		b.FocusGained()
	}
}

// Focused returns the id of the button the keyboard focus is on ("" none).
func (k *Kiosk) Focused() string { return k.focus }
