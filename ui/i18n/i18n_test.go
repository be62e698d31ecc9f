package i18n

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/assets"
)

func load(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestJapaneseAndEnglishComplete: the two required languages define the
// same messages, with the same placeholders.
func TestJapaneseAndEnglishComplete(t *testing.T) {
	c := load(t)
	ja, en := c.IDs("ja"), c.IDs("en")
	if len(ja) < 100 {
		t.Fatalf("only %d Japanese messages", len(ja))
	}
	for _, id := range ja {
		if !c.Has("en", id) {
			t.Errorf("en lacks %s", id)
		}
	}
	for _, id := range en {
		if !c.Has("ja", id) {
			t.Errorf("ja lacks %s", id)
		}
	}
}

var placeholder = regexp.MustCompile(`\{\{\.(\w+)\}\}`)

func TestPlaceholdersAgree(t *testing.T) {
	names := func(tag string) map[string]string {
		buf, err := assets.I18n.ReadFile("i18n/" + tag + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := json.Unmarshal(buf, &raw); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for id, v := range raw {
			text := fmt.Sprint(v)
			if m, ok := v.(map[string]any); ok {
				text = fmt.Sprint(m["other"])
			}
			var ns []string
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				ns = append(ns, m[1])
			}
			sort.Strings(ns)
			ns = slices.Compact(ns)
			out[id] = strings.Join(ns, ",")
		}
		return out
	}
	ja, en := names("ja"), names("en")
	for id, n := range ja {
		if m, ok := en[id]; ok && m != n {
			// Month is English-only (Japanese uses the number).
			if strings.ReplaceAll(m, "Month,", "") != strings.ReplaceAll(n, "M,", "") {
				t.Errorf("%s: placeholders ja {%s} en {%s}", id, n, m)
			}
		}
	}
}

// TestKeysUsedByUIExist scans package ui's sources for T("...") and
// N("...") calls with a literal id (and label ids in screen specs) and fails
// if ja or en lacks one.
func TestKeysUsedByUIExist(t *testing.T) {
	c := load(t)
	files, _ := filepath.Glob("../*.go")
	ids := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "N") || len(x.Args) == 0 {
					return true
				}
				if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					if !strings.HasSuffix(s, ".") {
						ids[s] = true
					}
				}
			case *ast.KeyValueExpr:
				// noticeSpec{next: "action.finish", ...}
				if k, ok := x.Key.(*ast.Ident); ok && (k.Name == "next" || k.Name == "back" || k.Name == "cancel") {
					if lit, ok := x.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						ids[s] = true
					}
				}
			}
			return true
		})
	}
	if len(ids) < 80 {
		t.Fatalf("found only %d ids in ui: the scan is broken", len(ids))
	}
	var missing []string
	for id := range ids {
		for _, lang := range []string{"ja", "en"} {
			if !c.Has(lang, id) {
				missing = append(missing, lang+":"+id)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("missing: %v", missing)
	}
}

func TestFallbackAndMissing(t *testing.T) {
	c := load(t)
	if got := c.T("no.such.key"); got != "⟦no.such.key⟧" {
		t.Errorf("got %q", got)
	}
	if m := c.Missing(); len(m) == 0 {
		t.Error("missing key not recorded")
	}
	if c.SetLang("xx") {
		t.Error("unknown language accepted")
	}
}

func TestSwitchNotifiesAndFormats(t *testing.T) {
	c := load(t)
	var got []string
	c.OnChange(func(tag string) { got = append(got, tag) })
	d := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	if s := c.Date(d); s != "2026年12月24日" {
		t.Errorf("ja date %q", s)
	}
	if s := c.N("cert.days_left", 3); s != "あと 3 日" {
		t.Errorf("ja plural %q", s)
	}
	c.SetLang("en")
	if s := c.Date(d); s != "24 December 2026" {
		t.Errorf("en date %q", s)
	}
	if s := c.N("cert.days_left", 1); s != "1\u00a0day\u00a0left" {
		t.Errorf("en one %q", s)
	}
	if s := c.N("cert.days_left", 2); s != "2\u00a0days\u00a0left" {
		t.Errorf("en other %q", s)
	}
	if s := c.Yen(1200); s != "¥1,200" {
		t.Errorf("yen %q", s)
	}
	if len(got) != 1 || got[0] != "en" {
		t.Errorf("listeners got %v", got)
	}
}

// TestPolicyTextsMerged: policy's code texts are reachable as reason.*, doc.*.
func TestPolicyTextsMerged(t *testing.T) {
	c := load(t)
	for _, id := range []string{"reason.UNDER_15", "reason.PIN_TOO_SHORT", "doc.MYNUMBER_CARD", "pinrule.SIGN", "pinrule.FOUR_DIGITS"} {
		for _, lang := range []string{"ja", "en"} {
			if !c.Has(lang, id) {
				t.Errorf("%s lacks %s", lang, id)
			}
		}
	}
}
