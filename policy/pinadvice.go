package policy

// Advice is a reason to choose another new PIN that the rules still allow:
// the kiosk shows it and takes the PIN all the same (advice, never refusal).
type Advice string

// The advice codes (texts: assets/i18n "pinadvice.CODE").
const (
	// AdviceRepeated: one character repeated (1111, or mostly one: 1112).
	AdviceRepeated Advice = "REPEATED"
	// AdviceSequence: a run such as 1234, 4321, 0123 or ABCDEF.
	AdviceSequence Advice = "SEQUENCE"
	// AdviceDate: reads as a date or year (0315, 1985, 19850315, 850315),
	// the first thing a finder of the card would try with a birthday.
	AdviceDate Advice = "DATE"
)

// PINAdvice returns the advice for a new PIN of kind k that meets the rules
// (nil when there is none, or when the PIN is empty). It reads pin in place
// and keeps no copy.
func PINAdvice(k PINKind, pin []byte) []Advice {
	if len(pin) == 0 {
		return nil
	}
	var out []Advice
	if repeated(pin) {
		out = append(out, AdviceRepeated)
	}
	if sequence(pin) || (k == PINSign && (sequence(digitsOf(pin)) || sequence(lettersOf(pin)))) {
		out = append(out, AdviceSequence)
	}
	if dateLike(pin) || (k == PINSign && dateLike(digitsOf(pin))) {
		out = append(out, AdviceDate)
	}
	return out
}

// repeated: every character but at most one is the same one, for PINs of
// four or more (1111, 1112, 7777).
func repeated(pin []byte) bool {
	if len(pin) < 4 {
		return false
	}
	counts := map[byte]int{}
	most := 0
	for _, c := range pin {
		counts[c]++
		most = max(most, counts[c])
	}
	return most >= len(pin)-1
}

// sequence: four or more characters each one up (or each one down) from the
// one before.
func sequence(s []byte) bool {
	if len(s) < 4 {
		return false
	}
	up, down := true, true
	for i := 1; i < len(s); i++ {
		up = up && s[i] == s[i-1]+1
		down = down && s[i] == s[i-1]-1
	}
	return up || down
}

// digitsOf is the longest run of digits in pin (a view, not a copy).
func digitsOf(pin []byte) []byte {
	return longestRun(pin, func(c byte) bool { return c >= '0' && c <= '9' })
}

// lettersOf is the longest run of letters in pin (a view, not a copy).
func lettersOf(pin []byte) []byte {
	return longestRun(pin, func(c byte) bool { return c >= 'A' && c <= 'Z' })
}

func longestRun(pin []byte, in func(byte) bool) []byte {
	best, start := pin[:0], -1
	for i := 0; i <= len(pin); i++ {
		if i < len(pin) && in(pin[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = pin[start:i]
		}
		start = -1
	}
	return best
}

// dateLike: MMDD, YYYY (1900–2099), YYMMDD or YYYYMMDD, all digits.
func dateLike(s []byte) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			n = n*10 + int(c-'0')
		}
		return n
	}
	monthDay := func(b []byte) bool {
		m, d := num(b[:2]), num(b[2:4])
		return m >= 1 && m <= 12 && d >= 1 && d <= longestMonth(m)
	}
	switch len(s) {
	case 4:
		y := num(s)
		return monthDay(s) || (y >= 1900 && y <= 2099)
	case 6:
		return monthDay(s[2:])
	case 8:
		y := num(s[:4])
		return y >= 1900 && y <= 2099 && monthDay(s[4:])
	}
	return false
}

// longestMonth is the longest month m can be (29 for February: a birthday may be
// a leap day).
func longestMonth(m int) int {
	switch m {
	case 2:
		return 29
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
