package policy

import "time"

// nextOpenSearchDays bounds the look-ahead of Hours for the next opening.
const nextOpenSearchDays = 60

// Hours tells whether profile p's window takes My Number card work at the
// instant at (read in JST). When closed, reason says why and next is the
// next opening within 60 days (zero when none is found); when open, reason
// is "" and next is zero. Windows are half-open: 09:00-11:45 takes 09:00
// up to, not including, 11:45.
func Hours(p *Profile, at time.Time) (open bool, reason Reason, next time.Time) {
	at = at.In(JST)
	day := DateOf(at)
	reason = p.ClosedOn(day)
	if reason == "" {
		sec := at.Hour()*3600 + at.Minute()*60 + at.Second()
		reason = OutsideHours
		for _, w := range p.reception.windows {
			if w.start*60 <= sec && sec < w.end*60 {
				return true, "", time.Time{}
			}
		}
	}
	for i := 0; i <= nextOpenSearchDays; i++ {
		d := day.AddDays(i)
		if p.ClosedOn(d) != "" {
			continue
		}
		for _, w := range p.reception.windows {
			if t := d.At(w.start/60, w.start%60); t.After(at) {
				return false, reason, t
			}
		}
	}
	return false, reason, time.Time{}
}

// ClosedOn returns why the window is closed all day on d, or "" when d is a
// reception day. Order: a profile closure, the year-end closure, a public
// holiday, a weekday not served, the maintenance Sunday.
func (p *Profile) ClosedOn(d Date) Reason {
	first, last := HolidayRange()
	rc := &p.reception
	switch {
	case rc.closures[d]:
		return ProfileClosure
	case rc.inYearEnd(d):
		return YearEndClosure
	case d.Before(first) || d.After(last):
		return CalendarUnknown
	}
	if _, ok := HolidayOn(d); ok && rc.closedOnHolidays {
		return PublicHoliday
	}
	if !rc.weekdays[d.Weekday()] {
		return ClosedDay
	}
	if IsMaintenanceSunday(d) {
		return MaintenanceSunday
	}
	return ""
}

func (rc *reception) inYearEnd(d Date) bool {
	if rc.yearEnd == nil {
		return false
	}
	from, to, md := rc.yearEnd[0], rc.yearEnd[1], monthDay{d.m, d.d}
	if to.before(from) { // wraps the new year: 12-29 … 01-03
		return !md.before(from) || !to.before(md)
	}
	return !md.before(from) && !to.before(md)
}

// IsMaintenanceSunday reports whether d is the Sunday after the third
// Saturday of its month, when no My Number card work is done nationwide
// (毎月第3土曜日に続く日曜日は、全国的なシステムメンテナンス作業). The third
// Saturday falls on the 15th–21st, so that Sunday is the 16th–22nd of the
// same month.
func IsMaintenanceSunday(d Date) bool {
	if d.Weekday() != time.Sunday {
		return false
	}
	sat := d.AddDays(-1)
	return sat.m == d.m && sat.d >= 15 && sat.d <= 21
}
