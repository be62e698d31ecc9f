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
// OnRune, the delete key (one character back) calls OnBackspace and the
// clear key (everything) OnClear. With scrambling, the characters change
// places each time the keypad is built, against shoulder surfing; the layout
// and the delete and clear keys never move.
//
// Digits sit in the 3×4 block of telephones and passcode pads, with
// [clear] [0] [delete] as the last row. Letters and digits sit in a
// ten-column grid: 1–0, A–J, K–T, then U–Z, clear and delete, each of the
// last two two keys wide, so every key of the grid has the same size.
type Keypad struct {
	mode        KeypadMode
	keys        map[rune]*widget.Button
	backspace   *widget.Button
	clear       *widget.Button
	OnRune      func(r rune)
	OnBackspace func()
	OnClear     func()
	object      fyne.CanvasObject
	cells       []*fyne.Container // the keys' size wrappers
	rows        *keyRows          // the letters-and-digits keypad's rows
}

// NewKeypad builds a keypad. rnd scrambles the key order when not nil.
// backLabel is the translated label of the delete key; SetLabels sets both
// labels later (after a language switch).
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
		cells = append(cells, k.cell(b, 88))
	}
	k.backspace = widget.NewButtonWithIcon(backLabel, theme.NewThemedResource(theme.ContentUndoIcon()), func() {
		if k.OnBackspace != nil {
			k.OnBackspace()
		}
	})
	k.clear = widget.NewButtonWithIcon("", theme.NewThemedResource(theme.ContentClearIcon()), func() {
		if k.OnClear != nil {
			k.OnClear()
		}
	})
	back, clear := k.cell(k.backspace, 0), k.cell(k.clear, 0)
	if mode == KeypadDigits {
		grid := container.NewGridWithColumns(3, cells[:9]...)
		last := container.NewGridWithColumns(3, clear, cells[9], back)
		k.object = container.NewVBox(grid, last)
	} else {
		// The last row is a five-column grid of key pairs: with the grid's
		// padding, a pair is exactly two cells of the ten-column rows.
		pair := func(a, b fyne.CanvasObject) fyne.CanvasObject { return container.NewGridWithColumns(2, a, b) }
		k.rows = &keyRows{pref: KeyHeight}
		k.object = container.New(k.rows,
			container.NewGridWithColumns(10, cells[:10]...),
			container.NewGridWithColumns(10, cells[10:20]...),
			container.NewGridWithColumns(10, cells[20:30]...),
			container.NewGridWithColumns(5, pair(cells[30], cells[31]), pair(cells[32], cells[33]), pair(cells[34], cells[35]), clear, back),
		)
	}
	return k
}

func (k *Keypad) cell(b *widget.Button, minW float32) *fyne.Container {
	h := KeyHeight
	if k.mode == KeypadAlnum {
		h = MinTarget // the rows grow towards KeyHeight when there is room
	}
	c := AtLeast(b, minW, h)
	k.cells = append(k.cells, c)
	return c
}

// SetKeyHeight sets the height of every key (KeyHeight by default; the
// smaller terminal uses less, never below MinTarget). The letters-and-digits
// keypad takes it as the height its keys grow to when the page has room:
// its minimum is always MinTarget, so its four rows fit below a long lead
// or in large text (issue 10: the last row, U–Z, clear and delete, was cut
// off and the page scrolled).
func (k *Keypad) SetKeyHeight(h float32) {
	h = max(h, MinTarget)
	if k.rows != nil {
		k.rows.pref = h
		return
	}
	for _, c := range k.cells {
		l := c.Layout.(minSizeLayout)
		l.min.Height = h
		c.Layout = l
	}
}

// SetLabels sets the translated labels of the delete and clear keys.
func (k *Keypad) SetLabels(back, clear string) {
	k.backspace.SetText(back)
	k.clear.SetText(clear)
}

// Clear returns the clear key.
func (k *Keypad) Clear() *widget.Button { return k.clear }

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
			if v != k.backspace && v != k.clear {
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

// keyRows stacks keypad rows top-down, each as tall as its minimum at
// least and pref at most, sharing the height the container is given: the
// keys grow from MinTarget towards the preferred height when there is room
// and shrink back (never below their minimum) when there is not.
type keyRows struct{ pref float32 }

// keyRowGap is the gap between the rows of the letters-and-digits keypad,
// half the theme's padding: four rows of keys and a long lead share the
// 1280×800 page.
const keyRowGap = 4

func (l *keyRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		if i > 0 {
			s.Height += keyRowGap
		}
	}
	return s
}

func (l *keyRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	pad := float32(keyRowGap)
	each := (size.Height - pad*float32(len(objs)-1)) / float32(len(objs))
	each = min(each, l.pref)
	y := float32(0)
	for _, o := range objs {
		h := max(each, o.MinSize().Height)
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
}
