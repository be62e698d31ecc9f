package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		filepath.Join(dir, "a.db"):      []byte("xx 4739 yy"),
		filepath.Join(sub, "b.log"):     {'Q', 0, 'Z', 0, '7', 0}, // UTF-16LE "QZ7"
		filepath.Join(dir, "clean.txt"): []byte("nothing here"),
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		needles []string
		want    int
		form    string
	}{
		{[]string{"4739"}, 1, "utf-8"},
		{[]string{"QZ7"}, 1, "utf-16le"},
		{[]string{"absent", ""}, 0, ""},
	} {
		found, err := Find(dir, c.needles...)
		if err != nil || len(found) != c.want || (c.want > 0 && found[0].Form != c.form) {
			t.Errorf("Find(%q) = %+v, %v", c.needles, found, err)
		}
	}
	if n := ScanFiles(t, dir, "absent"); n != 3 {
		t.Errorf("ScanFiles read %d files, want 3", n)
	}
}

func TestFindShortNeedleIsAToken(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		content string
		found   bool
	}{
		{`{"pin":"1357"}`, true},
		{"a,1357,b", true},
		{"1357", true},
		{"prev_hash a81357f0c2", false}, // inside a hex run: chance, not a PIN
		{"serial 913570", false},
		{"x1357 1357y", false},
		{"x1357 and then 1357.", true}, // the second occurrence is a token
	}
	for i, c := range cases {
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		found, err := Find(p, "1357")
		if err != nil || (len(found) > 0) != c.found {
			t.Errorf("case %d %q: found %+v, want found=%v", i, c.content, found, c.found)
		}
	}
	// UTF-16LE text: the zero bytes do not hide the boundaries.
	p := filepath.Join(dir, "w")
	if err := os.WriteFile(p, append(utf16le(`"1357"`), utf16le("a1357b")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if found, _ := Find(p, "1357"); len(found) != 1 || found[0].Form != "utf-16le" {
		t.Errorf("UTF-16LE token: %+v", found)
	}
	// Longer needles (names, signature PINs) still match anywhere.
	if err := os.WriteFile(p, []byte("xxABC123DEFyy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if found, _ := Find(p, "ABC123DEF"); len(found) != 1 {
		t.Errorf("long needle inside a run: %+v", found)
	}
}
