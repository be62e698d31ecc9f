package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// minSizeLayout stretches its objects over the container and reports at
// least min as the container's minimum size. Wrapping a button in it makes a
// touch target at least min tall whatever the theme says.
type minSizeLayout struct{ min fyne.Size }

func (l minSizeLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l minSizeLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := l.min
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// AtLeast wraps o so that its minimum size is at least w×h.
func AtLeast(o fyne.CanvasObject, w, h float32) *fyne.Container {
	return container.New(minSizeLayout{fyne.NewSize(w, h)}, o)
}

// Target wraps o so that it is at least MinTarget tall: every tappable thing
// on a kiosk screen goes through Target or a larger wrapper.
func Target(o fyne.CanvasObject) *fyne.Container { return AtLeast(o, MinTarget, MinTarget) }

// PrimaryButton returns the screen's one primary action: a blue button
// PrimaryHeight tall and at least 360 wide.
func PrimaryButton(label string, icon fyne.Resource, tapped func()) (*widget.Button, *fyne.Container) {
	b := widget.NewButtonWithIcon(label, icon, tapped)
	b.Importance = widget.HighImportance
	return b, AtLeast(b, 360, PrimaryHeight)
}

// SecondaryButton returns an ordinary action (back, cancel, ...), at least
// MinTarget tall and 240 wide.
func SecondaryButton(label string, icon fyne.Resource, tapped func()) (*widget.Button, *fyne.Container) {
	b := widget.NewButtonWithIcon(label, icon, tapped)
	return b, AtLeast(b, 240, MinTarget)
}

// Heading is a screen's title line, large and bold, wrapping when long.
func Heading(text string) *Paragraph {
	l := NewParagraph(text)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// Body is wrapped body text, with Japanese line-breaking rules (Paragraph).
func Body(text string) *Paragraph { return NewParagraph(text) }

// Strong is wrapped bold body text.
func Strong(text string) *Paragraph {
	l := Body(text)
	l.TextStyle.Bold = true
	return l
}

// Emphasis is wrapped body text in one of the theme's signal colours
// (theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNamePrimary).
func Emphasis(text string, col fyne.ThemeColorName) *Paragraph {
	l := Strong(text)
	switch col {
	case theme.ColorNameError:
		l.Importance = widget.DangerImportance
	case theme.ColorNameSuccess:
		l.Importance = widget.SuccessImportance
	case theme.ColorNameWarning:
		l.Importance = widget.WarningImportance
	case theme.ColorNamePrimary:
		l.Importance = widget.HighImportance
	}
	return l
}

// Panel puts content on a rounded, lightly tinted surface with a border.
func Panel(fill color.Color, content fyne.CanvasObject) *fyne.Container {
	bg := canvas.NewRectangle(fill)
	bg.CornerRadius = 12
	bg.StrokeColor = colSeparator
	bg.StrokeWidth = 2
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(16, 16, 24, 24), content))
}

// WarningPanel is a Panel in the warning colours with a bold red message.
func WarningPanel(text string) *fyne.Container {
	bg := canvas.NewRectangle(colErrorSurface)
	bg.CornerRadius = 12
	bg.StrokeColor = colError
	bg.StrokeWidth = 3
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(12, 12, 24, 24),
		container.NewBorder(nil, nil, widget.NewIcon(theme.NewErrorThemedResource(theme.WarningIcon())), nil,
			Emphasis(text, theme.ColorNameError))))
}

// Settle lays the window's content out again until wrapped text has its
// final height. A Paragraph learns its width, and so its number of lines,
// only when laid out; the desktop driver then lays its parents out again on
// the next frame, the headless test driver does not. The screenshot program
// and the layout tests call Settle before they capture or measure.
func Settle(w fyne.Window) {
	c := w.Canvas()
	for i := 0; i < 2; i++ {
		for _, o := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
			s := o.Size()
			o.Resize(s.AddWidthHeight(0, 1))
			o.Resize(s)
		}
	}
}
