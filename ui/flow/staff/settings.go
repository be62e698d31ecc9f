package staff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

// Setting keys beyond the store's own (profile, idle_timeout_s, languages).
const (
	SettingScramble     = "scramble_keypad" // on|off: keypad keys shuffled
	SettingReceiptPrint = "receipt_print"   // on|off: print a receipt
	SettingReceiptQR    = "receipt_qr"      // on|off: the receipt's QR code
	SettingPrinter      = "printer"         // the receipt printer's queue
	SettingStaffTimeout = "staff_timeout_s" // seconds before a staff session ends
)

// Limits of the timeouts a clerk may set.
const (
	MinIdleTimeout  = 30 * time.Second
	MaxIdleTimeout  = 10 * time.Minute
	MinStaffTimeout = 30 * time.Second
	MaxStaffTimeout = 15 * time.Minute // stored as seconds: at most 3 digits
)

// Settings are the kiosk settings a supervisor changes on the settings
// screen; every change goes to the store's audit trail and is applied at run
// time by the program's callback.
type Settings struct {
	Profile      string
	IdleTimeout  time.Duration
	Languages    []string // offered languages, "ja" first
	Scramble     bool
	ReceiptPrint bool
	ReceiptQR    bool
	Printer      string
	StaffTimeout time.Duration
}

// ErrSetting is a setting value out of range.
var ErrSetting = errors.New("staff: invalid setting")

// Defaults returns the settings a profile starts with. Printing is off until
// a supervisor sets the printer and turns it on.
func Defaults(p *policy.Profile) Settings {
	s := Settings{IdleTimeout: 90 * time.Second, Languages: []string{"ja", "en"}, ReceiptQR: true,
		Printer: "default", StaffTimeout: DefaultStaffTimeout}
	if p != nil {
		s.Profile = p.ID
		if p.IdleTimeout > 0 {
			s.IdleTimeout = p.IdleTimeout
		}
		if len(p.Languages) > 0 {
			s.Languages = append([]string(nil), p.Languages...)
		}
	}
	return s
}

// Validate checks the settings; available lists the language tags the kiosk
// has catalogues for.
func (s Settings) Validate(available []string) error { return s.validate(available, true) }

// validate checks the settings; the profile only when checkProfile (a kiosk
// running a profile from a file keeps it and may still save the rest).
func (s Settings) validate(available []string, checkProfile bool) error {
	bad := func(f string, a ...any) error { return fmt.Errorf("%w: %s", ErrSetting, fmt.Sprintf(f, a...)) }
	if checkProfile && !slices.Contains(policy.ProfileNames(), s.Profile) {
		return bad("profile %q", s.Profile)
	}
	if s.IdleTimeout < MinIdleTimeout || s.IdleTimeout > MaxIdleTimeout {
		return bad("idle timeout %v", s.IdleTimeout)
	}
	if s.StaffTimeout < MinStaffTimeout || s.StaffTimeout > MaxStaffTimeout {
		return bad("staff timeout %v", s.StaffTimeout)
	}
	if len(s.Languages) == 0 || s.Languages[0] != "ja" {
		return bad("languages must start with ja")
	}
	for _, l := range s.Languages {
		if available != nil && !slices.Contains(available, l) {
			return bad("language %q", l)
		}
	}
	if s.Printer == "" || len(s.Printer) > 64 || strings.ContainsAny(s.Printer, ",\n\r\t") {
		return bad("printer %q", s.Printer)
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// values returns the stored form of every setting.
func (s Settings) values() map[string]string {
	return map[string]string{
		store.SettingProfile:     s.Profile,
		store.SettingIdleTimeout: seconds(s.IdleTimeout),
		store.SettingLanguages:   strings.Join(s.Languages, ","),
		SettingScramble:          onOff(s.Scramble),
		SettingReceiptPrint:      onOff(s.ReceiptPrint),
		SettingReceiptQR:         onOff(s.ReceiptQR),
		SettingPrinter:           s.Printer,
		SettingStaffTimeout:      seconds(s.StaffTimeout),
	}
}

// settingKeys is the order changes are written in.
var settingKeys = []string{store.SettingProfile, store.SettingIdleTimeout, store.SettingLanguages, SettingScramble,
	SettingReceiptPrint, SettingReceiptQR, SettingPrinter, SettingStaffTimeout}

// LoadSettings reads the stored settings over def (keys never set keep
// def's value; malformed stored values too).
func LoadSettings(ctx context.Context, st *store.Store, def Settings) (Settings, error) {
	all, err := st.Settings(ctx)
	if err != nil {
		return def, err
	}
	s := def
	s.Languages = append([]string(nil), def.Languages...)
	for _, x := range all {
		v := x.Value
		switch x.Key {
		case store.SettingProfile:
			s.Profile = v
		case store.SettingIdleTimeout:
			if n, err := strconv.Atoi(v); err == nil {
				s.IdleTimeout = time.Duration(n) * time.Second
			}
		case SettingStaffTimeout:
			if n, err := strconv.Atoi(v); err == nil {
				s.StaffTimeout = time.Duration(n) * time.Second
			}
		case store.SettingLanguages:
			if v != "" {
				s.Languages = strings.Split(v, ",")
			}
		case SettingScramble:
			s.Scramble = v == "on"
		case SettingReceiptPrint:
			s.ReceiptPrint = v == "on"
		case SettingReceiptQR:
			s.ReceiptQR = v == "on"
		case SettingPrinter:
			s.Printer = v
		}
	}
	return s, nil
}

// SaveSettings validates next and writes every value that differs from
// prev to the store (which audits each change with old and new value and
// the clerk); it returns the keys written.
func SaveSettings(ctx context.Context, st *store.Store, prev, next Settings, available []string, by string) ([]string, error) {
	if err := next.validate(available, next.Profile != prev.Profile); err != nil {
		return nil, err
	}
	old, now := prev.values(), next.values()
	var changed []string
	for _, k := range settingKeys {
		if old[k] == now[k] {
			continue
		}
		if err := st.SetSetting(ctx, k, now[k], by); err != nil {
			return changed, err
		}
		changed = append(changed, k)
	}
	return changed, nil
}
