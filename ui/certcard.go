package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// CertCard shows one certificate the way flow sees it: kind, what it is for
// in plain words, a status badge, valid until, days left, renewable from, and
// the tries left of its PIN. Compact (the 1280×800 panel) packs the rows
// tighter and leaves out the PIN rule, which the PIN screen shows anyway, so
// that the services fit below the two cards without scrolling.
func CertCard(tr *i18n.Catalogue, cert flow.Cert, v flow.CertView, triesLeft int, compact bool) fyne.CanvasObject {
	pin := cert.PIN()
	key := "cert." + cert.String()

	title := Strong(tr.T(key + ".name"))
	title.SizeName = theme.SizeNameSubHeadingText
	if compact {
		title.SizeName = theme.SizeNameText // one line, also in English
	}
	purpose := Body(tr.T(key + ".purpose"))

	badgeText, badgeCol := certBadge(tr, cert, v, triesLeft)
	rows := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, Badge(badgeText, badgeCol), title),
	}
	if !compact {
		// What the certificate is for. On the 1280×800 panel the name says
		// enough: with the purpose, a renewable certificate in English or
		// Portuguese pushed the last row of services below the fold.
		rows = append(rows, purpose, widget.NewSeparator())
	}
	// The label column is as wide as the longest label, so that no label
	// wraps ("残りの入力回/数") whatever the language.
	th := fyne.CurrentApp().Settings().Theme()
	var labelW float32
	for _, id := range []string{"cert.valid_until", "cert.renewable_from", "cert.pin", "cert.tries_left"} {
		labelW = max(labelW, fyne.MeasureText(tr.T(id), th.Size(theme.SizeNameText), fyne.TextStyle{}).Width)
	}
	labelW += 2*th.Size(theme.SizeNameInnerPadding) + 4 // Paragraph keeps a pixel in hand
	add := func(label, value string, col fyne.ThemeColorName) {
		val := Strong(value)
		if col != "" {
			val = Emphasis(value, col)
		}
		rows = append(rows, container.NewBorder(nil, nil, AtLeast(Body(label), labelW, 0), nil, val))
	}
	switch {
	case !v.Known:
		add(tr.T("cert.valid_until"), tr.T("cert.needs_pin_to_read"), "")
	case !v.Present:
		add(tr.T("cert.valid_until"), tr.T("cert.none"), "")
	default:
		var days string
		col := fyne.ThemeColorName("")
		if v.Expired {
			days = tr.N("cert.expired_days_ago", -v.DaysLeft)
			col = theme.ColorNameError
		} else {
			days = tr.N("cert.days_left", v.DaysLeft)
			if v.Renewable {
				col = theme.ColorNamePrimary
			}
		}
		add(tr.T("cert.valid_until"), tr.T("cert.date_and_days", "Date", tr.Date(v.NotAfter), "Days", days), col)
		if !v.Expired && !v.RenewableFrom.IsZero() {
			add(tr.T("cert.renewable_from"), tr.Date(v.RenewableFrom), "")
		}
	}
	// A certificate the card does not carry (EF 0008, e.g. a child's
	// signature certificate) has no PIN to show: no tries, no reset.
	absent := v.Known && !v.Present && triesLeft < 0
	if !compact && !absent {
		add(tr.T("cert.pin"), tr.T("pin."+pin.String()+".rule_short"), "")
	}
	switch {
	case absent:
	case triesLeft < 0:
		add(tr.T("cert.tries_left"), tr.T("cert.tries_unknown"), "")
	case triesLeft == 0:
		add(tr.T("cert.tries_left"), tr.T("cert.locked"), theme.ColorNameError)
	case triesLeft == 1:
		add(tr.T("cert.tries_left"), tr.N("cert.tries_n", triesLeft), theme.ColorNameError)
	default:
		add(tr.T("cert.tries_left"), tr.N("cert.tries_n", triesLeft), "")
	}
	if compact {
		return Panel(colCardSurface, Tight(container.NewVBox(rows...)))
	}
	return Panel(colCardSurface, container.NewVBox(rows...))
}

// certBadge is the one-word state of a certificate and its colour. A
// certificate whose PIN is locked cannot be used: "locked", never a green
// "valid".
func certBadge(tr *i18n.Catalogue, cert flow.Cert, v flow.CertView, triesLeft int) (string, fyne.ThemeColorName) {
	switch {
	case v.Known && !v.Present:
		return tr.T("cert.badge.none"), theme.ColorNameForeground
	case v.Expired:
		return tr.T("cert.badge.expired"), theme.ColorNameError
	case triesLeft == 0:
		return tr.T("cert.badge.locked"), theme.ColorNameError
	case !v.Known:
		return tr.T("cert.badge.unknown"), theme.ColorNameForeground
	case v.Renewable:
		return tr.T("cert.badge.renewable"), theme.ColorNamePrimary
	}
	return tr.T("cert.badge.valid"), theme.ColorNameSuccess
}

// Badge is a short label on a solid rounded background: white text on the
// primary, error or success colour, or dark text on light grey for
// theme.ColorNameForeground.
func Badge(text string, col fyne.ThemeColorName) fyne.CanvasObject {
	fill, fg := colForeground, colBackground
	switch col {
	case theme.ColorNameError:
		fill = colError
	case theme.ColorNamePrimary:
		fill = colPrimary
	case theme.ColorNameSuccess:
		fill = colSuccess
	default:
		fill, fg = colButton, colForeground
	}
	bg := canvas.NewRectangle(fill)
	bg.CornerRadius = 20
	t := canvas.NewText(text, fg)
	t.TextStyle.Bold = true
	t.TextSize = fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText)
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(6, 6, 20, 20), container.NewCenter(t)))
}
