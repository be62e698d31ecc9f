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
//
// A short alphanumeric needle (at most 8 ASCII letters or digits, such as a
// 4-digit PIN) counts only as a whole token: not when it is part of a longer
// run of letters and digits, where hex hashes and serials would match it by
// chance. "1357" in `"pin":"1357"` or `,1357,` is found; in `a81357f0` it is not.
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
				if i := index(data, f.b, short(n)); i >= 0 {
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

// short reports whether needle is matched as a whole token (see Find).
func short(needle string) bool {
	if len(needle) > 8 {
		return false
	}
	for i := 0; i < len(needle); i++ {
		if !alnum(needle[i]) {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// index finds needle in data; with token set, only where the bytes around it
// (ignoring the zero bytes of UTF-16LE) are not letters or digits.
func index(data, needle []byte, token bool) int {
	for off := 0; ; {
		i := bytes.Index(data[off:], needle)
		if i < 0 {
			return -1
		}
		i += off
		if !token || (!alnum(before(data, i)) && !alnum(after(data, i+len(needle)))) {
			return i
		}
		off = i + 1
	}
}

func before(data []byte, i int) byte {
	for i--; i >= 0; i-- {
		if data[i] != 0 {
			return data[i]
		}
	}
	return 0
}

func after(data []byte, i int) byte {
	for ; i < len(data); i++ {
		if data[i] != 0 {
			return data[i]
		}
	}
	return 0
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}
