// Package i18n is the kiosk's runtime language layer. Fyne's own lang package
// follows the operating system's locale; a kiosk must switch language when a
// resident taps the language button, so the screens ask a Catalogue instead.
//
// Messages live in assets/i18n/<tag>.json (go-i18n's JSON format: a string, or
// an object with CLDR plural forms "one"/"other"; placeholders are Go
// templates such as {{.Days}}). Japanese is the default and the last resort;
// a message missing in the current language falls back to English, then
// Japanese, and is recorded so that tests can fail on it. Every offered
// language is complete, staff screens included (a test). No screen ever
// shows a raw message id: the last resort is Japanese.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	gi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/jpki-kiosk/kiosk/assets"
)

// Default is the language a session starts in.
const Default = "ja"

// Language is one language the kiosk can offer.
type Language struct {
	Tag  string // BCP 47 tag, also the catalogue file name: "ja", "zh-Hans"
	Name string // the language's own name, as shown on the language button
}

// known lists the languages in the order the language menu shows them.
// A language is offered when its catalogue is embedded
// (assets/i18n/<tag>.json) and the kiosk's fonts draw all its characters
// (see docs/UI.md, "Languages and fonts").
var known = []Language{
	{"ja", "日本語"},
	{EasyJapanese, "やさしい にほんご"},
	{"en", "English"},
	{"zh-Hans", "简体中文"},
	{"ko", "한국어"},
	{"vi", "Tiếng Việt"},
	{"pt-BR", "Português"},
}

// EasyJapanese is the tag of やさしい日本語 (easy Japanese), a private-use
// subtag of Japanese: BCP 47 has no registered one.
const EasyJapanese = "ja-x-easy"

// Catalogue holds every language's messages and the language currently shown.
// It is safe for concurrent use.
type Catalogue struct {
	// bundles: one per language, so that a language is never matched to
	// another one (go-i18n's matcher would take ja-x-easy for ja).
	bundles map[string]*gi18n.Bundle
	ids     map[string]map[string]bool // tag → message ids present
	langs   []Language

	mu        sync.RWMutex
	current   string
	listeners []func(tag string)
	missing   map[string]bool // "tag:id" asked for but absent
}

// Load reads the catalogues embedded in assets, and the texts of policy's
// codes (assets/policy/texts.toml) as messages reason.CODE, doc.CODE,
// pinrule.CODE and revocation.CODE: policy is the one source of that
// wording in the languages it has.
func Load() (*Catalogue, error) {
	c, err := LoadFS(assets.I18n, "i18n")
	if err != nil {
		return nil, err
	}
	buf, err := assets.Policy.ReadFile("policy/texts.toml")
	if err != nil {
		return c, nil // policy texts not embedded (yet): the JSON catalogues suffice
	}
	if err := c.AddPolicyTexts(buf); err != nil {
		return nil, err
	}
	return c, nil
}

// policySections maps the sections of policy's texts.toml to message id prefixes.
var policySections = map[string]string{
	"reasons": "reason.", "documents": "doc.", "pin_rules": "pinrule.", "revocations": "revocation.",
}

// AddPolicyTexts adds policy's code texts (TOML: [section.CODE] with one key
// per language tag) to the catalogue; they replace catalogue messages with the
// same id.
func (c *Catalogue) AddPolicyTexts(buf []byte) error {
	var doc map[string]map[string]map[string]string
	if err := toml.Unmarshal(buf, &doc); err != nil {
		return fmt.Errorf("parsing policy texts: %w", err)
	}
	for section, prefix := range policySections {
		for code, texts := range doc[section] {
			for tag, text := range texts {
				if c.ids[tag] == nil {
					continue
				}
				id := prefix + code
				msg := &gi18n.Message{ID: id, Other: text}
				if err := c.bundles[tag].AddMessages(language.Make(tag), msg); err != nil {
					return fmt.Errorf("policy text %s/%s: %w", tag, id, err)
				}
				c.ids[tag][id] = true
			}
		}
	}
	return nil
}

// LoadFS reads every <tag>.json in dir of fsys. Japanese and English must be
// present.
func LoadFS(fsys fs.FS, dir string) (*Catalogue, error) {
	c := &Catalogue{
		bundles: map[string]*gi18n.Bundle{},
		ids:     map[string]map[string]bool{},
		current: Default,
		missing: map[string]bool{},
	}
	for _, l := range known {
		name := path.Join(dir, l.Tag+".json")
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			if l.Tag == "ja" || l.Tag == "en" {
				return nil, fmt.Errorf("reading %s: %w", name, err)
			}
			continue
		}
		b := gi18n.NewBundle(language.Make(l.Tag))
		b.RegisterUnmarshalFunc("json", json.Unmarshal)
		mf, err := b.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		set := map[string]bool{}
		for _, m := range mf.Messages {
			set[m.ID] = true
		}
		c.ids[l.Tag] = set
		c.bundles[l.Tag] = b
		c.langs = append(c.langs, l)
	}
	return c, nil
}

// Languages returns the languages that have a catalogue, in menu order.
func (c *Catalogue) Languages() []Language { return append([]Language(nil), c.langs...) }

// Lang returns the tag of the language now shown.
func (c *Catalogue) Lang() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.current
}

// SetLang switches the language and calls the change listeners (on the
// caller's goroutine). An unknown tag is refused and false returned.
func (c *Catalogue) SetLang(tag string) bool {
	if _, ok := c.ids[tag]; !ok {
		return false
	}
	c.mu.Lock()
	changed := c.current != tag
	c.current = tag
	ls := append([]func(string){}, c.listeners...)
	c.mu.Unlock()
	if changed {
		for _, f := range ls {
			f(tag)
		}
	}
	return true
}

// OnChange registers f to be called after every language switch.
func (c *Catalogue) OnChange(f func(tag string)) {
	c.mu.Lock()
	c.listeners = append(c.listeners, f)
	c.mu.Unlock()
}

// T returns message id in the current language. kv are template values as
// name/value pairs: T("status.days_left", "Days", 12).
func (c *Catalogue) T(id string, kv ...any) string { return c.localize(c.Lang(), id, nil, kv) }

// N is T for a message with plural forms chosen by count; count is also
// available to the template as {{.Count}}.
func (c *Catalogue) N(id string, count int, kv ...any) string {
	return c.localize(c.Lang(), id, count, append(kv, "Count", count))
}

// In returns message id in language tag, without falling back; ok is false
// when that language lacks it.
func (c *Catalogue) In(tag, id string, kv ...any) (s string, ok bool) {
	if !c.ids[tag][id] {
		return "", false
	}
	return c.render(tag, id, nil, kv), true
}

// Has reports whether language tag defines message id.
func (c *Catalogue) Has(tag, id string) bool { return c.ids[tag][id] }

// IDs returns the message ids of language tag, sorted.
func (c *Catalogue) IDs(tag string) []string {
	out := make([]string, 0, len(c.ids[tag]))
	for id := range c.ids[tag] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Missing returns the "tag:id" pairs that were asked for in a language that
// lacks them, sorted, and forgets them.
func (c *Catalogue) Missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.missing))
	for k := range c.missing {
		out = append(out, k)
	}
	sort.Strings(out)
	c.missing = map[string]bool{}
	return out
}

func (c *Catalogue) localize(tag, id string, count any, kv []any) string {
	for _, t := range []string{tag, "en", Default} {
		if c.ids[t][id] {
			return c.render(t, id, count, kv)
		}
		c.mu.Lock()
		c.missing[t+":"+id] = true
		c.mu.Unlock()
	}
	return "⟦" + id + "⟧"
}

func (c *Catalogue) render(tag, id string, count any, kv []any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			data[k] = kv[i+1]
		}
	}
	loc := gi18n.NewLocalizer(c.bundles[tag], tag)
	s, err := loc.Localize(&gi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return "⟦" + id + "⟧"
	}
	return s
}

// Date formats a calendar date for the current language (message
// "fmt.date"), with the month name from "month.1".."month.12" and, for
// Japanese, the Reiwa era year.
func (c *Catalogue) Date(d time.Time) string {
	if d.IsZero() {
		return c.T("fmt.no_date")
	}
	reiwa := ""
	if !d.Before(time.Date(2019, 5, 1, 0, 0, 0, 0, d.Location())) {
		if n := d.Year() - 2018; n == 1 {
			reiwa = "元"
		} else {
			reiwa = fmt.Sprint(n)
		}
	}
	return c.T("fmt.date", "Y", d.Year(), "M", int(d.Month()), "D", d.Day(),
		"Month", c.T(fmt.Sprintf("month.%d", int(d.Month()))), "Reiwa", reiwa)
}

// Yen formats an amount of money ("200円", "¥200").
func (c *Catalogue) Yen(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return c.T("fmt.yen", "N", b.String())
}
