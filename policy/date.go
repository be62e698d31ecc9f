package policy

import (
	"fmt"
	"time"
)

// Date is a calendar day with no time of day and no time zone, as printed on
// a card or a certificate. The zero Date means "none" or "unknown".
type Date struct {
	y int
	m time.Month
	d int
}

// NewDate returns the date y-m-d, normalised the way time.Date normalises
// (so 2026-02-30 becomes 2026-03-02). Use ParseDate to reject such input.
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// MinYear and MaxYear bound the dates the rules accept: a birth, a
// certificate or a card outside them is a typing error, and arithmetic on
// them (birthdays, 5- and 6-year validity) always stays a four-digit year.
const (
	MinYear = 1900
	MaxYear = 2199
)

// ParseDate parses YYYY-MM-DD strictly: the day must exist and the year be
// within MinYear–MaxYear.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("bad date %q: want YYYY-MM-DD", s)
	}
	if y := t.Year(); y < MinYear || y > MaxYear {
		return Date{}, fmt.Errorf("date %q is out of range: years %d to %d", s, MinYear, MaxYear)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// MustDate is ParseDate for constants in tests and tables; it panics on bad input.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar day of t in Japan (JST, UTC+9).
func DateOf(t time.Time) Date {
	t = t.In(JST)
	return Date{t.Year(), t.Month(), t.Day()}
}

// DateIn returns the calendar day of t in loc; the zero time gives the zero
// Date.
func DateIn(t time.Time, loc *time.Location) Date {
	if t.IsZero() {
		return Date{}
	}
	t = t.In(loc)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Midnight returns d as midnight UTC, the form the flow's snapshots carry a
// date in (day arithmetic without zones); the zero Date gives the zero time.
func (d Date) Midnight() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.utc()
}

// JST is Japan Standard Time, UTC+9. Japan has kept no daylight saving time
// since 1951, so a fixed zone is exact and needs no time-zone database (the
// Windows terminals may have none).
var JST = time.FixedZone("JST", 9*60*60)

// Year, Month and Day return the parts of d.
func (d Date) Year() int { return d.y }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.m }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.d }

// IsZero reports whether d is the zero Date ("none").
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
}

// At returns the instant hh:mm on d in JST.
func (d Date) At(hh, mm int) time.Time {
	return time.Date(d.y, d.m, d.d, hh, mm, 0, 0, JST)
}

func (d Date) utc() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns the date n days after d (before d when n < 0).
func (d Date) AddDays(n int) Date { return NewDate(d.y, d.m, d.d+n) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("bad date %s: want \"YYYY-MM-DD\"", b)
	}
	v, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isLeap(y int) bool { return daysIn(y, time.February) == 29 }
