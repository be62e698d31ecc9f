package demo

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/ui"
)

// sizes are the two panels.
var sizes = []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}}

// primaryInView asserts that id is the screen's primary (high-importance)
// button and lies wholly inside the window at both panel sizes.
func (r *rig) primaryInView(id string) {
	r.t.Helper()
	defer r.w.Resize(sizes[0])
	for _, size := range sizes {
		r.w.Resize(size)
		r.k.Refresh()
		ui.Settle(r.w)
		r.w.Canvas().Capture()
		b := r.k.Button(id)
		if b == nil {
			r.t.Fatalf("%s: no button %q", r.k.ScreenID(), id)
		}
		if b.Importance != widget.HighImportance {
			r.t.Errorf("%.0fx%.0f %s: %q is not the primary action (importance %v)", size.Width, size.Height, r.k.ScreenID(), id, b.Importance)
		}
		pos, found := absPos(r.w.Canvas().Content(), b, fyne.Position{})
		end := pos.Add(b.Size())
		if !found || !b.Visible() || pos.X < 0 || pos.Y < 0 || end.X > size.Width+0.5 || end.Y > size.Height+0.5 || b.Size().Height < ui.MinTarget {
			r.t.Errorf("%.0fx%.0f %s: %q at (%.0f,%.0f)–(%.0f,%.0f) is not in view", size.Width, size.Height, r.k.ScreenID(), id, pos.X, pos.Y, end.X, end.Y)
		}
	}
}

// absPos finds target under o (at offset at) and returns its position in
// the window.
func absPos(o fyne.CanvasObject, target fyne.CanvasObject, at fyne.Position) (fyne.Position, bool) {
	at = at.Add(o.Position())
	if o == target {
		return at, true
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	}
	for _, k := range kids {
		if p, ok := absPos(k, target, at); ok {
			return p, true
		}
	}
	return fyne.Position{}, false
}

func (r *rig) see(text string) {
	r.t.Helper()
	// The first words: long texts wrap into several lines.
	if rs := []rune(text); len(rs) > 12 {
		text = string(rs[:12])
	}
	r.shows(text, fmt.Sprintf("%s does not show %q", r.k.ScreenID(), text))
}

func (r *rig) tr(key string) string { return r.k.Tr().T(key) }

// A locked PIN (issue 10, auth-locked and sign-locked): the badge says
// locked, the counter is the primary action in view on both panels, the
// ticket says to wait here, and a card pulled while waiting keeps the ticket
// for the same card.
func TestLockedPersonaJourney(t *testing.T) {
	for _, persona := range []string{vcard.PersonaAuthLocked, "sign-locked"} {
		t.Run(persona, func(t *testing.T) {
			r := newRig(t)
			r.insert(persona)
			r.want("STATUS")
			r.see(r.tr("cert.badge.locked"))
			r.see(r.tr("pin.BASIC_INFO.name")) // all three PINs' tries
			r.primaryInView("service.COUNTER")
			r.tap("service.COUNTER")
			r.want("GO_TO_COUNTER")
			r.see(r.tr("screen.go_to_counter_here.lead"))
			if strings.Contains(r.markup(), r.tr("screen.go_to_counter.lead")) || r.k.Button("next") != nil {
				t.Fatal("a reset at this kiosk says to go to the counter")
			}
			number := r.k.Snapshot().Ticket.Number
			r.panel.onRemove()
			r.drain()
			r.want("INSERT_CARD")
			r.see(r.tr("screen.insert_card.removed_waiting"))
			if tk := r.k.Snapshot().Ticket; tk == nil || tk.Number != number {
				t.Fatalf("ticket not kept: %+v", tk)
			}
			r.insert(persona)
			r.want("GO_TO_COUNTER")
			if tk := r.k.Snapshot().Ticket; tk == nil || tk.Number != number {
				t.Fatalf("ticket not resumed: %+v", tk)
			}
		})
	}
}

// An expired certificate: the status screen says what next and a new
// issuance is the primary action.
func TestExpiredPersonaWhatNext(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaExpired)
	r.want("STATUS")
	r.see(r.tr("screen.status.expired_hint"))
	r.primaryInView("service.PREPARE")
}

// A 14-year-old's card: the choose screen never offers a signature
// certificate and explains the counter with a legal representative.
func TestChildChooseScreen(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaChild)
	r.want("STATUS")
	r.tap("service.PREPARE")
	r.want("ENTER_PIN")
	r.typePIN("1234")
	r.tap("next")
	r.want("CHOOSE_CERTS")
	if r.k.Button("certs.SIGN") != nil || r.k.Button("certs.BOTH") != nil {
		t.Fatal("a signature certificate offered to a 14-year-old")
	}
	if r.k.Button("certs.AUTH") == nil {
		t.Fatal("the user-authentication certificate is not shown")
	}
	r.see(r.tr("screen.choose_certs.legal_rep"))
}

// The ticket screen's main button does what it says.
func TestTicketMainButtonMatches(t *testing.T) {
	r := newRig(t)
	r.insert(vcard.PersonaAuthLocked)
	r.tap("service.COUNTER")
	if r.k.Button("next") != nil || r.k.Button("cancel") == nil {
		t.Fatal("wait-here ticket: a main button, or no way back to the menu")
	}
}

// On the status screen of the personas whose journeys issue 10 walked, every
// service and the primary action are in view without scrolling, on both
// panels, in Japanese, English and Portuguese.
func TestStatusServicesInView(t *testing.T) {
	for _, persona := range []string{vcard.PersonaAdult, vcard.PersonaRenewable, vcard.PersonaExpired, vcard.PersonaAuthLocked, "sign-locked", vcard.PersonaChild} {
		r := newRig(t)
		r.insert(persona)
		r.want("STATUS")
		s := r.k.Snapshot()
		// Sizes outside, languages inside, each SetLang a change: the
		// screen is rebuilt for the panel (Refresh alone keeps it).
		for i, size := range sizes {
			r.w.Resize(size)
			for _, lang := range [][]string{{"en", "pt-BR", "ja"}, {"en", "pt-BR", "ja"}}[i] {
				r.k.Tr().SetLang(lang)
				ui.Settle(r.w)
				r.w.Canvas().Capture()
				for _, o := range s.Offers {
					if o.Service == s.Recommended && o.PIN == 0 {
						continue // the primary action, in the action bar
					}
					id := "service." + o.Service.String()
					if o.PIN != 0 && o.Service.String() != "SIGN_EXPIRY" {
						id += "." + o.PIN.String()
					}
					b := r.k.Button(id)
					if b == nil {
						t.Fatalf("%s: no button %s", persona, id)
					}
					pos, found := absPos(r.w.Canvas().Content(), b, fyne.Position{})
					end := pos.Add(b.Size())
					// Above the action bar (at least MinTarget high plus padding).
					if !found || end.Y > size.Height-ui.MinTarget-16 || end.X > size.Width+0.5 {
						t.Errorf("%s %s %.0fx%.0f: %s at (%.0f,%.0f)–(%.0f,%.0f) not in view", persona, lang, size.Width, size.Height, id, pos.X, pos.Y, end.X, end.Y)
					}
				}
			}
		}
		r.k.Tr().SetLang("ja")
		r.w.Resize(sizes[0])
	}
}
