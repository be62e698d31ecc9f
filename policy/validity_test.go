package policy

import (
	"math/rand"
	"testing"
	"time"
)

func TestBirthdays(t *testing.T) {
	for _, c := range []struct {
		src        string
		dob, after string
		n          int
		want       string
	}{
		{"001 発行日から5回目の誕生日まで", "1990-10-10", "2026-01-05", 5, "2030-10-10"},
		{"DESIGN §3 birthdays strictly after the issue date", "1990-10-10", "2026-10-10", 5, "2031-10-10"},
		{"DESIGN §3 …the day after the birthday", "1990-10-10", "2026-10-11", 5, "2031-10-10"},
		{"000 6回目の誕生日まで", "1990-10-10", "2026-08-01", 6, "2031-10-10"},
		{"DESIGN §3 29 February → 28 February in non-leap years", "2000-02-29", "2026-03-01", 5, "2031-02-28"},
		{"DESIGN §3 29 February kept in leap years", "2000-02-29", "2027-03-01", 5, "2032-02-29"},
		{"DESIGN §3 issued on 28 Feb of a non-leap year = that year's birthday", "2000-02-29", "2027-02-28", 1, "2028-02-29"},
		{"DESIGN §3 issued on 28 Feb of a leap year: birthday still ahead", "2000-02-29", "2028-02-28", 1, "2028-02-29"},
	} {
		if got := NthBirthdayAfter(MustDate(c.dob), MustDate(c.after), c.n); got != MustDate(c.want) {
			t.Errorf("%s: %d-th birthday after %s (born %s) = %s, want %s", c.src, c.n, c.after, c.dob, got, c.want)
		}
	}
	if IsBirthday(MustDate("2000-02-29"), MustDate("2028-02-28")) || !IsBirthday(MustDate("2000-02-29"), MustDate("2027-02-28")) {
		t.Error("29 February birthdays: 28 Feb only in non-leap years")
	}
	if IsBirthday(MustDate("2000-02-29"), MustDate("2000-02-29")) {
		t.Error("the birth date itself is not a birthday")
	}
}

func TestAgeOn(t *testing.T) {
	for _, c := range []struct {
		src, dob, on string
		want         int
	}{
		{"000 15歳の誕生日を迎え (birthday itself)", "2011-07-01", "2026-07-01", 15},
		{"000 15歳以上 (day before)", "2011-07-01", "2026-06-30", 14},
		{"DESIGN §3 29 Feb: 28 Feb in non-leap years", "2012-02-29", "2027-02-28", 15},
		{"DESIGN §3 29 Feb: leap year, day before", "2012-02-29", "2028-02-28", 15},
		{"DESIGN §3 29 Feb: non-leap, day before", "2011-03-01", "2026-02-28", 14},
		{"birth date", "2011-07-01", "2011-07-01", 0},
	} {
		if got := AgeOn(MustDate(c.dob), MustDate(c.on)); got != c.want {
			t.Errorf("%s: age on %s (born %s) = %d, want %d", c.src, c.on, c.dob, got, c.want)
		}
	}
}

func TestRenewalOpens(t *testing.T) {
	for _, c := range []struct{ src, expiry, want string }{
		{"000 有効期間満了の3か月前から", "2026-06-15", "2026-03-15"},
		{"DESIGN §3 clamp to the month's last day", "2026-05-31", "2026-02-28"},
		{"DESIGN §3 clamp, leap year", "2028-05-31", "2028-02-29"},
		{"DESIGN §3 clamp, 30-day month", "2026-12-31", "2026-09-30"},
		{"DESIGN §3 across the year", "2027-01-15", "2026-10-15"},
		{"DESIGN §3 across the year, March", "2027-03-31", "2026-12-31"},
	} {
		if got := RenewalOpens(MustDate(c.expiry)); got != MustDate(c.want) {
			t.Errorf("%s: RenewalOpens(%s) = %s, want %s", c.src, c.expiry, got, c.want)
		}
	}
}

func TestDateParse(t *testing.T) {
	for _, bad := range []string{"2026-02-30", "2026-2-01", "20260201", "2026-02-01T00:00", "", "2026-13-01",
		"0000-01-01", "1899-12-31", "2200-01-01", "9999-12-31", "-001-10-01"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	for _, good := range []string{"1900-01-01", "2199-12-31"} {
		if _, err := ParseDate(good); err != nil {
			t.Errorf("ParseDate(%q): %v", good, err)
		}
	}
	if got := DateOf(time.Date(2026, 3, 31, 15, 0, 0, 0, time.UTC)); got != MustDate("2026-04-01") {
		t.Errorf("DateOf in JST = %s, want 2026-04-01", got)
	}
	b, _ := Date{}.MarshalJSON()
	c, _ := MustDate("2026-04-01").MarshalJSON()
	if string(b) != "null" || string(c) != `"2026-04-01"` {
		t.Errorf("JSON %s %s", b, c)
	}
	var x Date
	if err := x.UnmarshalJSON(c); err != nil || x != MustDate("2026-04-01") {
		t.Errorf("UnmarshalJSON: %v %v", x, err)
	}
}

// randDate returns a random day between from and from+span days.
func randDate(r *rand.Rand, from Date, span int) Date { return from.AddDays(r.Intn(span + 1)) }

func addYears(d Date, n int) Date { return NewDate(d.y+n, d.m, min(d.d, daysIn(d.y+n, d.m))) }

// TestNewExpiryProperties checks, over many random birth dates and days:
// the new expiry never exceeds the card's, is a birthday (29 Feb rule) or the
// card's expiry, and is 4 to 6 years after the issue date unless capped.
func TestNewExpiryProperties(t *testing.T) {
	r := rand.New(rand.NewSource(20260401))
	for i := 0; i < 10000; i++ {
		dob := randDate(r, MustDate("1920-01-01"), 38000)
		if r.Intn(20) == 0 {
			dob = NewDate(1960+4*r.Intn(16), time.February, 29)
		}
		issue := randDate(r, MustDate("2016-01-01"), 11000)
		if issue.Before(dob) {
			continue
		}
		var current, card Date
		if r.Intn(2) == 0 { // a current certificate expiring on a birthday within a year
			current = NthBirthdayAfter(dob, issue.AddDays(-r.Intn(365)), 1)
		}
		if r.Intn(2) == 0 {
			card = randDate(r, issue.AddDays(1), 12*365)
		}
		exp, sixth, capped := NewExpiry(dob, issue, current, card)
		if !card.IsZero() && exp.After(card) {
			t.Fatalf("born %s issued %s card %s: expiry %s after the card", dob, issue, card, exp)
		}
		if !IsBirthday(dob, exp) && exp != card {
			t.Fatalf("born %s issued %s: expiry %s is not a birthday", dob, issue, exp)
		}
		if capped != (!card.IsZero() && exp == card && card.Before(NthBirthdayAfter(dob, issue, map[bool]int{true: 6, false: 5}[sixth]))) {
			t.Fatalf("born %s issued %s: capped=%v inconsistent", dob, issue, capped)
		}
		if !capped && (!exp.After(addYears(issue, 4)) || exp.After(addYears(issue, 6))) {
			t.Fatalf("born %s issued %s (current %s): expiry %s not 4–6 years on", dob, issue, current, exp)
		}
		if !capped && !sixth && exp.After(addYears(issue, 5)) {
			t.Fatalf("born %s issued %s: 5th birthday %s later than 5 years", dob, issue, exp)
		}
		if sixth && !(issue.Before(current) && IsBirthday(dob, current)) {
			t.Fatalf("6th birthday without an unexpired birthday expiry")
		}
	}
}

// TestRenewalWindowProperty: renewal is never allowed before the window and
// always allowed inside it (adult, self, no card limit), over random days.
func TestRenewalWindowProperty(t *testing.T) {
	p := profileFor(t, "kakamigahara")
	r := rand.New(rand.NewSource(15))
	for i := 0; i < 10000; i++ {
		dob := randDate(r, MustDate("1940-01-01"), 25000)
		expiry := NthBirthdayAfter(dob, randDate(r, MustDate("2026-01-01"), 3650), 1)
		today := expiry.AddDays(r.Intn(500) - 450)
		if AgeOn(dob, today) < 15 {
			continue
		}
		dec, err := Check(p, Request{Today: today, BirthDate: dob, Cert: CertSign, Purpose: PurposeRenew, CertExpiry: expiry})
		if err != nil {
			t.Fatal(err)
		}
		opens := RenewalOpens(expiry)
		if dec.RenewalOpens != opens {
			t.Fatalf("renewal_opens %s, want %s", dec.RenewalOpens, opens)
		}
		if today.Before(opens) == dec.Allowed {
			t.Fatalf("expiry %s today %s opens %s: allowed=%v", expiry, today, opens, dec.Allowed)
		}
		if d := expiry.utc().Sub(opens.utc()).Hours() / 24; d < 89 || d > 92 {
			t.Fatalf("window %s–%s is %v days", opens, expiry, d)
		}
		if dec.Allowed && !dec.NewExpiry.After(expiry) {
			t.Fatalf("renewal on %s to %s does not extend %s", today, dec.NewExpiry, expiry)
		}
	}
}

// TestCheckCardCapProperty: through Check, an allowed issuance never runs past the card.
func TestCheckCardCapProperty(t *testing.T) {
	p := profileFor(t, "moriya")
	r := rand.New(rand.NewSource(7))
	purposes := []Purpose{PurposeNew, PurposeReissueLost, PurposeRenew}
	for i := 0; i < 10000; i++ {
		dob := randDate(r, MustDate("1930-01-01"), 30000)
		today := randDate(r, MustDate("2016-01-01"), 9000)
		if today.Before(dob) {
			continue
		}
		req := Request{Today: today, BirthDate: dob, Cert: CertAuth, Purpose: purposes[r.Intn(3)],
			CardExpiry: randDate(r, today.AddDays(-30), 4000)}
		if req.Purpose == PurposeRenew {
			req.CertExpiry = randDate(r, today.AddDays(-60), 200)
		}
		dec, err := Check(p, req)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Allowed && (dec.NewExpiry.IsZero() || dec.NewExpiry.After(req.CardExpiry)) {
			t.Fatalf("%+v: new expiry %s vs card %s", req, dec.NewExpiry, req.CardExpiry)
		}
		if !dec.Allowed && !dec.NewExpiry.IsZero() {
			t.Fatalf("%+v: refused but new expiry %s", req, dec.NewExpiry)
		}
	}
}
