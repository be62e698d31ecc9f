package ui

import (
	"sort"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Paragraph is a wrapped label that breaks its lines the way Japanese (and
// Chinese) text is typeset: between any two kanji or kana, but never before
// closing punctuation, small kana or the long-vowel mark (、。」）っー…)
// nor after an opening bracket (「（), the rules known as kinsoku. Latin
// and Hangul text breaks at spaces only, as with widget.Label.
//
// Fyne's own word wrap breaks text without spaces at whatever character
// reaches the edge, so "、" or "。" could start a line. A Paragraph does the
// breaking itself whenever it is resized and hands the label lines that fit,
// joined with newlines. Set the text with SetText (or assign Text and call
// Refresh); Raw returns it without the inserted line breaks.
type Paragraph struct {
	widget.Label

	raw     string  // the text as set, without inserted breaks
	wrapped string  // Label.Text as last broken
	width   float32 // the width it was broken for
}

// NewParagraph returns a word-wrapped Paragraph.
func NewParagraph(text string) *Paragraph {
	p := &Paragraph{raw: text, width: -1}
	p.Text = text
	p.wrapped = text
	p.Wrapping = fyne.TextWrapWord
	p.ExtendBaseWidget(p)
	return p
}

// Raw returns the paragraph's text without the line breaks it inserted.
func (p *Paragraph) Raw() string {
	if p.Text != p.wrapped { // assigned directly since the last break
		return p.Text
	}
	return p.raw
}

// SetText replaces the text and breaks it for the current width.
func (p *Paragraph) SetText(text string) {
	p.raw, p.Text, p.wrapped, p.width = text, text, text, -1
	p.rebreak(p.Size().Width)
	p.Label.Refresh()
}

// Refresh breaks the text again (the text, style or theme may have changed)
// and redraws it.
func (p *Paragraph) Refresh() {
	if p.Text != p.wrapped {
		p.raw, p.wrapped = p.Text, p.Text
	}
	p.width = -1
	p.rebreak(p.Size().Width)
	p.Label.Refresh()
}

// Resize breaks the text for the new width and lays the label out.
func (p *Paragraph) Resize(size fyne.Size) {
	if p.rebreak(size.Width) {
		p.Label.Refresh()
	}
	p.Label.Resize(size)
}

// rebreak sets Label.Text to the raw text broken for a label width; it
// reports whether the text changed.
func (p *Paragraph) rebreak(width float32) bool {
	if p.Text != p.wrapped {
		p.raw, p.wrapped = p.Text, p.Text
		p.width = -1
	}
	if width <= 0 || width == p.width {
		return false
	}
	p.width = width
	th := p.Theme()
	sizeName := p.SizeName
	if sizeName == "" {
		sizeName = theme.SizeNameText
	}
	textSize := th.Size(sizeName)
	style := p.TextStyle
	// The label's text area is its width less the inner padding on both
	// sides; one pixel less keeps rounding from making Fyne break again.
	avail := width - 2*th.Size(theme.SizeNameInnerPadding) - 1
	text := strings.Join(BreakLines(p.raw, avail, func(s string) float32 {
		return fyne.MeasureText(s, textSize, style).Width
	}), "\n")
	if text == p.Text {
		return false
	}
	p.Text, p.wrapped = text, text
	return true
}

// BreakLines splits text into lines no wider than width (as measured by
// measure), keeping the text's own newlines. Lines break between two CJK
// characters unless the second is a closing mark that may not start a line
// (kinsoku) or the first an opening bracket that may not end one, and after
// spaces; Latin words and Hangul words are not split unless a word alone is
// wider than the line. Spaces at a break are dropped; a no-break space
// (U+00A0) never breaks.
func BreakLines(text string, width float32, measure func(string) float32) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, breakParagraph([]rune(para), width, measure)...)
	}
	return out
}

func breakParagraph(r []rune, width float32, measure func(string) float32) []string {
	if len(r) == 0 || width <= 0 {
		return []string{string(r)}
	}
	fits := func(s, e int) bool { return measure(strings.TrimRightFunc(string(r[s:e]), unicode.IsSpace)) <= width }
	var lines []string
	start := 0
	for start < len(r) {
		if fits(start, len(r)) {
			lines = append(lines, strings.TrimRightFunc(string(r[start:]), unicode.IsSpace))
			break
		}
		// The break opportunities after start; the furthest one that fits wins.
		var ops []int
		for i := start + 1; i < len(r); i++ {
			if canBreak(r[i-1], r[i]) {
				ops = append(ops, i)
			}
		}
		n := sort.Search(len(ops), func(j int) bool { return !fits(start, ops[j]) })
		end := 0
		if n > 0 {
			end = ops[n-1]
		} else {
			// Nothing breakable fits: split the word at the last character
			// that fits, still keeping a closing mark off the next line.
			end = start + sort.Search(len(r)-start, func(j int) bool { return !fits(start, start+j+1) })
			for end > start+1 && end < len(r) && noLineStart(r[end]) {
				end--
			}
			if end <= start {
				end = start + 1
			}
		}
		lines = append(lines, strings.TrimRightFunc(string(r[start:end]), unicode.IsSpace))
		start = end
		for start < len(r) && unicode.IsSpace(r[start]) {
			start++
		}
	}
	return lines
}

// canBreak reports whether a line may break between a and b.
func canBreak(a, b rune) bool {
	switch {
	case a == '\u00a0' || b == '\u00a0': // no-break space
		return false
	case unicode.IsSpace(a):
		return !unicode.IsSpace(b)
	case unicode.IsSpace(b), noLineStart(b), noLineEnd(a):
		return false
	}
	return isCJK(a) || isCJK(b)
}

// isCJK reports whether r is a character of Japanese or Chinese text, which
// is written without spaces and may break between any two characters.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK symbols and punctuation
		(r >= 0xFF01 && r <= 0xFF60) || // full-width forms
		r == 'ー' || r == '・'
}

// Characters that may not start a line (行頭禁則) or end one (行末禁則), after
// JIS X 4051; the Latin ones matter when they follow Japanese text.
const (
	noStart = "、。，．,.:;!?)]}’”〉》」』】〕〗〙〟｠）］｝＞：；！？・ー…‥ヽヾゝゞ々〻゛゜" +
		"ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ%％‰℃°"
	noEnd = "([{‘“〈《「『【〔〖〘〝｟（［｛＜"
)

func noLineStart(r rune) bool { return strings.ContainsRune(noStart, r) }

func noLineEnd(r rune) bool { return strings.ContainsRune(noEnd, r) }
