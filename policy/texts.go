package policy

import (
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/jpki-kiosk/kiosk/assets"
)

// texts is assets/policy/texts.toml: section → code → text.
type texts struct {
	Reasons     map[string]Text `toml:"reasons"`
	PINRules    map[string]Text `toml:"pin_rules"`
	Documents   map[string]Text `toml:"documents"`
	Revocations map[string]Text `toml:"revocations"`
}

var loadTexts = sync.OnceValue(func() *texts {
	var t texts
	data, err := assets.Policy.ReadFile("policy/texts.toml")
	if err == nil {
		_, err = toml.Decode(string(data), &t)
	}
	if err != nil {
		panic("policy: embedded texts: " + err.Error()) // embedded at build time, checked by tests
	}
	return &t
})

// Describe returns the text for a code — a Reason, a Document, a Revocation, or a
// PIN rule ("SIGN", "FOUR_DIGITS") — in lang ("ja" or "en"; others fall
// back to Japanese). An unknown code is returned as is, so that a screen
// never goes blank.
func Describe[C ~string](code C, lang string) string {
	t := loadTexts()
	for _, m := range []map[string]Text{t.Reasons, t.Documents, t.Revocations, t.PINRules} {
		if x, ok := m[string(code)]; ok {
			return x.In(lang)
		}
	}
	return string(code)
}

// HasText reports whether code has both a Japanese and an English text.
func HasText[C ~string](code C) bool {
	t := loadTexts()
	for _, m := range []map[string]Text{t.Reasons, t.Documents, t.Revocations, t.PINRules} {
		if x, ok := m[string(code)]; ok {
			return x.JA != "" && x.EN != ""
		}
	}
	return false
}
