package assets

import (
	"bytes"
	"testing"
)

func TestFontsEmbedded(t *testing.T) {
	for name, b := range map[string][]byte{"regular": FontRegular(), "bold": FontBold(), "proportional regular": FontPropRegular(), "proportional bold": FontPropBold()} {
		// TrueType files start with the sfnt version 0x00010000.
		if len(b) < 1<<20 || !bytes.HasPrefix(b, []byte{0, 1, 0, 0}) {
			t.Errorf("%s font: %d bytes, not a TrueType file", name, len(b))
		}
	}
	lic, err := Fonts.ReadFile("fonts/OFL.txt")
	if err != nil || !bytes.Contains(lic, []byte("SIL OPEN FONT LICENSE Version 1.1")) {
		t.Fatalf("font licence missing: %v", err)
	}
}
