package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestIssuerInit: the data directory made by `issuer init` holds the issuer
// key that `vcard serve --data` loads; a second run keeps the same key.
func TestIssuerInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errb bytes.Buffer
	if code := run(&env{stdout: &out, stderr: &errb}, []string{"issuer", "init", "--data", dir, "--json"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got issuerInitOut
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Data != dir || got.IssuerKey == "" {
		t.Fatalf("output %q: %+v %v", out.String(), got, err)
	}
	k1, err := loadIssuerKey(dir)
	if err != nil || k1 == nil {
		t.Fatalf("issuer key after init: %v %v", k1, err)
	}
	out.Reset()
	if code := run(&env{stdout: &out, stderr: &errb}, []string{"issuer", "init", "--data", dir}); code != exitOK {
		t.Fatalf("second init: exit %d: %s", code, errb.String())
	}
	if k2, _ := loadIssuerKey(dir); k2 == nil || !k2.Equal(k1) {
		t.Error("a second init replaced the issuer key")
	}
	if code := run(&env{stdout: &out, stderr: &errb}, []string{"issuer", "init"}); code != exitUsage {
		t.Errorf("without --data: exit %d, want %d", code, exitUsage)
	}
}
