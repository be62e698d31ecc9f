package policy

import (
	"testing"
	"time"
)

type hoursCase struct {
	src     string
	profile string
	at      string // YYYY-MM-DDTHH:MM in JST
	open    bool
	reason  Reason
	next    string // "" for none
}

const closureProfile = `
[name]
ja = "テスト市"
en = "Test City"
[reception]
weekdays = ["mon", "tue", "wed", "thu", "fri"]
windows = ["08:30-17:00"]
closures = ["2026-12-28"]
year_end = { from = "12-29", to = "01-03" }
[documents]
new = ["MYNUMBER_CARD"]
renew = ["MYNUMBER_CARD"]
reissue-lost = ["MYNUMBER_CARD"]
pin-reset = ["MYNUMBER_CARD"]
pin-change = ["MYNUMBER_CARD"]
`

var hoursCases = []hoursCase{
	{"000 受付日 平日 / 午前9時から", "moriya", "2026-11-24T09:00", true, "", ""},
	{"000 午前11時45分 (half-open: 11:44 still open)", "moriya", "2026-11-24T11:44", true, "", ""},
	{"000 午前11時45分 (11:45 closed, lunch break)", "moriya", "2026-11-24T11:45", false, OutsideHours, "2026-11-24T13:00"},
	{"000 午後4時45分 (16:45 closed → next morning)", "moriya", "2026-11-24T16:45", false, OutsideHours, "2026-11-25T09:00"},
	{"000 午前9時から (before opening)", "moriya", "2026-11-24T08:59", false, OutsideHours, "2026-11-24T09:00"},
	{"000 受付日 日曜", "moriya", "2026-11-15T10:00", true, "", ""},
	{"000 毎月第3土曜日に続く日曜日…取り扱いができません", "moriya", "2026-11-22T10:00", false, MaintenanceSunday, "2026-11-24T09:00"},
	{"000 平日(祝日を除く): 勤労感謝の日 2026-11-23", "moriya", "2026-11-23T10:00", false, PublicHoliday, "2026-11-24T09:00"},
	{"000 土曜は受付日でない (next: maintenance Sunday, holiday, then Tuesday)", "moriya", "2026-11-21T10:00", false, ClosedDay, "2026-11-24T09:00"},
	{"DESIGN §3 国民の休日 2026-09-22 (between 敬老の日 and 秋分の日)", "moriya", "2026-09-22T10:00", false, PublicHoliday, "2026-09-24T09:00"},
	{"DESIGN §3 振替休日 2026-05-06", "kakamigahara", "2026-05-06T10:00", false, PublicHoliday, "2026-05-07T08:30"},
	{"RULES.md Moriya year-end closure (DECISION)", "moriya", "2026-12-31T10:00", false, YearEndClosure, "2027-01-04T09:00"},
	{"RULES.md Moriya: a Sunday in the year-end closure", "moriya", "2027-01-03T10:00", false, YearEndClosure, "2027-01-04T09:00"},
	{"001 月曜日~金曜日 午前8時30分~午後5時", "kakamigahara", "2026-11-24T08:30", true, "", ""},
	{"001 午後5時 (16:59 open)", "kakamigahara", "2026-11-24T16:59", true, "", ""},
	{"001 午後5時 (17:00 closed)", "kakamigahara", "2026-11-24T17:00", false, OutsideHours, "2026-11-25T08:30"},
	{"001 月曜日~金曜日 (Sunday)", "kakamigahara", "2026-11-15T10:00", false, ClosedDay, "2026-11-16T08:30"},
	{"001 12月29日~1月3日を除く", "kakamigahara", "2026-12-29T10:00", false, YearEndClosure, "2027-01-04T08:30"},
	{"001 12月29日~1月3日を除く (3 Jan)", "kakamigahara", "2027-01-03T10:00", false, YearEndClosure, "2027-01-04T08:30"},
	{"001 12月28日 is a working day", "kakamigahara", "2026-12-28T16:00", true, "", ""},
	{"001 祝日を除く (元日 inside the year-end closure)", "kakamigahara", "2027-01-01T10:00", false, YearEndClosure, "2027-01-04T08:30"},
	{"001 祝日を除く: 成人の日 2027-01-11", "kakamigahara", "2027-01-11T10:00", false, PublicHoliday, "2027-01-12T08:30"},
	{"DESIGN §3 profiles can add closure days", "closures", "2026-12-28T10:00", false, ProfileClosure, "2027-01-04T08:30"},
	{"RULES.md no holiday data after 2050: never claimed open", "kakamigahara", "2051-03-01T10:00", false, CalendarUnknown, ""},
	{"RULES.md look-ahead stops at the end of the holiday data", "kakamigahara", "2050-12-29T10:00", false, YearEndClosure, ""},
}

func TestHoursTable(t *testing.T) {
	closures, err := ParseProfile([]byte(closureProfile), "closures")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range hoursCases {
		t.Run(c.src, func(t *testing.T) {
			p := closures
			if c.profile != "closures" {
				p = profileFor(t, c.profile)
			}
			at, err := time.ParseInLocation("2006-01-02T15:04", c.at, JST)
			if err != nil {
				t.Fatal(err)
			}
			open, reason, next := Hours(p, at)
			gotNext := ""
			if !next.IsZero() {
				gotNext = next.In(JST).Format("2006-01-02T15:04")
			}
			if open != c.open || reason != c.reason || gotNext != c.next {
				t.Errorf("%s %s: got (%v, %q, %q), want (%v, %q, %q)", c.profile, c.at, open, reason, gotNext, c.open, c.reason, c.next)
			}
		})
	}
}

func TestHoursTimeZone(t *testing.T) {
	p := profileFor(t, "kakamigahara")
	// 23:45 UTC on the 23rd is 08:45 JST on Tuesday the 24th.
	if open, _, _ := Hours(p, time.Date(2026, 11, 23, 23, 45, 0, 0, time.UTC)); !open {
		t.Error("UTC instant not read in JST")
	}
	// Seconds count in the half-open window: 16:59:59 open, 17:00:00 closed.
	if open, _, _ := Hours(p, time.Date(2026, 11, 24, 16, 59, 59, 0, JST)); !open {
		t.Error("16:59:59 should be open")
	}
}

func TestHolidays(t *testing.T) {
	for _, c := range []struct{ date, ja, en string }{
		{"2026-11-23", "勤労感謝の日", "Labor Thanksgiving Day"},
		{"2026-09-22", "休日", "Citizen's Holiday"},       // 国民の休日
		{"2026-05-06", "こどもの日 振替休日", "Holiday in lieu"}, // 振替休日
		{"2019-05-01", "休日（祝日扱い）", "Holiday"},           // 即位の日
		{"1970-01-01", "元日", "New Year's Day"},
		{"2050-11-23", "勤労感謝の日", "Labor Thanksgiving Day"},
	} {
		h, ok := HolidayOn(MustDate(c.date))
		if !ok || h.Name.JA != c.ja || h.Name.EN != c.en {
			t.Errorf("%s: got %+v %v, want %s / %s", c.date, h, ok, c.ja, c.en)
		}
	}
	for _, s := range []string{"2026-11-24", "2026-12-29", "2026-09-24"} {
		if _, ok := HolidayOn(MustDate(s)); ok {
			t.Errorf("%s is not a public holiday", s)
		}
	}
	first, last := HolidayRange()
	if first != MustDate("1970-01-01") || last != MustDate("2050-12-31") {
		t.Errorf("range %s – %s, want 1970-01-01 – 2050-12-31", first, last)
	}
	if len(holidayTable) != 1329 || HolidaySource() != "@holiday-jp/holiday_jp@2.5.1" ||
		holidayIntegrity != "sha512-KuXfzsp0xlP830WDZRbsHj99wJzamx4fS55usUJFz+oHZmZ4gJfVdyiyv/rIWK+O7RgfHSi5j5Ajy0ZK/Vlnyg==" {
		t.Errorf("%d holidays from %s", len(holidayTable), HolidaySource())
	}
	for i := 1; i < len(holidayTable); i++ {
		if holidayTable[i].date <= holidayTable[i-1].date {
			t.Fatalf("table not sorted at %d", holidayTable[i].date)
		}
	}
	// Every year has 元日 and a substitute holiday rule in force since 1973.
	for y := 1970; y <= 2050; y++ {
		if _, ok := HolidayOn(NewDate(y, 1, 1)); !ok {
			t.Errorf("%d: no 元日", y)
		}
	}
}

// TestMaintenanceSunday checks, for every month of the holiday data, that
// exactly one day is the maintenance Sunday and that it is the day after the
// third Saturday, in the same month (第3土曜日に続く日曜日).
func TestMaintenanceSunday(t *testing.T) {
	for y := 1970; y <= 2050; y++ {
		for m := time.January; m <= time.December; m++ {
			var sats []Date
			var found []Date
			for day := 1; day <= daysIn(y, m); day++ {
				dd := NewDate(y, m, day)
				if dd.Weekday() == time.Saturday {
					sats = append(sats, dd)
				}
				if IsMaintenanceSunday(dd) {
					found = append(found, dd)
				}
			}
			want := sats[2].AddDays(1)
			if len(found) != 1 || found[0] != want || want.m != m {
				t.Fatalf("%d-%02d: maintenance Sundays %v, want %s", y, m, found, want)
			}
		}
	}
}
