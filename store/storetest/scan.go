// Package storetest holds test helpers for code that uses the store, above
// all the privacy scan: no PIN, individual number, name or address may
// reach a file the kiosk writes.
package storetest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// Finding is one needle found in one file.
type Finding struct {
	File   string // path of the file
	Needle string
	Offset int    // byte offset of the first occurrence
	Form   string // "utf-8" or "utf-16le"
}

// Find reads every regular file under dir (recursively; a file path works
// too) and returns where any needle occurs, byte for byte, in UTF-8 or
// UTF-16LE. Empty needles are ignored.
func Find(dir string, needles ...string) ([]Finding, error) {
	var out []Finding
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if n == "" {
				continue
			}
			for _, f := range []struct {
				form string
				b    []byte
			}{{"utf-8", []byte(n)}, {"utf-16le", utf16le(n)}} {
				if i := bytes.Index(data, f.b); i >= 0 {
					out = append(out, Finding{File: path, Needle: n, Offset: i, Form: f.form})
				}
			}
		}
		return nil
	})
	return out, err
}

// ScanFiles fails t for every needle found in the files under dir (see
// Find) and returns how many files it read, so callers can check the scan
// saw what they expected (the database, its WAL, exports).
func ScanFiles(t testing.TB, dir string, needles ...string) int {
	t.Helper()
	found, err := Find(dir, needles...)
	if err != nil {
		t.Fatalf("privacy scan of %s: %v", dir, err)
	}
	for _, f := range found {
		t.Errorf("privacy scan: %q (%s) found in %s at byte %d", f.Needle, f.Form, f.File, f.Offset)
	}
	files := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	return files
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}
