package vcard

import "time"

// jst is Japan Standard Time; a fixed zone so that no tz database is needed
// (Windows terminals may lack one).
var jst = time.FixedZone("JST", 9*60*60)

// dateOf returns the civil date of t in Japan, at midnight JST.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(jst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, jst)
}

// birthdayIn returns the birthday of someone born on birth in the given
// year; 29 February falls on 28 February in non-leap years.
func birthdayIn(birth time.Time, year int) time.Time {
	m, d := birth.Month(), birth.Day()
	if m == time.February && d == 29 && !isLeap(year) {
		d = 28
	}
	return time.Date(year, m, d, 0, 0, 0, 0, jst)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// nthBirthdayAfter returns the nth birthday strictly after the date from.
func nthBirthdayAfter(birth, from time.Time, n int) time.Time {
	y := from.Year()
	if !birthdayIn(birth, y).After(from) {
		y++
	}
	return birthdayIn(birth, y+n-1)
}

// ageOn returns the age in whole years on a date (reached on the birthday).
func ageOn(birth, on time.Time) int {
	age := on.Year() - birth.Year()
	if on.Before(birthdayIn(birth, on.Year())) {
		age--
	}
	return age
}

// cardExpiry is the expiry date of a My Number card issued on a date: the
// 10th birthday after issue for holders of 18 or more, the 5th otherwise.
func cardExpiry(birth, issue time.Time) time.Time {
	if ageOn(birth, issue) >= 18 {
		return nthBirthdayAfter(birth, issue, 10)
	}
	return nthBirthdayAfter(birth, issue, 5)
}

// certExpiry is the product rule for a newly issued certificate: the 5th
// birthday after the issue date, never beyond the card's expiry.
func certExpiry(birth, issue, card time.Time) time.Time {
	e := nthBirthdayAfter(birth, issue, 5)
	if card.Before(e) {
		return card
	}
	return e
}

// eraDigit is the Japanese era code of a date as used in the birth date
// of the signature certificate: 1 Meiji, 2 Taishō, 3 Shōwa, 4 Heisei, 5 Reiwa.
func eraDigit(d time.Time) byte {
	ymd := d.Year()*10000 + int(d.Month())*100 + d.Day()
	switch {
	case ymd >= 20190501:
		return '5'
	case ymd >= 19890108:
		return '4'
	case ymd >= 19261225:
		return '3'
	case ymd >= 19120730:
		return '2'
	}
	return '1'
}

// noLeapDay moves 29 February to the 28th so that a derived birth date
// exists in every year.
func noLeapDay(d time.Time) time.Time {
	if d.Month() == time.February && d.Day() == 29 {
		return d.AddDate(0, 0, -1)
	}
	return d
}
