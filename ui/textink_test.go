package ui

import (
	"fmt"
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// inkRows reports, for each row of img, whether any pixel differs from the
// background (the top-left pixel).
func inkRows(img image.Image) []bool {
	b := img.Bounds()
	br, bg, bb, _ := img.At(b.Min.X, b.Min.Y).RGBA()
	diff := func(a, b uint32) bool { return a > b+0x1800 || b > a+0x1800 }
	out := make([]bool, b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if diff(r, br) || diff(g, bg) || diff(bl, bb) {
				out[y-b.Min.Y] = true
				break
			}
		}
	}
	return out
}

// TestTextInkStaysInItsBox renders wrapped paragraphs with descenders (p,
// q, y, g, Ç) and accented capitals in English, Portuguese and Japanese, at
// the kiosk's text sizes (22 px on 1280×800, 28 px on 1920×1080, 35 px in
// large text there), in body text and bold heading text, and checks the drawn
// pixels:
//
//   - every line, drawn alone as the text object Fyne draws, keeps its ink
//     inside the object's box (the OpenGL painter draws text into a texture
//     of that height: ink outside is cut off — issue 10's clipped
//     descenders);
//   - in the paragraph, a blank row lies near the boundary between two
//     lines, so a descender never touches the next line's
//     ascenders and accents (issue 10's overlapping lines).
func TestTextInkStaysInItsBox(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	texts := map[string]string{
		"en":    "Enter your signature PIN to apply; we will guide you quickly. Typing gpqy jqpy.",
		"pt-BR": "Digite a sua senha de assinatura; pagamento já. ÁÉÇ guia qualquer época, pqgy.",
		"ja":    "署名用電子証明書のパスワード（英大文字と数字、gpqy）を入力してください。",
	}
	for _, size := range []float32{22, 28, 35} {
		for lang, text := range texts {
			th := NewTheme(size).ForLang(lang)
			fyne.CurrentApp().Settings().SetTheme(th)
			for name, p := range map[string]*Paragraph{"body": Body(text), "heading (bold)": Heading(text)} {
				where := fmt.Sprintf("%s %s %.0fpx", lang, name, size)
				w.SetContent(container.NewWithoutLayout(p))
				w.Resize(fyne.NewSize(600, 400))
				p.Move(fyne.NewPos(0, 0))
				p.Resize(fyne.NewSize(560, 10))
				p.Resize(fyne.NewSize(560, p.MinSize().Height))
				w.Resize(fyne.NewSize(600, p.MinSize().Height+20))
				var lines []*canvas.Text
				for _, o := range test.LaidOutObjects(p) {
					if tx, ok := o.(*canvas.Text); ok && tx.Text != "" {
						lines = append(lines, tx)
					}
				}
				if len(lines) < 2 {
					t.Fatalf("%s: %d lines, the test needs wrapped text", where, len(lines))
				}
				rows := inkRows(w.Canvas().Capture())
				d := fyne.CurrentApp().Driver()
				for i := 1; i < len(lines); i++ {
					// A blank row within 2 px of the boundary (which may lie
					// between pixels) separates the lines' ink.
					top := int(d.AbsolutePositionForObject(lines[i]).Y + 0.5)
					gap := false
					for y := top - 2; y <= top+2; y++ {
						if y >= 0 && y < len(rows) && !rows[y] {
							gap = true
						}
					}
					if !gap {
						t.Errorf("%s: lines %q and %q touch (ink on every row from y=%d to %d)", where, lines[i-1].Text, lines[i].Text, top-2, top+2)
					}
				}
				// Each line alone, as the text object Fyne draws.
				for _, ln := range lines {
					one := canvas.NewText(ln.Text, ln.Color)
					one.TextSize, one.TextStyle = ln.TextSize, ln.TextStyle
					w.SetContent(container.NewWithoutLayout(one))
					w.Resize(fyne.NewSize(600, 120))
					const y0 = 40
					one.Move(fyne.NewPos(10, y0))
					one.Resize(one.MinSize())
					rows := inkRows(w.Canvas().Capture())
					lo, hi := y0, y0+int(one.MinSize().Height+0.999)
					for y, ink := range rows {
						if ink && (y < lo || y >= hi) {
							t.Errorf("%s: %q drawn at y=%d, outside its box %d–%d: cut off on screen", where, ln.Text, y, lo, hi)
							break
						}
					}
				}
			}
		}
	}
}
