package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
)

// fixedWidth measures every character as one unit wide.
func fixedWidth(s string) float32 { return float32(utf8.RuneCountInString(s)) }

func TestBreakLinesKinsoku(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float32
		want  []string
	}{
		// Plain character breaking would start the second line with "、".
		{"コンビニでの交付などで、あなた本人", 11, []string{"コンビニでの交付など", "で、あなた本人"}},
		// "。" and "」" stay with the character before; "「" with the one after.
		{"あいうえお。かき", 5, []string{"あいうえ", "お。かき"}},
		{"あいう「かきく」け", 4, []string{"あいう", "「かき", "く」け"}},
		// Small kana and the long-vowel mark do not start a line.
		{"アイウッカ", 3, []string{"アイ", "ウッカ"}},
		{"データー", 3, []string{"デー", "ター"}},
		// Latin words inside Japanese stay whole; Latin text breaks at spaces.
		{"ああe-Taxなど", 5, []string{"ああ", "e-Tax", "など"}},
		{"Proves that it is you", 10, []string{"Proves", "that it is", "you"}},
		// Hangul breaks between words only.
		{"본인임을 증명합니다", 6, []string{"본인임을", "증명합니다"}},
		// A no-break space holds its neighbours together.
		{"24 Dec (33\u00a0days\u00a0left)", 14, []string{"24 Dec", "(33\u00a0days\u00a0left)"}},
		// Newlines are kept; a word wider than the line is split.
		{"abc\nabcdefgh", 4, []string{"abc", "abcd", "efgh"}},
	} {
		got := BreakLines(c.text, c.width, fixedWidth)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("BreakLines(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
		}
		for _, l := range got {
			if fixedWidth(l) > c.width {
				t.Errorf("%q: line %q wider than %v", c.text, l, c.width)
			}
		}
	}
}

// TestParagraphNeverStartsALineWithClosingPunctuation breaks every
// Japanese message at several widths with the kiosk's font and checks that
// no line starts with a character kinsoku keeps off the start of a line and
// that no character is lost.
func TestParagraphNeverStartsALineWithClosingPunctuation(t *testing.T) {
	k, _ := newTestKiosk(t, &fakeSession{})
	broken := 0
	for _, id := range k.Tr().IDs("ja") {
		text, _ := k.Tr().In("ja", id)
		for _, width := range []float32{300, 480, 720} {
			p := Body(text)
			p.Resize(fyne.NewSize(width, 1000))
			lines := strings.Split(p.Text, "\n")
			for _, line := range lines[1:] {
				if r, _ := utf8.DecodeRuneInString(line); noLineStart(r) {
					t.Errorf("%s at %v px: a line starts with %q: %q", id, width, r, p.Text)
				}
			}
			broken += len(lines) - 1 - strings.Count(text, "\n")
			if squash(p.Text) != squash(text) || p.Raw() != text {
				t.Errorf("%s: text changed: %q → %q", id, text, p.Text)
			}
		}
	}
	if broken == 0 {
		t.Fatal("no line was broken: the test checks nothing")
	}
}

func squash(s string) string {
	return strings.NewReplacer("\n", "", " ", "").Replace(s)
}
