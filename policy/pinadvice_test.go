package policy

import (
	"slices"
	"testing"
)

func TestPINAdvice(t *testing.T) {
	for _, c := range []struct {
		kind PINKind
		pin  string
		want []Advice
	}{
		{PINAuth, "", nil},
		{PINAuth, "1357", nil},
		{PINAuth, "8642", nil},
		{PINAuth, "1111", []Advice{AdviceRepeated, AdviceDate}}, // 11 November
		{PINAuth, "0000", []Advice{AdviceRepeated}},
		{PINAuth, "7771", []Advice{AdviceRepeated}},
		{PINAuth, "1234", []Advice{AdviceSequence}}, // no month 12, day 34; no year 1234
		{PINAuth, "4321", []Advice{AdviceSequence}},
		{PINAuth, "0123", []Advice{AdviceSequence, AdviceDate}}, // 23 January
		{PINAuth, "0315", []Advice{AdviceDate}},
		{PINAuth, "1231", []Advice{AdviceDate}},
		{PINAuth, "0229", []Advice{AdviceDate}},
		{PINAuth, "0230", nil},
		{PINAuth, "1985", []Advice{AdviceDate}},
		{PINAuth, "1300", nil},
		{PINBasic, "2222", []Advice{AdviceRepeated}},
		{PINSign, "ABC123", nil},
		{PINSign, "AAAAA1", []Advice{AdviceRepeated}},
		{PINSign, "ABCDE1", []Advice{AdviceSequence}},
		{PINSign, "TARO19850315", []Advice{AdviceDate}},
		{PINSign, "K850315", []Advice{AdviceDate}},
		{PINSign, "X1234Y", []Advice{AdviceSequence}},
		{PINSign, "Q7Z3M9P2", nil},
	} {
		if got := PINAdvice(c.kind, []byte(c.pin)); !slices.Equal(got, c.want) {
			t.Errorf("PINAdvice(%d, %q) = %v, want %v", c.kind, c.pin, got, c.want)
		}
	}
}

func FuzzPINAdvice(f *testing.F) {
	for _, s := range []string{"1111", "ABC123", "19850315", "", "9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		_ = PINAdvice(PINSign, b)
		_ = PINAdvice(PINAuth, b)
		if string(b) != s {
			t.Fatal("PINAdvice changed its input")
		}
	})
}
