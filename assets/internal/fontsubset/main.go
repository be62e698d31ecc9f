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
	}
	fmt.Printf("fontsubset: %d characters\n", len(rs))
	return nil
}
