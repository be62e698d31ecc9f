// Package printer prints the kiosk's receipt on an 80 mm ESC/POS thermal
// printer as raster graphics (GS v 0, 576 dots wide), so that any such
// printer prints Japanese without a character ROM, then feeds and cuts. It
// reaches the printer over TCP port 9100 (with a DLE EOT status query), a
// device or file path, a CUPS raw queue (Linux) or the Windows spooler (RAW).
// The receipt arrives translated; nothing personal is ever on it.
package printer

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/jpki-kiosk/kiosk/assets"
)

// Width is the printable width of an 80 mm printer at 203 dpi, in dots.
const Width = 576

// margin is the left and right margin, in dots.
const margin = 16

// Receipt is what a printed receipt shows, already translated.
type Receipt struct {
	Title       string // what was done (heading)
	Done        []string
	Rows        []Row  // label and value: new expiry dates, fee, date
	TicketLabel string // shown above the ticket number
	Ticket      string // printed large; empty: no ticket
	QR          string // QR code payload; empty: no code
	QRCaption   string
	Notes       []string // e.g. when a certificate lapses
	Latin       bool     // a Latin-script language: drawn in the proportional BIZ UDPGothic
}

// Row is one label and value line.
type Row struct{ Label, Value string }

type faces struct{ title, body, small, big font.Face }

// loadFaces is BIZ UDGothic (Japanese), loadPropFaces BIZ UDPGothic, the
// proportional variant the screens use for Latin-script languages.
var (
	loadFaces     = sync.OnceValues(func() (faces, error) { return makeFaces(assets.FontRegular(), assets.FontBold()) })
	loadPropFaces = sync.OnceValues(func() (faces, error) { return makeFaces(assets.FontPropRegular(), assets.FontPropBold()) })
)

func makeFaces(regular, boldTTF []byte) (faces, error) {
	reg, err := opentype.Parse(regular)
	if err != nil {
		return faces{}, err
	}
	bold, err := opentype.Parse(boldTTF)
	if err != nil {
		return faces{}, err
	}
	face := func(f *opentype.Font, size float64) font.Face {
		fc, ferr := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if ferr != nil {
			err = ferr
		}
		return fc
	}
	fs := faces{title: face(bold, 36), body: face(reg, 28), small: face(reg, 24), big: face(bold, 150)}
	return fs, err
}

// canvasImg grows downwards as text and codes are added.
type canvasImg struct {
	img *image.Gray
	y   int
}

func (c *canvasImg) ensure(h int) {
	if c.y+h <= c.img.Bounds().Dy() {
		return
	}
	n := image.NewGray(image.Rect(0, 0, Width, max(2*c.img.Bounds().Dy(), c.y+h)))
	draw.Draw(n, n.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(n, c.img.Bounds(), c.img, image.Point{}, draw.Src)
	c.img = n
}

// text writes s in face f, wrapped to the width from x (a Japanese line may
// break between any two characters; Latin text breaks at spaces).
func (c *canvasImg) text(f font.Face, s string, x int, center bool) {
	m := f.Metrics()
	lh := (m.Ascent + m.Descent).Ceil() + 6
	for _, line := range wrap(f, s, Width-margin-x) {
		c.ensure(lh)
		d := font.Drawer{Dst: c.img, Src: image.Black, Face: f}
		lx := x
		if center {
			lx = (Width - d.MeasureString(line).Ceil()) / 2
		}
		d.Dot = fixed.P(lx, c.y+m.Ascent.Ceil())
		d.DrawString(line)
		c.y += lh
	}
}

func wrap(f font.Face, s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line []rune
		lastSpace := -1
		for _, r := range para {
			line = append(line, r)
			if r == ' ' {
				lastSpace = len(line) - 1
			}
			if font.MeasureString(f, string(line)).Ceil() <= w {
				continue
			}
			cut := len(line) - 1
			if lastSpace > 0 && r != ' ' && isLatin(r) {
				cut = lastSpace + 1
			}
			out = append(out, strings.TrimRight(string(line[:cut]), " "))
			line = []rune(strings.TrimLeft(string(line[cut:]), " "))
			lastSpace = -1
		}
		out = append(out, string(line))
	}
	return out
}

func isLatin(r rune) bool { return r < 0x2E80 }

func (c *canvasImg) rule() {
	c.ensure(14)
	for x := margin; x < Width-margin; x++ {
		c.img.SetGray(x, c.y+6, color.Gray{})
		c.img.SetGray(x, c.y+7, color.Gray{})
	}
	c.y += 14
}

func (c *canvasImg) gap(h int) { c.ensure(h); c.y += h }

// qr draws the code with whole dots per module, centred.
func (c *canvasImg) qr(data string) error {
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("printer: QR code: %w", err)
	}
	bm := q.Bitmap() // with the quiet zone
	mod := max(1, min(8, 320/len(bm)))
	size := mod * len(bm)
	c.ensure(size)
	x0 := (Width - size) / 2
	for y, row := range bm {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := range mod {
				for dx := range mod {
					c.img.SetGray(x0+x*mod+dx, c.y+y*mod+dy, color.Gray{})
				}
			}
		}
	}
	c.y += size
	return nil
}

// Render draws the receipt as a 576-dot-wide black-and-white image.
func Render(r Receipt) (*image.Gray, error) {
	load := loadFaces
	if r.Latin {
		load = loadPropFaces
	}
	fs, err := load()
	if err != nil {
		return nil, fmt.Errorf("printer: font: %w", err)
	}
	c := &canvasImg{img: image.NewGray(image.Rect(0, 0, Width, 400))}
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
	c.gap(8)
	c.text(fs.title, r.Title, margin, true)
	c.rule()
	for _, d := range r.Done {
		c.text(fs.small, "✓ "+d, margin, false)
	}
	for _, row := range r.Rows {
		c.text(fs.small, row.Label, margin, false)
		c.text(fs.body, row.Value, margin+32, false)
	}
	if r.Ticket != "" {
		c.rule()
		c.text(fs.body, r.TicketLabel, margin, true)
		c.text(fs.big, r.Ticket, margin, true)
	}
	if r.QR != "" {
		c.rule()
		if err := c.qr(r.QR); err != nil {
			return nil, err
		}
		if r.QRCaption != "" {
			c.text(fs.small, r.QRCaption, margin, false)
		}
	}
	if len(r.Notes) > 0 {
		c.rule()
		for _, n := range r.Notes {
			c.text(fs.small, n, margin, false)
		}
	}
	c.gap(16)
	return c.img.SubImage(image.Rect(0, 0, Width, c.y)).(*image.Gray), nil
}

// Mono converts a printed image to two colours (a small 1-bit PNG).
func Mono(img *image.Gray) *image.Paletted {
	p := image.NewPaletted(img.Bounds(), color.Palette{color.White, color.Black})
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				p.SetColorIndex(x, y, 1)
			}
		}
	}
	return p
}
