package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"

	"github.com/jpki-kiosk/kiosk/assets"
)

// Profile is one municipality's rules and settings, from a TOML file (the
// embedded ones are in assets/profiles; keys in docs/RULES.md).
type Profile struct {
	ID                string   // file name without .toml, e.g. "moriya"
	Name              Text     // the municipality's name
	Languages         []string // UI languages offered, "ja" first
	ApprovalRequired  bool     // issuance/renewal need a clerk's approval at the kiosk (default true)
	IdleTimeout       time.Duration
	RetentionDays     int // days the audit store keeps sessions
	CardReissueFeeYen int // the card's own reissue fee, told as information (0: not stated)

	reception     reception
	documents     map[Purpose][]Document
	legalRep      legalRepRule
	proxy         map[Purpose]proxyRule
	documentNotes map[Document]Text
}

// Text is a short text in Japanese and English.
type Text struct {
	JA string `toml:"ja"`
	EN string `toml:"en"`
}

// In returns the text in lang ("ja" or "en"), falling back to Japanese.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.JA
}

type reception struct {
	weekdays         [7]bool
	windows          []window // sorted, not overlapping
	closedOnHolidays bool
	yearEnd          *[2]monthDay // from, to (inclusive, may wrap the year)
	closures         map[Date]bool
}

type legalRepRule struct {
	documents    []Document
	waiveUnder15 bool
}

type proxyRule struct {
	visits            int
	contactFirst      bool
	documents         []Document
	pinResetByMandate bool
}

// DocumentNote returns the profile's note on a document (e.g. a waiver), or "".
func (p *Profile) DocumentNote(d Document, lang string) string {
	return p.documentNotes[d].In(lang)
}

// ProfileError is a bad profile file: a syntax error with its line, or a
// semantic error naming the key.
type ProfileError struct {
	Profile string // the name given to ParseProfile
	Line    int    // 1-based; 0 when unknown
	Key     string // dotted key, e.g. reception.windows; "" when unknown
	Msg     string
}

// Error formats the error as "profile NAME: line N: key K: message".
func (e *ProfileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile %s", e.Profile)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": key %s", e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// ErrUnknownProfile is returned by LoadProfile for a name with no embedded profile.
var ErrUnknownProfile = errors.New("unknown profile")

var (
	profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	// languageTag: language, optional script and region, optional private
	// use, each in its canonical case ("ja", "zh-Hans", "pt-BR", "ja-x-easy").
	languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?(-x(-[a-z0-9]{1,8})+)?$`)
	tomlErrPos  = regexp.MustCompile(`^(line (\d+) )?\(last key "([^"]*)"\): `)
)

// ValidLanguageTag reports whether s is a language tag a profile may offer:
// valid BCP 47 (registered language, script and region subtags) in its
// canonical case — the spelling of the catalogue file — with at most a
// private-use part. やさしい日本語 has no registered subtag; its tag is
// "ja-x-easy" (private use; "ja-easy" is not BCP 47, and "ja-Hira" would say
// hiragana only, but easy Japanese keeps some kanji).
func ValidLanguageTag(s string) bool {
	if !languageTag.MatchString(s) {
		return false
	}
	t, err := language.Parse(s)
	return err == nil && t.String() == s
}

// ProfileNames lists the embedded profiles, sorted.
func ProfileNames() []string {
	ents, _ := fs.ReadDir(assets.Profiles, "profiles")
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LoadProfile returns the embedded profile called name (e.g. "moriya").
func LoadProfile(name string) (*Profile, error) {
	if !profileName.MatchString(name) {
		return nil, fmt.Errorf("%w %q (embedded: %s)", ErrUnknownProfile, name, strings.Join(ProfileNames(), ", "))
	}
	data, err := assets.Profiles.ReadFile("profiles/" + name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("%w %q (embedded: %s)", ErrUnknownProfile, name, strings.Join(ProfileNames(), ", "))
	}
	return ParseProfile(data, name)
}

// rawProfile is the TOML layout of a profile file.
type rawProfile struct {
	Name               Text     `toml:"name"`
	Languages          []string `toml:"languages"`
	ApprovalRequired   *bool    `toml:"approval_required"`
	IdleTimeoutSeconds *int     `toml:"idle_timeout_seconds"`
	RetentionDays      *int     `toml:"retention_days"`
	CardReissueFeeYen  int      `toml:"card_reissue_fee_yen"`
	Reception          struct {
		Weekdays         []weekdayText `toml:"weekdays"`
		Windows          []window      `toml:"windows"`
		ClosedOnHolidays *bool         `toml:"closed_on_holidays"`
		YearEnd          *struct {
			From monthDay `toml:"from"`
			To   monthDay `toml:"to"`
		} `toml:"year_end"`
		Closures []dateText `toml:"closures"`
	} `toml:"reception"`
	Documents map[string][]docCode `toml:"documents"`
	LegalRep  struct {
		Documents    []docCode `toml:"documents"`
		WaiveUnder15 bool      `toml:"waive_family_register_under15_domicile"`
	} `toml:"legal_rep"`
	Proxy map[string]struct {
		Visits            int       `toml:"visits"`
		ContactFirst      bool      `toml:"contact_first"`
		Documents         []docCode `toml:"documents"`
		PINResetByMandate bool      `toml:"pin_reset_by_mandate"`
	} `toml:"proxy"`
	DocumentNotes map[string]Text `toml:"document_notes"`
}

// MaxProfileBytes and MaxProfileDepth bound what ParseProfile parses: the
// shipped profiles are about 4 KiB and 3 deep; a hostile file (8,000 nested
// inline tables, /dev/zero) is refused before the TOML parser sees it.
// Callers reading a file read at most MaxProfileBytes+1 bytes.
const (
	MaxProfileBytes = 256 << 10
	MaxProfileDepth = 16
)

// tomlDepth scans TOML text for its deepest nesting — brackets and braces
// plus the dotted parts of keys on a line — outside strings and comments,
// and returns it with its line number.
func tomlDepth(data []byte) (line, max int) {
	depth, dots, ln := 0, 0, 1
	var quote []byte // the open string's delimiter, or nil
	for i := 0; i < len(data); i++ {
		c := data[i]
		if quote != nil {
			switch {
			case c == '\\' && quote[0] == '"':
				i++
			case bytes.HasPrefix(data[i:], quote):
				i += len(quote) - 1
				quote = nil
			case c == '\n':
				ln++
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = []byte{c}
			if bytes.HasPrefix(data[i:], []byte{c, c, c}) {
				quote = []byte{c, c, c}
				i += 2
			}
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i--
		case '\n':
			ln++
			dots = 0
		case '.':
			dots++
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		if d := depth + dots; d > max {
			line, max = ln, d
		}
	}
	return line, max
}

// ParseProfile reads a profile from TOML. name identifies it in errors and
// becomes Profile.ID. The caller reads the file; ParseProfile does no I/O.
func ParseProfile(data []byte, name string) (*Profile, error) {
	if len(data) > MaxProfileBytes {
		return nil, &ProfileError{Profile: name, Msg: fmt.Sprintf("file is %d bytes, more than the %d a profile may have", len(data), MaxProfileBytes)}
	}
	if line, depth := tomlDepth(data); depth > MaxProfileDepth {
		return nil, &ProfileError{Profile: name, Line: line, Msg: fmt.Sprintf("nested %d deep, more than the %d a profile may have", depth, MaxProfileDepth)}
	}
	var raw rawProfile
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ProfileError{Profile: name, Line: errorLine(data, pe), Key: pe.LastKey, Msg: pe.Message}
		}
		// Type mismatches come as "toml: line N (last key "k"): message".
		pErr := &ProfileError{Profile: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
		if m := tomlErrPos.FindStringSubmatch(pErr.Msg); m != nil {
			pErr.Line, _ = strconv.Atoi(m[2])
			pErr.Key, pErr.Msg = m[3], pErr.Msg[len(m[0]):]
		}
		return nil, pErr
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &ProfileError{Profile: name, Key: und[0].String(), Msg: "unknown key"}
	}
	bad := func(key, format string, a ...any) (*Profile, error) {
		return nil, &ProfileError{Profile: name, Key: key, Msg: fmt.Sprintf(format, a...)}
	}

	p := &Profile{
		ID:                name,
		Name:              raw.Name,
		Languages:         raw.Languages,
		ApprovalRequired:  true,
		IdleTimeout:       90 * time.Second,
		RetentionDays:     400,
		CardReissueFeeYen: raw.CardReissueFeeYen,
		documents:         map[Purpose][]Document{},
		proxy:             map[Purpose]proxyRule{},
		documentNotes:     map[Document]Text{},
	}
	if raw.Name.JA == "" || raw.Name.EN == "" {
		return bad("name", "both name.ja and name.en are required")
	}
	if len(p.Languages) == 0 {
		p.Languages = []string{"ja", "en"}
	}
	if p.Languages[0] != "ja" {
		return bad("languages", "the first language must be \"ja\" (the kiosk starts in Japanese)")
	}
	for _, l := range p.Languages {
		if !ValidLanguageTag(l) {
			return bad("languages", "bad language tag %q (a BCP 47 tag such as \"en\", \"pt-BR\", \"zh-Hans\" or \"ja-x-easy\")", l)
		}
	}
	if raw.ApprovalRequired != nil {
		p.ApprovalRequired = *raw.ApprovalRequired
	}
	if v := raw.IdleTimeoutSeconds; v != nil {
		if *v < 15 || *v > 3600 {
			return bad("idle_timeout_seconds", "%d is out of range 15–3600", *v)
		}
		p.IdleTimeout = time.Duration(*v) * time.Second
	}
	if v := raw.RetentionDays; v != nil {
		if *v < 1 || *v > 3650 {
			return bad("retention_days", "%d is out of range 1–3650", *v)
		}
		p.RetentionDays = *v
	}
	if p.CardReissueFeeYen < 0 || p.CardReissueFeeYen > 100000 {
		return bad("card_reissue_fee_yen", "%d is out of range", p.CardReissueFeeYen)
	}

	// reception
	rc := raw.Reception
	if len(rc.Weekdays) == 0 {
		return bad("reception.weekdays", "at least one served weekday is required")
	}
	for _, w := range rc.Weekdays {
		p.reception.weekdays[w] = true
	}
	if len(rc.Windows) == 0 {
		return bad("reception.windows", "at least one reception window is required")
	}
	p.reception.windows = slices.Clone(rc.Windows)
	slices.SortFunc(p.reception.windows, func(a, b window) int { return a.start - b.start })
	for i := 1; i < len(p.reception.windows); i++ {
		if p.reception.windows[i].start < p.reception.windows[i-1].end {
			return bad("reception.windows", "windows %s and %s overlap", p.reception.windows[i-1], p.reception.windows[i])
		}
	}
	p.reception.closedOnHolidays = rc.ClosedOnHolidays == nil || *rc.ClosedOnHolidays
	if rc.YearEnd != nil {
		if rc.YearEnd.From == (monthDay{}) || rc.YearEnd.To == (monthDay{}) {
			return bad("reception.year_end", "both from and to are required (\"MM-DD\")")
		}
		p.reception.yearEnd = &[2]monthDay{rc.YearEnd.From, rc.YearEnd.To}
	}
	p.reception.closures = map[Date]bool{}
	for _, d := range rc.Closures {
		p.reception.closures[Date(d)] = true
	}

	// documents
	for k, docs := range raw.Documents {
		pur, err := ParsePurpose(k)
		if err != nil {
			return bad("documents."+k, "%v", err)
		}
		p.documents[pur] = docList(docs)
	}
	for _, pur := range AllPurposes() {
		if len(p.documents[pur]) == 0 {
			return bad("documents."+string(pur), "a non-empty document list is required for every purpose")
		}
	}
	p.legalRep = legalRepRule{documents: docList(raw.LegalRep.Documents), waiveUnder15: raw.LegalRep.WaiveUnder15}
	for k, r := range raw.Proxy {
		pur, err := ParsePurpose(k)
		if err != nil {
			return bad("proxy."+k, "%v", err)
		}
		if r.Visits != 1 && r.Visits != 2 {
			return bad("proxy."+k+".visits", "visits must be 1 or 2, not %d", r.Visits)
		}
		if len(r.Documents) == 0 {
			return bad("proxy."+k+".documents", "a non-empty document list is required")
		}
		if r.PINResetByMandate && pur != PurposeRenew {
			return bad("proxy."+k+".pin_reset_by_mandate", "only meaningful for proxy.renew")
		}
		p.proxy[pur] = proxyRule{visits: r.Visits, contactFirst: r.ContactFirst,
			documents: docList(r.Documents), pinResetByMandate: r.PINResetByMandate}
	}
	for k, t := range raw.DocumentNotes {
		if !knownDocument(Document(k)) {
			return bad("document_notes."+k, "unknown document code")
		}
		if t.JA == "" || t.EN == "" {
			return bad("document_notes."+k, "both ja and en are required")
		}
		p.documentNotes[Document(k)] = t
	}
	return p, nil
}

// errorLine returns the 1-based line of a TOML syntax error. It counts from
// the error's byte offset, since the toml package reports the line before
// the end of the input for an error there (and 0 on a one-line input).
func errorLine(data []byte, pe toml.ParseError) int {
	if s := pe.Position.Start; s > 0 && s <= len(data) {
		return 1 + bytes.Count(data[:s], []byte("\n"))
	}
	return max(pe.Position.Line, 1)
}

func docList(in []docCode) []Document {
	out := make([]Document, 0, len(in))
	for _, d := range in {
		if !slices.Contains(out, Document(d)) {
			out = append(out, Document(d))
		}
	}
	return out
}

// The TOML value types below check their own syntax, so that the toml
// package reports a bad value with its line.

// weekdayText is "mon" … "sun".
type weekdayText time.Weekday

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func (w *weekdayText) UnmarshalText(b []byte) error {
	i := slices.Index(weekdayNames, string(b))
	if i < 0 {
		return fmt.Errorf("unknown weekday %q: want one of %s", b, strings.Join(weekdayNames, ", "))
	}
	*w = weekdayText(i)
	return nil
}

// window is a half-open reception window "HH:MM-HH:MM", in minutes after midnight.
type window struct{ start, end int }

func (w window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.start/60, w.start%60, w.end/60, w.end%60)
}

func (w *window) UnmarshalText(b []byte) error {
	a, z, ok := strings.Cut(string(b), "-")
	s, err1 := parseClock(a)
	e, err2 := parseClock(z)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("bad reception window %q: want \"HH:MM-HH:MM\"", b)
	}
	if e <= s {
		return fmt.Errorf("reception window %q ends before it starts", b)
	}
	*w = window{s, e}
	return nil
}

// parseClock parses "HH:MM" (00:00–24:00) into minutes.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, errors.New("bad clock")
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m > 0) {
		return 0, errors.New("bad clock")
	}
	return h*60 + m, nil
}

// monthDay is "MM-DD".
type monthDay struct {
	m time.Month
	d int
}

func (md *monthDay) UnmarshalText(b []byte) error {
	s := string(b)
	if len(s) == 5 && s[2] == '-' {
		m, err1 := strconv.Atoi(s[:2])
		d, err2 := strconv.Atoi(s[3:])
		if err1 == nil && err2 == nil && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(2000, time.Month(m)) {
			*md = monthDay{time.Month(m), d}
			return nil
		}
	}
	return fmt.Errorf("bad month-day %q: want \"MM-DD\"", b)
}

func (md monthDay) before(o monthDay) bool {
	return md.m < o.m || (md.m == o.m && md.d < o.d)
}

// dateText is a closure day "YYYY-MM-DD".
type dateText Date

func (d *dateText) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = dateText(v)
	return nil
}

// docCode is a known document code.
type docCode Document

func (d *docCode) UnmarshalText(b []byte) error {
	if !knownDocument(Document(b)) {
		return fmt.Errorf("unknown document code %q", b)
	}
	*d = docCode(b)
	return nil
}

func knownDocument(d Document) bool { return slices.Contains(AllDocuments(), d) }
