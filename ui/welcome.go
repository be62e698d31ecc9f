package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// welcome is the start screen: what the kiosk does, an animation of the card
// going into the reader, and the languages one tap away.
type welcome struct {
	k    *Kiosk
	anim *InsertCardAnimation
}

func init() {
	Register(flow.StateInsertCard.String(), func(k *Kiosk) Screen {
		return &welcome{k: k, anim: NewInsertCardAnimation()}
	})
}

// Page shows the invitation to insert the card.
func (w *welcome) Page(s flow.Snapshot) Page {
	tr := w.k.tr
	lead := Heading(tr.T("screen.insert_card.lead"))
	if s.Error == flow.ErrCodeCardRemoved {
		// The last session ended because the card was pulled: say so, so
		// that the resident does not think the kiosk lost their work.
		lead = Heading(tr.T("screen.insert_card.removed"))
	}
	var held fyne.CanvasObject = container.NewVBox()
	if s.Error == flow.ErrCodeCardRemovedWaiting && s.Ticket != nil {
		// Pulled while waiting for a clerk: the ticket is kept; the same
		// card takes the resident back to it.
		lead = Heading(tr.T("screen.insert_card.removed_waiting"))
		held = TicketPanel(tr.T("ticket.label"), s.Ticket.Number)
	}
	can := []fyne.CanvasObject{Strong(tr.T("screen.insert_card.can_do"))}
	for _, id := range []string{"screen.insert_card.can_status", "screen.insert_card.can_pin", "screen.insert_card.can_renew"} {
		can = append(can, Body("・"+tr.T(id)))
	}
	left := container.NewVBox(lead, held, Body(tr.T("screen.insert_card.how")), widget.NewSeparator(),
		container.NewVBox(can...))
	right := container.NewVBox(container.NewCenter(w.anim.Object()), Strong(tr.T("screen.insert_card.keep_in")))
	// The big language buttons repeat the header's language button: one
	// row up to five languages, two rows for more (seven with やさしい日本語).
	// The 1280×800 panel has no room for them below the animation; there a
	// labelled button under the list opens the language chooser instead.
	var bottom fyne.CanvasObject
	if !w.k.Compact() {
		var langs []fyne.CanvasObject
		for _, l := range w.k.Offered() {
			l := l
			b := w.k.Control("welcome.lang."+l.Tag, l.Name, nil, func() { tr.SetLang(l.Tag) })
			if l.Tag == tr.Lang() {
				b.Importance = widget.HighImportance
			}
			langs = append(langs, w.k.InOwnFont(l.Tag, AtLeast(b, 200, MinTarget)))
		}
		bottom = container.NewVBox(widget.NewSeparator(), Body(tr.T("header.choose_language")),
			container.NewGridWithColumns(langColumns(len(langs)), langs...))
	} else if len(w.k.Offered()) > 1 {
		b := w.k.Control("welcome.language", tr.T("header.language"), languageIcon, w.k.onLanguage)
		right.Add(container.NewHBox(AtLeast(b, 360, MinTarget)))
	}
	body := container.NewBorder(nil, bottom, nil, AtLeast(right, 520, 0), left)
	w.anim.Start()
	return Page{Title: tr.T("screen.insert_card.title"), Body: body}
}

// langColumns is the number of columns of the welcome screen's language
// buttons: all in one row up to five, else two rows.
func langColumns(n int) int {
	if n <= 5 {
		return max(n, 1)
	}
	return (n + 1) / 2
}

// Dispose stops the animation.
func (w *welcome) Dispose() { w.anim.Stop() }

// InsertCardAnimation shows a My Number card sliding down into a card
// reader, again and again: where the card goes and which way up.
type InsertCardAnimation struct {
	obj     *fyne.Container
	card    *fyne.Container
	anim    *fyne.Animation
	running bool
}

// Animation geometry (device-independent pixels).
const (
	animW, animH       = 440, 420
	cardW, cardH       = 240, 152
	cardTop, cardInTop = 20, 200 // the card's top edge before and after insertion
	readerTop          = 260
)

// NewInsertCardAnimation draws the reader and the card at rest.
func NewInsertCardAnimation() *InsertCardAnimation {
	a := &InsertCardAnimation{}
	body := canvas.NewRectangle(color.NRGBA{0x3A, 0x41, 0x4B, 0xFF})
	body.CornerRadius = 16
	body.Resize(fyne.NewSize(360, 150))
	body.Move(fyne.NewPos((animW-360)/2, readerTop))
	slot := canvas.NewRectangle(color.NRGBA{0x0B, 0x0D, 0x10, 0xFF})
	slot.Resize(fyne.NewSize(cardW+30, 12))
	slot.Move(fyne.NewPos((animW-cardW-30)/2, readerTop+14))
	led := canvas.NewCircle(color.NRGBA{0x3C, 0xD0, 0x70, 0xFF})
	led.Resize(fyne.NewSize(18, 18))
	led.Move(fyne.NewPos(animW/2+140, readerTop+110))

	// The card: light pink like the My Number card, chip on the left.
	face := canvas.NewRectangle(color.NRGBA{0xF6, 0xD8, 0xE0, 0xFF})
	face.CornerRadius = 10
	face.StrokeColor = color.NRGBA{0x8A, 0x5A, 0x6A, 0xFF}
	face.StrokeWidth = 2
	face.Resize(fyne.NewSize(cardW, cardH))
	chip := canvas.NewRectangle(color.NRGBA{0xC8, 0xA8, 0x40, 0xFF})
	chip.CornerRadius = 4
	chip.Resize(fyne.NewSize(44, 36))
	chip.Move(fyne.NewPos(24, 58))
	var lines []fyne.CanvasObject
	for i := 0; i < 3; i++ {
		l := canvas.NewRectangle(color.NRGBA{0x8A, 0x5A, 0x6A, 0x99})
		l.Resize(fyne.NewSize(float32(130-30*i), 10))
		l.Move(fyne.NewPos(90, float32(40+28*i)))
		lines = append(lines, l)
	}
	a.card = container.NewWithoutLayout(append([]fyne.CanvasObject{face, chip}, lines...)...)
	a.card.Resize(fyne.NewSize(cardW, cardH))
	a.card.Move(fyne.NewPos((animW-cardW)/2, (cardTop+cardInTop)/2))

	arrow := canvas.NewText("▼", colPrimary)
	arrow.TextSize = 56
	arrow.Move(fyne.NewPos(animW/2+cardW/2+16, cardTop+40))

	// The reader's front is drawn after the card, so the card disappears into it.
	a.obj = container.NewWithoutLayout(a.card, body, slot, led, arrow)
	a.anim = fyne.NewAnimation(2400*time.Millisecond, func(p float32) {
		// Slide in over the first two thirds, then rest inside.
		q := p * 1.5
		if q > 1 {
			q = 1
		}
		a.card.Move(fyne.NewPos((animW-cardW)/2, cardTop+(cardInTop-cardTop)*q))
	})
	a.anim.Curve = fyne.AnimationEaseInOut
	a.anim.RepeatCount = fyne.AnimationRepeatForever
	return a
}

// Object returns the animation's canvas object (fixed size).
func (a *InsertCardAnimation) Object() fyne.CanvasObject {
	return AtLeast(container.New(layout.NewStackLayout(), a.obj), animW, animH)
}

// Start runs the animation (no-op when running).
func (a *InsertCardAnimation) Start() {
	if !a.running {
		a.running = true
		a.anim.Start()
	}
}

// Stop stops the animation.
func (a *InsertCardAnimation) Stop() {
	if a.running {
		a.running = false
		a.anim.Stop()
	}
}
