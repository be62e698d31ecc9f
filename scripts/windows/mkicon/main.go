// Command mkicon draws the kiosk's icon (FyneApp.toml's assets/icon.png): a
// card with a gold contact chip on a blue tile. It is run once to make the
// committed PNG; the Windows build turns that PNG into the .ico it needs.
//
//	go run ./scripts/windows/mkicon -out assets/icon.png
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
)

func main() {
	out := flag.String("out", "assets/icon.png", "PNG file to write")
	size := flag.Int("size", 256, "width and height in pixels")
	flag.Parse()
	if *size < 16 || *size > 1024 {
		fmt.Fprintln(os.Stderr, "mkicon: -size must be 16..1024")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err == nil {
		err = png.Encode(f, draw(*size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkicon:", err)
		os.Exit(1)
	}
}

// draw paints the icon at n×n pixels; every shape is in units of n/16.
func draw(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	u := float64(n) / 16
	blue := color.NRGBA{0x1a, 0x4f, 0x9c, 0xff}
	white := color.NRGBA{0xf7, 0xf9, 0xfc, 0xff}
	gold := color.NRGBA{0xd9, 0xa5, 0x2b, 0xff}
	line := color.NRGBA{0x8a, 0x62, 0x0e, 0xff}
	stripe := color.NRGBA{0x9d, 0xb6, 0xd8, 0xff}
	rect(img, u, 0, 0, 16, 16, 3, blue)          // tile
	rect(img, u, 2, 4, 14, 12.5, 1, white)       // card
	rect(img, u, 3.5, 6, 7, 9, 0.5, gold)        // chip
	rect(img, u, 3.5, 7.4, 7, 7.6, 0, line)      // chip contacts
	rect(img, u, 5.15, 6, 5.35, 9, 0, line)      //
	rect(img, u, 8.5, 6.2, 12.5, 6.9, 0, stripe) // text lines
	rect(img, u, 8.5, 8.1, 12.5, 8.8, 0, stripe)
	rect(img, u, 3.5, 10.4, 12.5, 11.1, 0, stripe)
	return img
}

// rect fills the rectangle (x0,y0)–(x1,y1), in units u, with corners of radius r.
func rect(img *image.NRGBA, u, x0, y0, x1, y1, r float64, c color.NRGBA) {
	for py := int(y0 * u); py < int(y1*u); py++ {
		for px := int(x0 * u); px < int(x1*u); px++ {
			x, y := (float64(px)+0.5)/u, (float64(py)+0.5)/u
			cx := min(max(x, x0+r), x1-r)
			cy := min(max(y, y0+r), y1-r)
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
				img.SetNRGBA(px, py, c)
			}
		}
	}
}
