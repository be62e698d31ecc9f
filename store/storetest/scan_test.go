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
