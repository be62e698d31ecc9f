package main

import (
	"strings"
	"testing"
)

const sample = `"use strict";
const holidays = {
    "2026-09-22": {
        date: "2026-09-22",
        week: "火",
        week_en: "Tuesday",
        name: "休日",
        name_en: "Citizen's Holiday"
    },
    "2026-11-23": {
        date: "2026-11-23",
        week: "月",
        week_en: "Monday",
        name: "勤労感謝の日",
        name_en: "Labor Thanksgiving Day"
    }
};
`

func TestRender(t *testing.T) {
	src, err := render([]byte(sample), "@holiday-jp/holiday_jp@2.5.1", "sha512-x", "MIT")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{20260922, "休日", "Citizen's Holiday"}`, `{20261123, "勤労感謝の日", "Labor Thanksgiving Day"}`,
		`holidaySource = "@holiday-jp/holiday_jp@2.5.1"`, "DO NOT EDIT"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("output lacks %s:\n%s", want, src)
		}
	}
	// A layout change (an extra field) must fail loudly, not drop holidays.
	changed := strings.Replace(sample, `name_en: "Citizen's Holiday"`, `name_en: "Citizen's Holiday",
        kind: "citizen"`, 1)
	if _, err := render([]byte(changed), "x", "y", "MIT"); err == nil {
		t.Error("a holiday the pattern cannot read was dropped silently")
	}
	unsorted := strings.Replace(sample, "2026-09-22", "2027-09-22", 2)
	if _, err := render([]byte(unsorted), "x", "y", "MIT"); err == nil {
		t.Error("unsorted data accepted")
	}
}
