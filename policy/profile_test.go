package policy

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/assets"
)

func TestEmbeddedProfiles(t *testing.T) {
	if got := ProfileNames(); !slices.Equal(got, []string{"kakamigahara", "moriya"}) {
		t.Fatalf("embedded profiles %v", got)
	}
	m := profileFor(t, "moriya")
	k := profileFor(t, "kakamigahara")
	if m.Name.JA != "守谷市" || k.Name.EN != "Kakamigahara City" || m.ID != "moriya" {
		t.Errorf("names %+v %+v", m.Name, k.Name)
	}
	if !m.ApprovalRequired || !k.ApprovalRequired {
		t.Error("approval_required must default to true (DESIGN §1)")
	}
	if m.IdleTimeout != 90*time.Second || m.RetentionDays != 400 || !slices.Equal(m.Languages, []string{"ja", "ja-x-easy", "en", "pt-BR", "zh-Hans", "ko", "vi"}) {
		t.Errorf("settings %v %d %v", m.IdleTimeout, m.RetentionDays, m.Languages)
	}
	// 000 別途、マイナンバーカード本体の再発行料800円; 001 says nothing of it.
	if m.CardReissueFeeYen != 800 || k.CardReissueFeeYen != 0 {
		t.Errorf("card reissue fees %d %d", m.CardReissueFeeYen, k.CardReissueFeeYen)
	}
	if k.DocumentNote(DocProofOfAuthority, "ja") == "" || m.DocumentNote(DocProofOfAuthority, "ja") != "" {
		t.Error("Kakamigahara's family-register waiver note")
	}
	for _, name := range []string{"nope", "../moriya", "Moriya", ""} {
		if _, err := LoadProfile(name); !errors.Is(err, ErrUnknownProfile) {
			t.Errorf("LoadProfile(%q) = %v", name, err)
		}
	}
}

const minimalProfile = `[name]
ja = "テスト市"
en = "Test City"
[reception]
weekdays = ["mon"]
windows = ["09:00-17:00"]
[documents]
new = ["MYNUMBER_CARD"]
renew = ["MYNUMBER_CARD"]
reissue-lost = ["MYNUMBER_CARD"]
pin-reset = ["MYNUMBER_CARD"]
pin-change = ["MYNUMBER_CARD"]
`

func TestParseProfileDefaults(t *testing.T) {
	p, err := ParseProfile([]byte(minimalProfile), "test")
	if err != nil {
		t.Fatal(err)
	}
	if !p.ApprovalRequired || p.IdleTimeout != 90*time.Second || !p.reception.closedOnHolidays || p.reception.yearEnd != nil {
		t.Errorf("defaults %+v", p)
	}
	off, err := ParseProfile([]byte("approval_required = false\n"+minimalProfile), "test")
	if err != nil || off.ApprovalRequired {
		t.Errorf("approval_required = false: %v %v", off, err)
	}
}

func TestParseProfileErrors(t *testing.T) {
	for _, c := range []struct {
		name, edit string // edit: "old=>new" applied to minimalProfile, or text to prepend
		line       int
		key, msg   string
	}{
		{"syntax", `ja = "テスト市"=>ja = テスト市`, 2, "", ""},
		{"window end before start", `"09:00-17:00"=>"11:00-09:00"`, 6, "reception.windows", "ends before it starts"},
		{"bad window", `"09:00-17:00"=>"9:00-17:00"`, 6, "reception.windows", "HH:MM-HH:MM"},
		{"unknown weekday", `["mon"]=>["mon", "funday"]`, 5, "reception.weekdays", "unknown weekday"},
		{"unknown document", `new = ["MYNUMBER_CARD"]=>new = ["PASSPORT"]`, 8, "documents.new", "unknown document"},
		{"bad closure date", `windows = ["09:00-17:00"]=>windows = ["09:00-17:00"]` + "\nclosures = [\"2026-02-30\"]", 7, "reception.closures", "bad date"},
		{"wrong type", `weekdays = ["mon"]=>weekdays = "mon"`, 5, "reception.weekdays", ""},
		{"unknown key", "aproval_required = true\n", 0, "aproval_required", "unknown key"},
		{"overlapping windows", `["09:00-17:00"]=>["09:00-12:00", "11:00-13:00"]`, 0, "reception.windows", "overlap"},
		{"missing purpose", "pin-change = [\"MYNUMBER_CARD\"]\n=>", 0, "documents.pin-change", "every purpose"},
		{"unknown purpose", `pin-change=>pin-chnage`, 0, "documents.pin-chnage", "unknown purpose"},
		{"no windows", `windows = ["09:00-17:00"]=>windows = []`, 0, "reception.windows", "at least one"},
		{"no weekdays", `weekdays = ["mon"]=>weekdays = []`, 0, "reception.weekdays", "at least one"},
		{"missing name", `en = "Test City"=>`, 0, "name", "required"},
		{"languages", "languages = [\"en\", \"ja\"]\n", 0, "languages", "first language"},
		{"language tag", "languages = [\"ja\", \"ja-easy\"]\n", 0, "languages", "bad language tag \"ja-easy\""},
		{"idle timeout", "idle_timeout_seconds = 5\n", 0, "idle_timeout_seconds", "out of range"},
		{"retention", "retention_days = 0\n", 0, "retention_days", "out of range"},
		{"proxy visits", "[proxy.new]\nvisits = 3\ndocuments = [\"MYNUMBER_CARD\"]\n", 0, "proxy.new.visits", "1 or 2"},
		{"proxy mandate", "[proxy.new]\nvisits = 2\ndocuments = [\"MYNUMBER_CARD\"]\npin_reset_by_mandate = true\n", 0, "proxy.new.pin_reset_by_mandate", "proxy.renew"},
		{"note for unknown doc", "[document_notes.PASSPORT]\nja = \"x\"\nen = \"y\"\n", 0, "document_notes.PASSPORT", "unknown document"},
		{"year end half", `windows = ["09:00-17:00"]=>windows = ["09:00-17:00"]` + "\nyear_end = { from = \"12-29\" }", 0, "reception.year_end", "both"},
		{"year end bad", `windows = ["09:00-17:00"]=>windows = ["09:00-17:00"]` + "\nyear_end = { from = \"12-32\", to = \"01-03\" }", 7, "reception.year_end.from", "MM-DD"},
	} {
		src := minimalProfile
		if old, repl, ok := strings.Cut(c.edit, "=>"); ok {
			if !strings.Contains(src, old) {
				t.Fatalf("%s: edit does not apply", c.name)
			}
			src = strings.Replace(src, old, repl, 1)
		} else {
			src = strings.Replace(src, "[name]", c.edit+"[name]", 1)
		}
		_, err := ParseProfile([]byte(src), "test")
		var pe *ProfileError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want *ProfileError", c.name, err)
			continue
		}
		if pe.Line != c.line || (c.key != "" && pe.Key != c.key) || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("%s: got line %d key %q msg %q; want line %d key %q msg ~%q", c.name, pe.Line, pe.Key, pe.Msg, c.line, c.key, c.msg)
		}
		if !strings.HasPrefix(err.Error(), "profile test: ") {
			t.Errorf("%s: error %q does not name the profile", c.name, err)
		}
	}
}

// FuzzParseProfile: the loader never panics, and every error names a line or a key.
func FuzzParseProfile(f *testing.F) {
	for _, n := range ProfileNames() {
		b, _ := assets.Profiles.ReadFile("profiles/" + n + ".toml")
		f.Add(b)
	}
	f.Add([]byte(minimalProfile))
	f.Add([]byte(closureProfile))
	f.Add([]byte("[reception]\nwindows = [\"09:00-08:00\"]"))
	f.Add([]byte("a = 1\n[a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data, "fuzz")
		if err != nil {
			var pe *ProfileError
			if !errors.As(err, &pe) || (pe.Line == 0 && pe.Key == "") {
				t.Fatalf("error names no line or key: %v", err)
			}
			return
		}
		// A profile that loads answers questions without panicking.
		Hours(p, time.Date(2026, 11, 24, 10, 0, 0, 0, JST))
		if _, err := Check(p, Request{Today: MustDate("2026-04-01"), BirthDate: MustDate("1980-06-15"),
			Cert: CertSign, Purpose: PurposeRenew, CertExpiry: MustDate("2026-06-15"), Applicant: ApplicantProxy}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAllReasonsComplete: AllReasons lists exactly the Reason constants
// declared in the package source (any file).
func TestAllReasonsComplete(t *testing.T) {
	var declared []string
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		declared = append(declared, reasonConsts(f)...)
	}
	var listed []string
	for _, r := range AllReasons() {
		listed = append(listed, string(r))
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if !slices.Equal(declared, listed) || len(listed) < 30 {
		t.Errorf("declared %v\nlisted   %v", declared, listed)
	}
}

// reasonConsts returns the values of the constants of type Reason in f.
func reasonConsts(f *ast.File) []string {
	var declared []string
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Reason" {
				for _, v := range vs.Values {
					declared = append(declared, strings.Trim(v.(*ast.BasicLit).Value, `"`))
				}
			}
		}
		return true
	})
	return declared
}

// TestHostileProfiles: a profile too large or nested too deep is refused
// quickly, before the TOML parser runs; the shipped profiles pass the scan.
func TestHostileProfiles(t *testing.T) {
	deep := "x = " + strings.Repeat("{a = ", 8000) + "1" + strings.Repeat("}", 8000) + "\n"
	dotted := "[" + strings.Repeat("a.", 40) + "a]\nx = 1\n"
	arrays := "x = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	for name, src := range map[string]string{
		"nested inline tables": deep,
		"dotted header":        dotted,
		"nested arrays":        arrays,
		"too large":            minimalProfile + "# " + strings.Repeat("x", MaxProfileBytes) + "\n",
	} {
		start := time.Now()
		_, err := ParseProfile([]byte(src), "hostile")
		var pe *ProfileError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a ProfileError", name, err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("%s: %v to refuse", name, d)
		}
	}
	// Strings and comments do not count: brackets inside them are text.
	quoted := minimalProfile + "# " + strings.Repeat("{[", 100) + "\n"
	if _, err := ParseProfile([]byte(quoted), "quoted"); err != nil {
		t.Errorf("brackets in a comment: %v", err)
	}
	for _, name := range []string{"moriya", "kakamigahara"} {
		b, err := os.ReadFile(filepath.Join("..", "assets", "profiles", name+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		if line, d := tomlDepth(b); d > MaxProfileDepth/2 {
			t.Errorf("%s: depth %d at line %d, close to the limit", name, d, line)
		}
	}
}

// TestValidLanguageTag: profiles offer BCP 47 tags spelled as the catalogue
// files are, easy Japanese's private-use tag included; malformed, unknown or
// non-canonical tags are refused.
func TestValidLanguageTag(t *testing.T) {
	for _, c := range []struct {
		tag string
		ok  bool
	}{
		{"ja", true}, {"en", true}, {"pt-BR", true}, {"zh-Hans", true}, {"ko", true}, {"vi", true},
		{"ja-x-easy", true}, {"fil", true}, {"es-419", true},
		{"", false}, {"ja-easy", false}, // not BCP 47: "easy" would be an unregistered script
		{"ja-simple", false}, {"zh-hans", false}, {"pt-br", false}, {"ja_JP", false}, {"JA", false},
		{"xx", false}, {"ja-Xxxx", false}, {"ja-x-", false}, {"ja-x-toolongsubtag", false}, {"ja-x-Easy", false},
		{"i-klingon", false}, {"ja-JP-x-easy-", false},
	} {
		if got := ValidLanguageTag(c.tag); got != c.ok {
			t.Errorf("ValidLanguageTag(%q) = %v, want %v", c.tag, got, c.ok)
		}
	}
}
