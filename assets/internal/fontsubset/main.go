// Command fontsubset makes the kiosk's subset of Noto Sans CJK SC
// (assets/fonts/NotoSansCJKsc-*-subset.otf), the font of the languages that
// BIZ UDGothic cannot draw: Korean, Simplified Chinese and Vietnamese. The
// full font is 16 MB a weight; the kiosk needs only the characters its
// catalogues use, so this keeps those: every character of the catalogues
// drawn in this font (and of English, which staff screens may show), the
// language names and the symbols the screens add. Run it through
// `go generate ./assets` from the module root after changing a catalogue;
// ui's glyph test fails when a character is missing.
//
// It needs pyftsubset (Debian package fonttools) and the font from the
// Debian package fonts-noto-cjk (see scripts/install-deps.sh). The output
// is reproducible: same catalogues, same fonts and fonttools, same bytes.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// catalogues are the catalogues whose characters the subset keeps: the
// languages drawn in it, and the Latin-script ones (cheap, and shown as
// fallback or in the language menu).
var catalogues = []string{"ko", "zh-Hans", "vi", "en", "pt-BR"}

// extra: the language names (each drawn in its own language's font, the
// CJK ones here), symbols the screens add, and printable ASCII.
const extra = "한국어简体中文Tiếng Việt●✓×・—–…¥「」、。：（）"

// sources: collection file and index of Noto Sans CJK SC in it.
var sources = []struct{ in, out string }{
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts/NotoSansCJKsc-Regular-subset.otf"},
	{"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "fonts/NotoSansCJKsc-Bold-subset.otf"},
}

const scIndex = "2" // 0 JP, 1 KR, 2 SC, 3 TC, 4 HK

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fontsubset:", err)
		os.Exit(1)
	}
}

func run() error {
	set := map[rune]bool{}
	add := func(s string) {
		for _, r := range s {
			if !unicode.IsControl(r) {
				set[r] = true
			}
		}
	}
	for r := rune(0x20); r < 0x7f; r++ {
		set[r] = true
	}
	add(extra)
	for _, tag := range catalogues {
		buf, err := os.ReadFile(filepath.Join("i18n", tag+".json"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		add(string(buf))
	}
	rs := make([]rune, 0, len(set))
	for r := range set {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "U+%04X\n", r)
	}
	list, err := os.CreateTemp("", "fontsubset-*.txt")
	if err != nil {
		return err
	}
	defer os.Remove(list.Name())
	if _, err := list.WriteString(b.String()); err != nil {
		return err
	}
	list.Close()
	for _, s := range sources {
		cmd := exec.Command("pyftsubset", s.in, "--font-number="+scIndex,
			"--unicodes-file="+list.Name(), "--output-file="+s.out,
			"--no-hinting", "--desubroutinize=false", "--layout-features=kern,liga,locl,ccmp,mark,mkmk,vert,palt",
			"--name-IDs=*", "--name-languages=*", "--notdef-outline")
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=0")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w (needs fonttools and fonts-noto-cjk: scripts/install-deps.sh)", s.out, err)
		}
		if err := tightenLines(s.out); err != nil {
			return fmt.Errorf("%s: %w", s.out, err)
		}
	}
	fmt.Printf("fontsubset: %d characters\n", len(rs))
	return nil
}

// Line metrics of the subset, in font units (1000 an em). Noto Sans CJK's
// lines are 1.448 em high (ascent 1160, descent 288) against BIZ UDGothic's
// 1.0 em, so a Korean or Chinese screen would need 45 % more height than the
// Japanese one and not fit the panel; 1.1 em keeps Hangul and Han inside
// (their design box is 880/−120) with room for Vietnamese stacked accents.
const (
	lineAscent  = 950
	lineDescent = 150
)

// tightenLines sets the font's line metrics (hhea, OS/2 typo and win) to
// lineAscent/lineDescent and recomputes the checksums.
func tightenLines(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	be := binary.BigEndian
	tables := map[string][2]int{} // tag → record offset, table offset
	n := int(be.Uint16(b[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		tables[string(b[rec:rec+4])] = [2]int{rec, int(be.Uint32(b[rec+8:]))}
	}
	hhea, os2, head := tables["hhea"], tables["OS/2"], tables["head"]
	if hhea[1] == 0 || os2[1] == 0 || head[1] == 0 {
		return fmt.Errorf("no hhea, OS/2 or head table")
	}
	put := func(off int, v int) { be.PutUint16(b[off:], uint16(int16(v))) }
	put(hhea[1]+4, lineAscent)
	put(hhea[1]+6, -lineDescent)
	put(hhea[1]+8, 0)
	put(os2[1]+68, lineAscent)
	put(os2[1]+70, -lineDescent)
	put(os2[1]+72, 0)
	put(os2[1]+74, lineAscent)
	put(os2[1]+76, lineDescent)
	sum := func(p []byte) uint32 {
		var s uint32
		for i := 0; i < len(p); i += 4 {
			var w [4]byte
			copy(w[:], p[i:min(i+4, len(p))])
			s += be.Uint32(w[:])
		}
		return s
	}
	be.PutUint32(b[head[1]+8:], 0) // checkSumAdjustment
	for _, t := range tables {
		length := int(be.Uint32(b[t[0]+12:]))
		be.PutUint32(b[t[0]+4:], sum(b[t[1]:t[1]+length]))
	}
	be.PutUint32(b[head[1]+8:], 0xB1B0AFBA-sum(b))
	return os.WriteFile(name, b, 0o644)
}
