package policy

import "sort"

//go:generate go run ./internal/holidaygen -version 2.5.1 -out holidays_data.go

// holidayEntry is one public holiday: date as YYYYMMDD, names.
type holidayEntry struct {
	date   int
	name   string
	nameEN string
}

// Holiday is a Japanese public holiday (国民の祝日, 振替休日 or 国民の休日).
type Holiday struct {
	Date Date
	Name Text
}

func dateKey(d Date) int { return d.y*10000 + int(d.m)*100 + d.d }

// HolidayOn returns the public holiday on d, if any. The data come from the
// @holiday-jp/holiday_jp data set (see HolidaySource) and cover HolidayRange.
func HolidayOn(d Date) (Holiday, bool) {
	k := dateKey(d)
	i := sort.Search(len(holidayTable), func(i int) bool { return holidayTable[i].date >= k })
	if i < len(holidayTable) && holidayTable[i].date == k {
		e := holidayTable[i]
		return Holiday{Date: d, Name: Text{JA: e.name, EN: e.nameEN}}, true
	}
	return Holiday{}, false
}

// HolidayRange returns the first and last day the holiday data cover
// (1 January of the first year to 31 December of the last).
func HolidayRange() (first, last Date) {
	return Date{holidayTable[0].date / 10000, 1, 1},
		Date{holidayTable[len(holidayTable)-1].date / 10000, 12, 31}
}

// HolidaySource names the holiday data set and version, e.g.
// "@holiday-jp/holiday_jp@2.5.1".
func HolidaySource() string { return holidaySource }
