package ui

import (
	"math"
	"math/rand/v2"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestKeypadLayout: every character key of a keypad has the same size
// (at least MinTarget tall); digits end with [clear] [0] [delete] in the
// three columns of the block; the alphanumeric pad's clear and delete keys
// are two keys wide at the end of the last row; and scrambling moves only
// the characters, never the layout or the clear and delete keys.
func TestKeypadLayout(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme(28))
	pos := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	near := func(a, b float32) bool { return math.Abs(float64(a-b)) < 1 }
	for _, mode := range []KeypadMode{KeypadDigits, KeypadAlnum} {
		var firstBack, firstClear fyne.Position
		for seed := uint64(0); seed < 4; seed++ {
			rnd := newRand(seed)
			if seed == 0 {
				rnd = nil
			}
			k := NewKeypad(mode, rnd, "delete")
			k.SetLabels("1字消す", "全部消す")
			w := test.NewTempWindow(t, k.Object())
			w.Resize(fyne.NewSize(1200, 600))
			keys := k.allKeys()
			key := keys[0].Size()
			if key.Height < MinTarget {
				t.Errorf("mode %d: keys %.0f px tall", mode, key.Height)
			}
			for _, b := range keys {
				if !near(b.Size().Width, key.Width) || !near(b.Size().Height, key.Height) {
					t.Errorf("mode %d: key %s is %v, others %v", mode, b.Text, b.Size(), key)
				}
			}
			back, clear := k.Backspace(), k.Clear()
			switch mode {
			case KeypadDigits:
				zero := keys[9]
				if !near(pos(clear).Y, pos(zero).Y) || !near(pos(back).Y, pos(zero).Y) ||
					!near(pos(clear).X, pos(keys[6]).X) || !near(pos(zero).X, pos(keys[7]).X) || !near(pos(back).X, pos(keys[8]).X) {
					t.Errorf("digits: last row is not [clear] [%s] [delete] under the block", zero.Text)
				}
				if !near(back.Size().Width, key.Width) || !near(clear.Size().Width, key.Width) {
					t.Errorf("digits: delete %v and clear %v differ from the keys %v", back.Size(), clear.Size(), key)
				}
			case KeypadAlnum:
				if len(keys) != 36 {
					t.Fatalf("alnum: %d keys", len(keys))
				}
				pad := pos(keys[1]).X - pos(keys[0]).X - key.Width
				if !near(back.Size().Width, 2*key.Width+pad) || !near(clear.Size().Width, 2*key.Width+pad) {
					t.Errorf("alnum: delete %v and clear %v are not two keys (%v) wide", back.Size(), clear.Size(), key)
				}
				if !near(pos(clear).X, pos(keys[6]).X) || !near(pos(back).X, pos(keys[8]).X) || !near(pos(back).Y, pos(keys[35]).Y) {
					t.Error("alnum: clear and delete are not at the end of the last row")
				}
			}
			if seed == 0 {
				firstBack, firstClear = pos(back), pos(clear)
				continue
			}
			// Clear and delete stay where they were without scrambling.
			if pos(back) != firstBack || pos(clear) != firstClear {
				t.Errorf("mode %d seed %d: scrambling moved delete or clear", mode, seed)
			}
		}
	}
}

// TestKeypadClearAndDelete: the clear key empties the PIN field, delete
// removes one character.
func TestKeypadClearAndDelete(t *testing.T) {
	test.NewTempApp(t)
	f := NewPINField(16, UpperAlnum)
	k := NewKeypad(KeypadAlnum, nil, "x")
	k.OnRune, k.OnBackspace, k.OnClear = func(r rune) { f.Append(r) }, f.Backspace, f.Wipe
	for _, r := range "AB12" {
		test.Tap(k.Key(r))
	}
	test.Tap(k.Backspace())
	if f.Len() != 3 {
		t.Fatalf("after delete: %d characters", f.Len())
	}
	test.Tap(k.Clear())
	if f.Len() != 0 {
		t.Fatalf("after clear: %d characters", f.Len())
	}
}

// newRand is a seeded source for scrambled keypads.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
