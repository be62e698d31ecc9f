package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// PINField is a masked PIN entry. The characters live only in a byte slice
// with a fixed capacity (it is never reallocated, so no stray copies are left
// on the heap) and are wiped by Wipe. The field shows one dot per character;
// when the resident asks to see the PIN, each character is drawn by its own
// one-byte text object, so no string ever holds the whole PIN.
//
// Physical keyboards work too: the field takes focus and accepts typed runes,
// Backspace, and Enter/Return (which calls OnSubmit).
type PINField struct {
	widget.BaseWidget

	buf     []byte
	accept  func(r rune) (byte, bool)
	shown   bool
	focused bool
	minH    float32 // minimum height; 0 means 96

	// OnChanged is called after every change with the new length only.
	OnChanged func(n int)
	// OnSubmit is called on Enter or Return.
	OnSubmit func()
	// OnTap, when set, replaces taking Fyne's focus on a tap (the kiosk's
	// key dispatcher types into the field instead).
	OnTap func()
}

var (
	_ fyne.Focusable = (*PINField)(nil)
	_ fyne.Tappable  = (*PINField)(nil)
)

// NewPINField returns a field for at most max characters; accept maps a
// typed rune to the byte to store (for instance lower-case to upper-case)
// or refuses it.
func NewPINField(max int, accept func(r rune) (byte, bool)) *PINField {
	p := &PINField{buf: make([]byte, 0, max), accept: accept}
	p.ExtendBaseWidget(p)
	return p
}

// DigitsOnly accepts 0–9.
func DigitsOnly(r rune) (byte, bool) {
	if r >= '0' && r <= '9' {
		return byte(r), true
	}
	return 0, false
}

// UpperAlnum accepts A–Z and 0–9, turning a–z into upper case.
func UpperAlnum(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A'), true
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return byte(r), true
	}
	return 0, false
}

// Append adds r if it is accepted and there is room; it reports whether it did.
func (p *PINField) Append(r rune) bool {
	b, ok := p.accept(r)
	if !ok || len(p.buf) == cap(p.buf) {
		return false
	}
	p.buf = append(p.buf, b)
	p.changed()
	return true
}

// Backspace removes the last character.
func (p *PINField) Backspace() {
	if len(p.buf) == 0 {
		return
	}
	p.buf[len(p.buf)-1] = 0
	p.buf = p.buf[:len(p.buf)-1]
	p.changed()
}

// Len returns how many characters have been entered.
func (p *PINField) Len() int { return len(p.buf) }

// Max returns the field's capacity.
func (p *PINField) Max() int { return cap(p.buf) }

// Bytes returns the entered characters. The slice aliases the field's
// buffer: use it before the next change and never keep it.
func (p *PINField) Bytes() []byte { return p.buf }

// Copy returns a fresh copy of the entered characters, for a receiver that
// takes ownership (and wipes it).
func (p *PINField) Copy() []byte { return append(make([]byte, 0, len(p.buf)), p.buf...) }

// Wipe overwrites the buffer with zeros and empties the field.
func (p *PINField) Wipe() {
	b := p.buf[:cap(p.buf)]
	for i := range b {
		b[i] = 0
	}
	p.buf = p.buf[:0]
	p.changed()
}

// SetMinHeight sets the field's minimum height (96 by default; less on the
// smaller terminal).
func (p *PINField) SetMinHeight(h float32) {
	if h != p.minH {
		p.minH = h
		p.Refresh()
	}
}

// Shown reports whether the characters are shown instead of dots.
func (p *PINField) Shown() bool { return p.shown }

// SetShown shows the characters (true) or dots.
func (p *PINField) SetShown(v bool) {
	p.shown = v
	p.Refresh()
}

func (p *PINField) changed() {
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged(len(p.buf))
	}
}

// Tapped focuses the field so that a physical keyboard types into it (or
// calls OnTap, set by the kiosk, whose key dispatcher feeds the field).
func (p *PINField) Tapped(*fyne.PointEvent) {
	if p.OnTap != nil {
		p.OnTap()
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(p); c != nil {
		c.Focus(p)
	}
}

// FocusGained is part of fyne.Focusable.
func (p *PINField) FocusGained() { p.focused = true; p.Refresh() }

// FocusLost is part of fyne.Focusable.
func (p *PINField) FocusLost() { p.focused = false; p.Refresh() }

// TypedRune is part of fyne.Focusable: a key on a physical keyboard.
func (p *PINField) TypedRune(r rune) { p.Append(r) }

// TypedKey is part of fyne.Focusable: Backspace, Delete, Enter, Return.
func (p *PINField) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyBackspace, fyne.KeyDelete:
		p.Backspace()
	case fyne.KeyReturn, fyne.KeyEnter:
		if p.OnSubmit != nil {
			p.OnSubmit()
		}
	}
}

// CreateRenderer is part of fyne.Widget.
func (p *PINField) CreateRenderer() fyne.WidgetRenderer {
	r := &pinFieldRenderer{p: p, border: canvas.NewRectangle(color.Transparent)}
	r.border.StrokeWidth = 3
	r.border.CornerRadius = 10
	r.chars = make([]*canvas.Text, cap(p.buf))
	r.slots = make([]*canvas.Line, cap(p.buf))
	for i := range r.chars {
		r.chars[i] = canvas.NewText("", colForeground)
		r.chars[i].TextStyle.Bold = true
		r.chars[i].Alignment = fyne.TextAlignCenter
		r.slots[i] = canvas.NewLine(colSeparator)
		r.slots[i].StrokeWidth = 3
	}
	r.cursor = canvas.NewRectangle(colPrimary)
	r.Refresh()
	return r
}

type pinFieldRenderer struct {
	p      *PINField
	border *canvas.Rectangle
	chars  []*canvas.Text
	slots  []*canvas.Line
	cursor *canvas.Rectangle
}

const (
	pinCell    = 44 // width of one character cell
	pinCellMin = 30 // the narrowest cell (16 characters on the 1280×800 terminal)
)

func (r *pinFieldRenderer) MinSize() fyne.Size {
	n := float32(cap(r.p.buf))
	h := r.p.minH
	if h == 0 {
		h = 96
	}
	return fyne.NewSize(n*pinCellMin+32, h)
}

func (r *pinFieldRenderer) Layout(size fyne.Size) {
	r.border.Resize(size)
	n := float32(cap(r.p.buf))
	cell := float32(pinCell)
	if avail := (size.Width - 32) / n; avail < cell {
		cell = avail
	}
	x0 := (size.Width - n*cell) / 2
	// The characters (or dots) shrink with narrow cells so that they never touch.
	textSize := min(fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameHeadingText), cell*0.8)
	for i := range r.chars {
		r.chars[i].TextSize = textSize
		x := x0 + float32(i)*cell
		r.chars[i].Move(fyne.NewPos(x, 12))
		r.chars[i].Resize(fyne.NewSize(cell, size.Height-32))
		r.slots[i].Position1 = fyne.NewPos(x+6, size.Height-18)
		r.slots[i].Position2 = fyne.NewPos(x+cell-6, size.Height-18)
	}
	i := len(r.p.buf)
	if i >= len(r.chars) {
		i = len(r.chars) - 1
	}
	r.cursor.Move(fyne.NewPos(x0+float32(i)*cell+6, size.Height-22))
	r.cursor.Resize(fyne.NewSize(cell-12, 8))
}

func (r *pinFieldRenderer) Refresh() {
	r.border.StrokeColor = colInputBorder
	if r.p.focused {
		r.border.StrokeColor = colPrimary
	}
	r.border.FillColor = colBackground
	for i, t := range r.chars {
		switch {
		case i >= len(r.p.buf):
			t.Text = ""
		case r.p.shown:
			t.Text = string(r.p.buf[i : i+1]) // one byte: Go keeps no heap copy
		default:
			t.Text = "●"
		}
		t.Refresh()
	}
	r.cursor.Hidden = len(r.p.buf) == cap(r.p.buf)
	r.border.Refresh()
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

func (r *pinFieldRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.border}
	for i := range r.chars {
		objs = append(objs, r.slots[i], r.chars[i])
	}
	return append(objs, r.cursor)
}

func (r *pinFieldRenderer) Destroy() {
	for _, t := range r.chars {
		t.Text = ""
	}
}
