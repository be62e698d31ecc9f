package store

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Detail is the structured detail of an audit event: lower snake case keys
// to strings, integers, booleans or string lists. It is checked by
// CheckDetail before anything is written; see docs/STORE.md for the rules.
//
// Use codes, not prose: {"cert":"sign","retries_left":2,"reason":"PIN_LOCKED"}.
// Certificate serials go through Serial, dates are YYYY-MM-DD under a key
// naming what the date is (expiry, not_after, cutoff...).
type Detail map[string]any

// Limits of a Detail.
const (
	maxDetailKeys  = 32
	maxValueLen    = 256
	maxListLen     = 16
	maxDetailBytes = 4096
)

var (
	keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	// deniedKeyTokens are key words (between underscores) that name personal
	// data or secrets. "pin" covers new_pin, pin_value...; use "cert" to say
	// which PIN an event is about.
	deniedKeyTokens = map[string]bool{
		"pin": true, "pins": true, "puk": true, "password": true, "passwd": true, "passphrase": true,
		"secret": true, "name": true, "names": true, "kana": true, "furigana": true, "shimei": true,
		"address": true, "addr": true, "jusho": true, "dob": true, "birth": true, "birthday": true,
		"birthdate": true, "born": true, "sex": true, "gender": true, "phone": true, "tel": true,
		"email": true, "mail": true, "zip": true, "postal": true, "individual": true,
		"mynumber": true, "kojin": true, "bango": true, "photo": true, "face": true,
	}
	// deniedKeyParts are denied anywhere in a key, even without underscores.
	deniedKeyParts = []string{"mynumber", "my_number", "individual", "birth", "address", "password", "passwd"}

	// twelveDigitsRE is an individual-number-shaped token: 12 digits, maybe
	// grouped 4-4-4 by spaces or hyphens, not part of a longer alphanumeric
	// token (so a hex hash containing 12 digits in a row is fine).
	twelveDigitsRE = regexp.MustCompile(`(^|[^0-9A-Za-z])[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}($|[^0-9A-Za-z])`)
	allDigitsRE    = regexp.MustCompile(`^[0-9]{4,}$`)
	valueCharsRE   = regexp.MustCompile(`^[A-Za-z0-9_.:+,/=-]*$`)
	signPINRE      = regexp.MustCompile(`^[A-Z0-9]{6,16}$`)
	dateLikeRE     = regexp.MustCompile(`[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}`)
	// dateKeySuffixes are the keys under which a date may be stored: dates
	// of certificates, tickets and retention, never of people. "from" and
	// "to" count only as a whole key or a whole last word ("to_date",
	// "valid_to"), never as the end of a word ("photo", "birthday").
	dateKeySuffixes = []string{"expiry", "_date", "not_after", "not_before", "cutoff", "opens", "until", "_from", "_to"}
	dateKeys        = map[string]bool{"from": true, "to": true}

	// compactDateRE is a birth date written without separators, as in the
	// signature certificate's EYYYYMMDD (era digit, then the date) or with a
	// letter in front ("e19800412"): years before minStoredYear, since later
	// compact dates are the kiosk's own timestamps (journal IDs).
	compactDateRE = regexp.MustCompile(`(^|[^0-9])[0-9]?(19[0-9]{2}|20(0[0-9]|1[0-4]))(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])($|[^0-9])`)
	// eraDateRE is a date in a Japanese era ("S55.04.12", "H2-1-5", "R3/1/1").
	eraDateRE = regexp.MustCompile(`(^|[^A-Za-z0-9])[MTSHRmtshr][0-9]{1,2}[.\-/][0-9]{1,2}[.\-/][0-9]{1,2}($|[^0-9])`)
	// labelledDigitsRE is a number given after a label ("pin:1234",
	// "code=123456"): the shape of a PIN written down.
	labelledDigitsRE = regexp.MustCompile(`(^|[^A-Za-z0-9])[A-Za-z_]{1,16}[:=][0-9]{4,16}($|[^0-9A-Za-z])`)
	// dottedNameRE is two upper-case words joined by a dot, as a name is
	// written in romaji on cards and forms ("KOSHIN.TARO").
	dottedNameRE = regexp.MustCompile(`(^|[^A-Za-z])[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+($|[^A-Za-z])`)
	// tokenSplitRE splits a value into words for the name check.
	tokenSplitRE = regexp.MustCompile(`[^A-Za-z]+`)
)

// minStoredYear is the earliest year of a date the store keeps: dates it
// keeps are of certificates, tickets and retention, all after My Number
// certificates began (2016); an earlier one is most likely a birth date.
const minStoredYear = 2015

// nameWords are common Japanese family and given names in romaji (and the
// fictional holders of sample cards). No code word of the kiosk is one of
// them, so a value holding one is refused as a name. Short, frequent
// names only: this is a net for slips, not a register.
var nameWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		SATO SUZUKI TAKAHASHI TANAKA WATANABE ITO YAMAMOTO NAKAMURA KOBAYASHI KATO YOSHIDA
		YAMADA SASAKI YAMAGUCHI MATSUMOTO INOUE KIMURA HAYASHI SHIMIZU YAMAZAKI MORI ABE IKEDA
		HASHIMOTO YAMASHITA ISHIKAWA NAKAJIMA MAEDA FUJITA OGAWA GOTO OKADA HASEGAWA MURAKAMI
		KONDO ISHII SAITO SAKAMOTO ENDO AOKI FUJII NISHIMURA FUKUDA OTA MIURA FUJIWARA OKAMOTO
		MATSUDA NAKAGAWA KOSHIN
		TARO JIRO SABURO ICHIRO HANAKO HIROSHI TAKESHI KENJI KENTA SHOTA YUTO HARUTO SOTA
		YUKI YUI AOI HINA SAKURA YUKO KEIKO YOKO AKIKO TOMOKO NAOKO KAZUKO SACHIKO HIROKO
		MICHIKO KYOKO MAYUMI AKEMI MEGUMI HIROMI SATOSHI MAKOTO OSAMU MINORU ISAMU SHIGERU
		TSUTOMU`) {
		nameWords[w] = true
	}
}

// CheckKey reports whether key may name a stored value: lower snake case,
// not naming personal data or a secret.
func CheckKey(key string) error {
	if !keyRE.MatchString(key) {
		return fmt.Errorf("%w: key %q must be lower snake case, at most 40 characters", ErrInvalid, key)
	}
	for _, tok := range strings.Split(key, "_") {
		if deniedKeyTokens[tok] {
			return fmt.Errorf("%w: key %q names personal data or a secret", ErrPersonalData, key)
		}
	}
	for _, p := range deniedKeyParts {
		if strings.Contains(key, p) {
			return fmt.Errorf("%w: key %q names personal data or a secret", ErrPersonalData, key)
		}
	}
	return nil
}

// CheckValue reports whether the string v may be stored under key. Values
// are codes, not text: ASCII letters, digits and _ . : + , / = - only, so
// Japanese names and addresses and any prose are refused. It also refuses
// what looks like personal data in code form: PIN-shaped strings (4 or more digits alone; 6–16 upper-case
// letters and digits mixed), 12-digit numbers (the individual number), and
// dates under keys that do not name a certificate or retention date.
func CheckValue(key, v string) error {
	if len(v) > maxValueLen {
		return fmt.Errorf("%w: value of %q longer than %d bytes", ErrInvalid, key, maxValueLen)
	}
	if !valueCharsRE.MatchString(v) {
		return fmt.Errorf("%w: value of %q is not a code (letters, digits and _ . : + , / = - only; no text, names or addresses)", ErrPersonalData, key)
	}
	refuse := func(what string) error {
		return fmt.Errorf("%w: value of %q looks like %s", ErrPersonalData, key, what)
	}
	if twelveDigitsRE.MatchString(v) {
		return refuse("an individual number")
	}
	if allDigitsRE.MatchString(v) {
		return refuse("a PIN or an identification number (store numbers as integers)")
	}
	if signPINRE.MatchString(v) && strings.ContainsAny(v, "0123456789") && strings.ContainsAny(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return refuse("a signature PIN")
	}
	if strings.Contains(v, "@") {
		return refuse("an e-mail address")
	}
	if dateLikeRE.MatchString(v) {
		if !isDateKey(key) {
			return refuse("a date under a key that does not name a certificate date")
		}
		for _, m := range dateLikeRE.FindAllString(v, -1) {
			if y, err := strconv.Atoi(m[:4]); err == nil && y < minStoredYear {
				return refuse("a birth date (a date before My Number certificates began)")
			}
		}
	}
	if eraDateRE.MatchString(v) {
		return refuse("a date in a Japanese era")
	}
	if !hexKey(key) {
		if compactDateRE.MatchString(v) {
			return refuse("a date written without separators")
		}
		if labelledDigitsRE.MatchString(v) {
			return refuse("a PIN or number written after a label")
		}
	}
	if dottedNameRE.MatchString(v) {
		return refuse("a name in romaji")
	}
	for _, w := range tokenSplitRE.Split(v, -1) {
		// Upper case, as names are written in romaji on cards; lower-case
		// words are codes and staff IDs (which may well be a surname).
		if nameWords[w] {
			return refuse("a name in romaji")
		}
	}
	return nil
}

// hexKey reports keys whose values are hexadecimal or opaque references
// (card references, serials, hashes) or addresses (the receipt printer's
// host:port), in which digit runs are chance.
func hexKey(key string) bool {
	return key == "card_ref" || key == "printer" || strings.Contains(key, "serial") || strings.Contains(key, "hash")
}

func isDateKey(key string) bool {
	if dateKeys[key] {
		return true
	}
	for _, s := range dateKeySuffixes {
		if strings.HasSuffix(key, s) {
			return true
		}
	}
	return false
}

// checkInt refuses integers shaped like an individual number (12 digits).
func checkInt(key string, v int64) error {
	if (v >= 100_000_000_000 && v <= 999_999_999_999) || (v <= -100_000_000_000 && v >= -999_999_999_999) {
		return fmt.Errorf("%w: value of %q looks like an individual number", ErrPersonalData, key)
	}
	return nil
}

// CheckDetail checks every key and value of d (see CheckKey and CheckValue).
func CheckDetail(d Detail) error {
	if len(d) > maxDetailKeys {
		return fmt.Errorf("%w: detail has %d keys, at most %d", ErrInvalid, len(d), maxDetailKeys)
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same first problem every time
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
		if err := checkDetailValue(k, d[k]); err != nil {
			return err
		}
	}
	return nil
}

func checkDetailValue(k string, v any) error {
	switch x := v.(type) {
	case string:
		return CheckValue(k, x)
	case bool:
		return nil
	case int:
		return checkInt(k, int64(x))
	case int32:
		return checkInt(k, int64(x))
	case int64:
		return checkInt(k, x)
	case uint32:
		return checkInt(k, int64(x))
	case []string:
		if len(x) > maxListLen {
			return fmt.Errorf("%w: list %q longer than %d", ErrInvalid, k, maxListLen)
		}
		for _, e := range x {
			if err := CheckValue(k, e); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%w: value of %q has type %T (want string, integer, bool or []string)", ErrInvalid, k, v)
	}
}

// encodeDetail checks d and returns its canonical JSON (keys sorted).
func encodeDetail(d Detail) (string, error) {
	if err := CheckDetail(d); err != nil {
		return "", err
	}
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]any(d))
	if err != nil {
		return "", fmt.Errorf("%w: detail: %v", ErrInvalid, err)
	}
	if len(b) > maxDetailBytes {
		return "", fmt.Errorf("%w: detail longer than %d bytes", ErrInvalid, maxDetailBytes)
	}
	return string(b), nil
}

var (
	lowerCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	upperCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,47}$`)
	staffIDRE   = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,31}$`)
	cardRefRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:._-]{3,127}$`)
	ageBandRE   = regexp.MustCompile(`^([0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}\+)$`)
)

// checkCode checks a lower-case code (service, purpose, profile, ...).
func checkCode(what, v string) error {
	if !lowerCodeRE.MatchString(v) {
		return fmt.Errorf("%w: %s %q (want a lower-case code)", ErrInvalid, what, v)
	}
	return nil
}

func checkCodes(what string, vs []string) error {
	if len(vs) > maxListLen {
		return fmt.Errorf("%w: %s: more than %d", ErrInvalid, what, maxListLen)
	}
	for _, v := range vs {
		if err := checkCode(what, v); err != nil {
			return err
		}
	}
	return nil
}

// checkReasons checks upper snake case reason codes (UNDER_15, PIN_LOCKED).
func checkReasons(vs []string) error {
	if len(vs) > maxListLen {
		return fmt.Errorf("%w: more than %d reasons", ErrInvalid, maxListLen)
	}
	for _, v := range vs {
		if !upperCodeRE.MatchString(v) {
			return fmt.Errorf("%w: reason %q (want UPPER_SNAKE_CASE)", ErrInvalid, v)
		}
	}
	return nil
}

// CheckStaffID reports whether id is a valid staff ID: 2–32 lower-case
// letters, digits, '.', '_' or '-', starting with a letter (so that no staff
// ID can be a PIN or an individual number).
func CheckStaffID(id string) error {
	if !staffIDRE.MatchString(id) {
		return fmt.Errorf("%w: staff ID %q (want lower-case letters and digits, starting with a letter)", ErrInvalid, id)
	}
	return nil
}

// checkCardRef checks an opaque card reference (see CardRef).
func checkCardRef(ref string) error {
	if !cardRefRE.MatchString(ref) {
		return fmt.Errorf("%w: card reference %q", ErrInvalid, ref)
	}
	return CheckValue("card_ref", ref)
}

func join(vs []string) string { return strings.Join(vs, ",") }

func split(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}
