package i18n

import (
	"strings"
	"testing"
)

// TestResidentScreensCompleteInEveryLanguage: every language offered
// defines every message of the resident screens (everything Japanese has
// but the staff screens'), with the same placeholders as English, so that
// a resident never sees a mixture of languages.
func TestResidentScreensCompleteInEveryLanguage(t *testing.T) {
	c := load(t)
	if len(c.Languages()) < 3 {
		t.Fatalf("only %d languages offered", len(c.Languages()))
	}
	markers := []string{"@PIN@", "@DATE@", "@DAYS@", "@CERT@", "@TIME@"}
	values := []any{"PIN", markers[0], "Date", markers[1], "Days", markers[2], "Cert", markers[3], "Time", markers[4], "K", 1, "N", 2, "Max", 3, "Count", 4, "Y", 2026, "M", 12, "D", 24, "Month", "12", "Reiwa", "8"}
	values = append(values, "Label", "@LABEL@", "Level", 5) // speech.*
	values = append(values, "ID", "i", "Role", "r", "Certs", "c", "Purpose", "p", "Route", "r", "Fee", "f", "Path", "/x",
		"Result", "g", "Fault", "f", "Gen", 2023) // staff.*
	resident := 0
	for _, l := range c.Languages() {
		for _, id := range c.IDs("ja") {
			resident++
			if !c.Has(l.Tag, id) {
				t.Errorf("%s lacks %s", l.Tag, id)
				continue
			}
			en, _ := c.In("en", id, values...)
			s, _ := c.In(l.Tag, id, values...)
			if strings.Contains(s, "<no value>") || strings.Contains(s, "⟦") {
				t.Errorf("%s %s: %q", l.Tag, id, s)
			}
			for _, v := range markers { // the template values English shows
				if strings.Contains(en, v) && !strings.Contains(s, v) && l.Tag != "ja" {
					t.Errorf("%s %s drops a placeholder: %q (en %q)", l.Tag, id, s, en)
				}
			}
		}
		for _, id := range c.IDs(l.Tag) {
			if !c.Has("ja", id) {
				t.Errorf("%s has %s, which Japanese lacks", l.Tag, id)
			}
		}
	}
	if resident == 0 {
		t.Fatal("no resident messages checked")
	}
}

// TestMissingMessagesAreRecorded: a message missing in a language falls
// back to English, is recorded (tests fail on it), and no message id is
// ever shown.
func TestMissingMessagesAreRecorded(t *testing.T) {
	c := load(t)
	c.SetLang("pt-BR")
	c.ids["pt-BR"] = copySet(c.ids["pt-BR"])
	delete(c.ids["pt-BR"], "staff.title.signin")
	en, _ := c.In("en", "staff.title.signin")
	if got := c.T("staff.title.signin"); got != en || en == "" || strings.Contains(got, "⟦") {
		t.Errorf("fallback %q, want English %q", got, en)
	}
	if m := c.Missing(); len(m) != 1 || m[0] != "pt-BR:staff.title.signin" {
		t.Errorf("missing message not recorded: %v", m)
	}
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestCompleteLanguagesHaveEveryMessage: every offered language defines
// every message Japanese has, staff screens and policy texts
// included, and nothing Japanese lacks; its templates render with no
// missing value. The languages added for accessibility (easy Japanese,
// Chinese, Korean, Vietnamese) are complete whenever they are offered.
func TestCompleteLanguagesHaveEveryMessage(t *testing.T) {
	c := load(t)
	values := []any{"PIN", "p", "Date", "d", "Days", "n", "Cert", "c", "Time", "t", "K", 1, "N", 2, "Max", 3, "Count", 4,
		"Y", 2026, "M", 12, "D", 24, "Month", "12", "Reiwa", "8", "Label", "l", "Level", 5, "ID", "i", "Role", "r",
		"Certs", "c", "Purpose", "p", "Route", "r", "Fee", "f", "Path", "/x", "Large", true, "High", false,
		"Result", "g", "Fault", "f", "Gen", 2023}
	complete := 0
	for _, l := range c.Languages() {
		complete++
		for _, id := range c.IDs("ja") {
			s, ok := c.In(l.Tag, id, values...)
			if !ok {
				t.Errorf("%s lacks %s", l.Tag, id)
				continue
			}
			if s == "" || strings.Contains(s, "<no value>") || strings.Contains(s, "⟦") {
				t.Errorf("%s %s renders as %q", l.Tag, id, s)
			}
		}
		for _, id := range c.IDs(l.Tag) {
			if !c.Has("ja", id) {
				t.Errorf("%s has %s, which Japanese lacks", l.Tag, id)
			}
		}
	}
	if complete < 7 {
		t.Fatalf("only %d complete languages", complete)
	}
}

// TestEasyJapaneseIsItsOwnLanguage: go-i18n's language matcher would take
// ja-x-easy for Japanese; the catalogue must show the easy texts.
func TestEasyJapaneseIsItsOwnLanguage(t *testing.T) {
	c := load(t)
	if !c.SetLang(EasyJapanese) {
		t.Skip("easy Japanese not offered")
	}
	ja, _ := c.In("ja", "cert.valid_until")
	if got := c.T("cert.valid_until"); got == ja || got == "" {
		t.Errorf("ja-x-easy shows %q, the Japanese text %q", got, ja)
	}
	if got := c.N("cert.days_left", 3); !strings.Contains(got, "3") || strings.Contains(got, "⟦") {
		t.Errorf("ja-x-easy plural %q", got)
	}
}
