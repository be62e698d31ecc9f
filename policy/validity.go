package policy

import "time"

// BirthdayIn returns the birthday of a person born on dob in year y. A person
// born on 29 February has the birthday on 28 February in non-leap years
// (DESIGN.md §3).
func BirthdayIn(dob Date, y int) Date {
	if dob.m == time.February && dob.d == 29 && !isLeap(y) {
		return Date{y, time.February, 28}
	}
	return Date{y, dob.m, dob.d}
}

// IsBirthday reports whether d is a birthday of a person born on dob
// (the birth date itself is not a birthday).
func IsBirthday(dob, d Date) bool {
	return d.After(dob) && BirthdayIn(dob, d.y) == d
}

// NthBirthdayAfter returns the n-th birthday (n ≥ 1) strictly after day, for
// a person born on dob: 有効期限 "発行日から5回目の誕生日まで" counts the
// birthdays after the issue date, so a certificate issued on a birthday
// does not count that day.
func NthBirthdayAfter(dob, day Date, n int) Date {
	first := BirthdayIn(dob, day.y)
	if !first.After(day) {
		first = BirthdayIn(dob, day.y+1)
	}
	return BirthdayIn(dob, first.y+n-1)
}

// AgeOn returns the age in whole years on day, the birthday counting from the
// day itself (15歳の誕生日を迎え). Legally (年齢計算ニ関スル法律, 民法143条) an
// age is reached at the end of the day before the birthday, so on no whole day
// before the birthday is the person older: both readings agree for a
// day-based check. For 29 February births the birthday is 28 February in
// non-leap years (DESIGN.md §3), see docs/RULES.md.
func AgeOn(dob, day Date) int {
	if day.Before(dob) {
		return 0
	}
	age := day.y - dob.y
	if day.Before(BirthdayIn(dob, day.y)) {
		age--
	}
	return age
}

// RenewalOpens returns the first day a certificate expiring on expiry may be
// renewed: the same day of the month three months earlier, or the last day
// of that month when it has no such day (有効期間満了の3か月前から更新可能).
func RenewalOpens(expiry Date) Date {
	y, m := expiry.y, expiry.m-3
	if m < 1 {
		m += 12
		y--
	}
	return Date{y, m, min(expiry.d, daysIn(y, m))}
}

// NewExpiry returns the expiry of a certificate issued on issue for a person
// born on dob: the 5th birthday after the issue date, or the 6th when it
// replaces a certificate before that one expires (有効期間満了前に更新を行った
// 場合は…6回目の誕生日まで): issue strictly before currentExpiry and
// currentExpiry a birthday. currentExpiry may be zero (none). The result is
// never after cardExpiry (when given); capped reports whether it was cut.
func NewExpiry(dob, issue, currentExpiry, cardExpiry Date) (expiry Date, sixth, capped bool) {
	n := 5
	if !currentExpiry.IsZero() && issue.Before(currentExpiry) && IsBirthday(dob, currentExpiry) {
		n, sixth = 6, true
	}
	expiry = NthBirthdayAfter(dob, issue, n)
	if !cardExpiry.IsZero() && cardExpiry.Before(expiry) {
		return cardExpiry, sixth, true
	}
	return expiry, sixth, false
}
