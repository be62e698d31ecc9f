package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadFleetConfig(t *testing.T) {
	dir := t.TempDir()
	if fc, err := loadFleetConfig("", dir); fc != nil || err != nil {
		t.Fatalf("no file: %v %v (want the kiosk alone)", fc, err)
	}
	if _, err := loadFleetConfig(filepath.Join(dir, "missing.json"), dir); err == nil {
		t.Fatal("an explicit missing file was accepted")
	}
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"kiosk":"branch-1","url":"postgres://h/db?sslmode=verify-full"}`, true},
		{`{"kiosk":"Branch 1","url":"postgres://h/db"}`, false},
		{`{"kiosk":"branch-1"}`, false},
		{`{"kiosk":`, false},
	} {
		if err := os.WriteFile(filepath.Join(dir, "fleet.json"), []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		fc, err := loadFleetConfig("", dir)
		if (err == nil) != c.ok || (c.ok && (fc == nil || fc.Kiosk != "branch-1")) {
			t.Errorf("%s: %+v %v", c.body, fc, err)
		}
	}
}
