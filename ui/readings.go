package ui

import (
	"regexp"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// withReading is a kanji word of やさしい日本語 with its reading in
// parentheses after it, as the catalogue writes it: 暗証番号(あんしょうばんごう).
var withReading = regexp.MustCompile(`([\p{Han}々ヶ]+)\(([\p{Hiragana}ー]+)\)`)

// withoutReadings drops the readings from s: 暗証番号(あんしょうばんごう) → 暗証番号.
func withoutReadings(s string) string { return withReading.ReplaceAllString(s, "$1") }

// firstReadingsOnly keeps the reading of each word at its first
// occurrence in s and in the texts before it (seen), and drops it after.
func firstReadingsOnly(s string, seen map[string]bool) string {
	return withReading.ReplaceAllStringFunc(s, func(m string) string {
		word := withReading.FindStringSubmatch(m)[1]
		if seen[m] {
			return word
		}
		seen[m] = true
		return m
	})
}

// easyReadings fits a page in やさしい日本語 to the panels: the header
// title, every button label and bold text (headings, names, values) show
// the kept kanji without their readings, and the body text gives a word's
// reading where it first appears on the screen, unless it appeared in bold
// before (a certificate's name above its rows): there is room for the
// reading once at most. Voice guidance reads every reading (package speech).
func easyReadings(p Page) Page {
	p.Title = withoutReadings(p.Title)
	p.Secondary = append([]Action(nil), p.Secondary...)
	for i := range p.Secondary {
		p.Secondary[i].Label = withoutReadings(p.Secondary[i].Label)
	}
	if p.Primary != nil {
		a := *p.Primary
		a.Label = withoutReadings(a.Label)
		p.Primary = &a
	}
	seen := map[string]bool{}
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *Paragraph:
			if v.TextStyle.Bold { // headings, names, values: one line where possible
				firstReadingsOnly(v.Text, seen)
				v.Text = withoutReadings(v.Text)
			} else {
				v.Text = firstReadingsOnly(v.Text, seen)
			}
		case *widget.Label:
			v.Text = firstReadingsOnly(v.Text, seen)
		case *canvas.Text:
			v.Text = withoutReadings(v.Text)
		case *widget.Button:
			v.Text = withoutReadings(v.Text)
		case *container.Scroll:
			visit(v.Content)
		case *container.ThemeOverride:
			visit(v.Content)
		case *fyne.Container:
			for _, c := range v.Objects {
				visit(c)
			}
		}
	}
	if p.Body != nil {
		visit(p.Body)
	}
	return p
}
