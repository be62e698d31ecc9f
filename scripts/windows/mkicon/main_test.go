package main

import (
	"image/png"
	"os"
	"testing"
)

// The committed icon is what mkicon draws: rerun it after changing draw.
func TestCommittedIconIsDrawn(t *testing.T) {
	f, err := os.Open("../../../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := draw(256)
	if img.Bounds() != want.Bounds() {
		t.Fatalf("icon is %v, mkicon draws %v", img.Bounds(), want.Bounds())
	}
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			r1, g1, b1, a1 := img.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) differs: run go run ./scripts/windows/mkicon -out assets/icon.png", x, y)
			}
		}
	}
}

// The tile is opaque blue in the middle of an edge, transparent in the
// rounded corner, and the chip is gold.
func TestDraw(t *testing.T) {
	img := draw(64)
	at := func(x, y int) [4]uint8 {
		c := img.NRGBAAt(x, y)
		return [4]uint8{c.R, c.G, c.B, c.A}
	}
	if c := at(0, 0); c[3] != 0 {
		t.Errorf("corner %v, want transparent", c)
	}
	if c := at(32, 1); c != [4]uint8{0x1a, 0x4f, 0x9c, 0xff} {
		t.Errorf("edge %v, want the tile's blue", c)
	}
	if c := at(17, 25); c != [4]uint8{0xd9, 0xa5, 0x2b, 0xff} {
		t.Errorf("chip %v, want gold", c)
	}
}
