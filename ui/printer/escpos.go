package printer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
)

// ESC/POS commands used.
var (
	cmdInit = []byte{0x1B, 0x40}             // ESC @: initialise
	cmdFeed = []byte{0x1B, 0x64, 0x04}       // ESC d 4: feed four lines past the cutter
	cmdCut  = []byte{0x1D, 0x56, 0x42, 0x00} // GS V 66 0: feed to the cutter and cut (partial)
)

// band is the number of dot rows sent per GS v 0 command (within every
// TM-T88-class printer's limit).
const band = 256

// Raster encodes img (576 dots wide or less) as GS v 0 commands: one dot is
// printed where the pixel is darker than mid-grey.
func Raster(img image.Image) []byte {
	b := img.Bounds()
	wBytes := (b.Dx() + 7) / 8
	var out bytes.Buffer
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += band {
		h := min(band, b.Max.Y-y0)
		out.Write([]byte{0x1D, 0x76, 0x30, 0x00, byte(wBytes), byte(wBytes >> 8), byte(h), byte(h >> 8)})
		row := make([]byte, wBytes)
		for y := y0; y < y0+h; y++ {
			clear(row)
			for x := b.Min.X; x < b.Max.X; x++ {
				if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 {
					i := x - b.Min.X
					row[i/8] |= 0x80 >> (i % 8)
				}
			}
			out.Write(row)
		}
	}
	return out.Bytes()
}

// Job is the whole print job for the receipt: initialise, the raster image,
// feed and cut. It also returns the image printed.
func Job(r Receipt) ([]byte, *image.Gray, error) {
	img, err := Render(r)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	b.Write(cmdInit)
	b.Write(Raster(img))
	b.Write(cmdFeed)
	b.Write(cmdCut)
	return b.Bytes(), img, nil
}

// ErrNotRaster is a job Decode does not understand.
var ErrNotRaster = errors.New("printer: not a raster receipt job")

// maxRows bounds a decoded image (a receipt is well under a metre).
const maxRows = 20000

// Decode reads a job made by Job back into the image it prints (white
// paper, black dots) and reports whether it ends with a cut. It accepts
// only the commands Job writes.
func Decode(job []byte) (*image.Gray, bool, error) {
	if !bytes.HasPrefix(job, cmdInit) {
		return nil, false, fmt.Errorf("%w: no ESC @ at the start", ErrNotRaster)
	}
	p := job[len(cmdInit):]
	var bands []*image.Gray
	width, rows, cut := 0, 0, false
	for len(p) > 0 {
		switch {
		case bytes.HasPrefix(p, []byte{0x1D, 0x76, 0x30}):
			if len(p) < 8 {
				return nil, false, fmt.Errorf("%w: short GS v 0 header", ErrNotRaster)
			}
			wb, h := int(p[4])|int(p[5])<<8, int(p[6])|int(p[7])<<8
			if wb == 0 || wb > Width/8 || h == 0 || rows+h > maxRows {
				return nil, false, fmt.Errorf("%w: GS v 0 of %d bytes × %d rows", ErrNotRaster, wb, h)
			}
			if width != 0 && wb*8 != width {
				return nil, false, fmt.Errorf("%w: band width changes", ErrNotRaster)
			}
			width = wb * 8
			n := wb * h
			if len(p) < 8+n {
				return nil, false, fmt.Errorf("%w: GS v 0 data cut short", ErrNotRaster)
			}
			img := image.NewGray(image.Rect(0, 0, width, h))
			for y := range h {
				for x := range width {
					c := uint8(255)
					if p[8+y*wb+x/8]&(0x80>>(x%8)) != 0 {
						c = 0
					}
					img.Pix[y*img.Stride+x] = c
				}
			}
			bands = append(bands, img)
			rows += h
			p = p[8+n:]
		case bytes.HasPrefix(p, cmdFeed):
			p = p[len(cmdFeed):]
		case bytes.HasPrefix(p, cmdCut):
			p, cut = p[len(cmdCut):], true
		default:
			return nil, false, fmt.Errorf("%w: unexpected byte %#02x", ErrNotRaster, p[0])
		}
	}
	if rows == 0 {
		return nil, false, fmt.Errorf("%w: no image", ErrNotRaster)
	}
	out := image.NewGray(image.Rect(0, 0, width, rows))
	y := 0
	for _, b := range bands {
		for r := range b.Bounds().Dy() {
			copy(out.Pix[(y+r)*out.Stride:], b.Pix[r*b.Stride:r*b.Stride+width])
		}
		y += b.Bounds().Dy()
	}
	return out, cut, nil
}
