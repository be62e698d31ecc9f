package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestMemReportAndProfile: the -memprofile line names every figure with a
// number, and the heap profile is a gzip-compressed pprof file.
func TestMemReportAndProfile(t *testing.T) {
	var b bytes.Buffer
	memReport(&b, "test")
	line := b.String()
	for _, m := range goMemMetrics {
		if !regexp.MustCompile(` ` + m.label + ` [0-9.]+( MiB)?`).MatchString(line) {
			t.Errorf("%s missing from %q", m.label, line)
		}
	}
	path := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := writeHeapProfile(path); err != nil {
		t.Fatal(err)
	}
	p, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) < 100 || p[0] != 0x1f || p[1] != 0x8b {
		t.Errorf("profile of %d bytes is not gzip", len(p))
	}
	if err := writeHeapProfile(filepath.Join(t.TempDir(), "no", "such", "dir")); err == nil {
		t.Error("no error for an unwritable path")
	}
}
