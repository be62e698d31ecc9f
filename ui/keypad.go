package ui

import (
	"math/rand/v2"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// KeypadMode chooses the keys of an on-screen keypad.
type KeypadMode int

const (
	// KeypadDigits is 0–9, for the 4-digit PINs.
	KeypadDigits KeypadMode = iota
	// KeypadAlnum is A–Z and 0–9, for the signature PIN.
	KeypadAlnum
)

// Keypad is an on-screen keypad with large keys. Its keys send runes to
// OnRune, and the backspace key calls OnBackspace. With scrambling, the
// characters change places each time the keypad is built, against shoulder
// surfing; the backspace key never moves.
type Keypad struct {
	mode        KeypadMode
	keys        map[rune]*widget.Button
	backspace   *widget.Button
	OnRune      func(r rune)
	OnBackspace func()
	object      fyne.CanvasObject
}

// NewKeypad builds a keypad. rnd scrambles the key order when not nil.
// backLabel is the translated label of the backspace key.
func NewKeypad(mode KeypadMode, rnd *rand.Rand, backLabel string) *Keypad {
	k := &Keypad{mode: mode, keys: map[rune]*widget.Button{}}
	chars := []rune("1234567890")
	if mode == KeypadAlnum {
		chars = []rune("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	}
	if rnd != nil {
		rnd.Shuffle(len(chars), func(i, j int) { chars[i], chars[j] = chars[j], chars[i] })
	}
	var cells []fyne.CanvasObject
	for _, r := range chars {
		b := widget.NewButton(string(r), func() {
			if k.OnRune != nil {
				k.OnRune(r)
			}
		})
		k.keys[r] = b
		cells = append(cells, AtLeast(b, 96, KeyHeight))
	}
	k.backspace = widget.NewButtonWithIcon(backLabel, theme.NewThemedResource(theme.ContentUndoIcon()), func() {
		if k.OnBackspace != nil {
			k.OnBackspace()
		}
	})
	back := AtLeast(k.backspace, 200, KeyHeight)
	if mode == KeypadDigits {
		// A telephone-style 3×4 block: 1–9, then the tenth key under the
		// middle column and backspace bottom right, as on passcode pads.
		grid := container.NewGridWithColumns(3, cells[:9]...)
		last := container.NewGridWithColumns(3, widget.NewLabel(""), cells[9], back)
		k.object = container.NewVBox(grid, last)
	} else {
		// Ten columns: a row of the first ten characters, the rest below, and
		// backspace at the end of the last row.
		k.object = container.NewVBox(
			container.NewGridWithColumns(10, cells[:10]...),
			container.NewGridWithColumns(10, cells[10:20]...),
			container.NewGridWithColumns(10, cells[20:30]...),
			container.NewBorder(nil, nil, nil, back, container.NewGridWithColumns(7, append(cells[30:], widget.NewLabel(""))...)),
		)
	}
	return k
}

// Object returns the keypad's canvas object.
func (k *Keypad) Object() fyne.CanvasObject { return k.object }

// Key returns the key that types r, or nil.
func (k *Keypad) Key(r rune) *widget.Button { return k.keys[r] }

// Backspace returns the backspace key.
func (k *Keypad) Backspace() *widget.Button { return k.backspace }

// Order returns the characters in the order the keys are laid out.
func (k *Keypad) Order() string {
	var out []rune
	for _, o := range k.allKeys() {
		out = append(out, []rune(o.Text)...)
	}
	return string(out)
}

func (k *Keypad) allKeys() []*widget.Button {
	var out []*widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Button:
			if v != k.backspace {
				out = append(out, v)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(k.object)
	return out
}
