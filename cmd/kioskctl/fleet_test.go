package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/store/fleet/pgtest"
)

// TestFleetCommands runs the fleet contract against a private PostgreSQL
// (skipped without one unless KIOSK_REQUIRE_INTEGRATION=1).
func TestFleetCommands(t *testing.T) {
	c, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotInstalled) && os.Getenv("KIOSK_REQUIRE_INTEGRATION") != "1" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Exec("postgres", `CREATE DATABASE city`); err != nil {
		t.Fatal(err)
	}
	admin := c.URL("admin", pgtest.AdminPassword, "city")
	if code, out, errOut := runCLI(t, "", "fleet", "migrate", "--pg", admin, "--json"); code != 0 || !strings.Contains(out, `"version": 1`) {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	if err := c.Exec("city", `CREATE ROLE k1 LOGIN PASSWORD 'k1-pw-test' IN ROLE kiosk_shipper`,
		`CREATE ROLE sup LOGIN PASSWORD 'sup-pw-test' IN ROLE kiosk_dashboard`); err != nil {
		t.Fatal(err)
	}
	ship := c.URL("k1", "k1-pw-test", "city")
	dash := c.URL("sup", "sup-pw-test", "city")
	path, _ := logDB(t)

	code, out, errOut := runCLI(t, "", "fleet", "ship", "--db", path, "--pg", ship, "--kiosk", "main-1", "--json")
	var r struct {
		Kiosk   string `json:"kiosk"`
		Shipped *int64 `json:"shipped"`
		HeadSeq *int64 `json:"head_seq"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Kiosk != "main-1" || r.Shipped == nil || *r.Shipped != 6 || *r.HeadSeq != 6 {
		t.Fatalf("ship: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "", "fleet", "ship", "--db", path, "--pg", ship, "--kiosk", "main-1", "--json"); code != 0 || !strings.Contains(out, `"shipped": 0`) {
		t.Fatalf("ship again: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "fleet", "verify", "--pg", dash, "--json")
	var v struct {
		Kiosks []map[string]any `json:"kiosks"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v.Kiosks) != 1 {
		t.Fatalf("verify: %d %s", code, out)
	}
	for _, k := range []string{"kiosk", "events", "head_seq", "ok", "problem"} {
		if _, ok := v.Kiosks[0][k]; !ok {
			t.Errorf("verify JSON lacks %q: %s", k, out)
		}
	}
	if code, out, _ := runCLI(t, "", "fleet", "status", "--pg", dash, "--json"); code != 0 || !strings.Contains(out, `"health": "ok"`) || !strings.Contains(out, `"last_event_at"`) {
		t.Fatalf("status: %d %s", code, out)
	}
	csvPath := filepath.Join(t.TempDir(), "all.csv")
	if code, out, _ := runCLI(t, "", "fleet", "export", "--pg", dash, "--from", "2000-01-01", "--to", "2099-12-31", "--out", csvPath, "--json"); code != 0 || !strings.Contains(out, `"events": 6`) {
		t.Fatalf("export: %d %s", code, out)
	}
	// The dashboard role cannot clear; a rewritten kiosk makes verify exit 1.
	if code, _, _ := runCLI(t, "", "fleet", "clear", "--pg", dash, "--kiosk", "main-1", "--by", "ops"); code != 1 {
		t.Errorf("clear as dashboard: exit %d, want 1", code)
	}
	if err := c.Exec("city", `UPDATE fleet.kiosks SET problem = 'REWRITTEN', problem_seq = 3`); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "", "fleet", "verify", "--pg", dash, "--json"); code != 1 || !strings.Contains(out, `"problem": "REWRITTEN"`) {
		t.Fatalf("verify flagged: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "fleet", "ship", "--db", path, "--pg", ship, "--kiosk", "main-1", "--json"); code != 1 || !strings.Contains(out, "KIOSK_FLAGGED") {
		t.Fatalf("ship flagged: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "fleet", "clear", "--pg", admin, "--kiosk", "main-1", "--by", "ops", "--json"); code != 0 || !strings.Contains(out, `"cleared": true`) {
		t.Fatalf("clear: %d %s", code, out)
	}
	// Usage errors.
	for _, args := range [][]string{
		{"fleet", "ship", "--pg", ship, "--kiosk", "main-1"},
		{"fleet", "ship", "--db", path, "--pg", ship, "--kiosk", "Main 1"},
		{"fleet", "verify"},
		{"fleet", "status", "--pg", "::not a url"},
		{"fleet", "export", "--pg", dash},
	} {
		if code, _, _ := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
