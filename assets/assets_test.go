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
	// The CJK subset is small (go generate keeps only the catalogues'
	// characters) but an OpenType (CFF) font all the same.
	for name, b := range map[string][]byte{"CJK regular": FontCJKRegular(), "CJK bold": FontCJKBold()} {
		if len(b) < 10<<10 || len(b) > 300<<10 || !bytes.HasPrefix(b, []byte("OTTO")) {
			t.Errorf("%s font: %d bytes, not an OpenType subset of 10–300 KB", name, len(b))
		}
	}
	for _, name := range []string{"fonts/OFL.txt", "fonts/OFL-NotoSansCJK.txt"} {
		lic, err := Fonts.ReadFile(name)
		if err != nil || !bytes.Contains(lic, []byte("SIL OPEN FONT LICENSE Version 1.1")) || !bytes.HasPrefix(lic, []byte("Copyright")) {
			t.Fatalf("font licence %s missing: %v", name, err)
		}
	}
}
