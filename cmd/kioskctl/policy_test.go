package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// policyJSON runs kioskctl with --json and decodes stdout into a generic map,
// so that the tests see the exact field names and nulls of the contract.
func policyJSON(t *testing.T, args ...string) (int, map[string]any) {
	t.Helper()
	code, out, errOut := runCLI(t, "", append(args, "--json")...)
	var obj map[string]any
	if out != "" {
		if err := json.Unmarshal([]byte(out), &obj); err != nil {
			t.Fatalf("kioskctl %v: stdout not JSON: %v\n%s", args, err, out)
		}
	}
	if code == exitUsage && errOut == "" {
		t.Errorf("kioskctl %v: usage error without a message", args)
	}
	return code, obj
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestPolicyCheckCLI(t *testing.T) {
	base := []string{"policy", "check", "--profile", "moriya", "--today", "2026-04-01", "--dob", "1980-06-15"}
	for _, c := range []struct {
		src  string
		args []string
		want map[string]any // exact JSON after decoding (numbers are float64, null is nil)
	}{
		{"000 有効期間満了前に更新…6回目の誕生日まで",
			[]string{"--cert", "sign", "--purpose", "renew", "--cert-expiry", "2026-06-15"},
			map[string]any{"allowed": true, "route": "approval", "reasons": []any{"APPROVAL_REQUIRED", "RENEWED_BEFORE_EXPIRY"},
				"new_expiry": "2031-06-15", "renewal_opens": "2026-03-15", "fee_yen": 0.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD", "EXPIRY_NOTICE"}}},
		{"000 有効期間満了の3か月前から更新可能 (not yet: exit 0, allowed false)",
			[]string{"--cert", "auth", "--purpose", "renew", "--cert-expiry", "2026-09-15"},
			map[string]any{"allowed": false, "route": "approval", "reasons": []any{"NOT_YET_RENEWABLE"},
				"new_expiry": nil, "renewal_opens": "2026-06-15", "fee_yen": 0.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD", "EXPIRY_NOTICE"}}},
		{"000 紛失等本人の責による…200円",
			[]string{"--cert", "auth", "--purpose", "reissue-lost"},
			map[string]any{"allowed": true, "route": "counter", "reasons": []any{"STAFF_REQUIRED", "CARD_REISSUE_FEE_SEPARATE"},
				"new_expiry": "2030-06-15", "renewal_opens": nil, "fee_yen": 200.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD", "ISSUE_FEE_200"}}},
		{"000 代理人による申請は2回来庁が必要",
			[]string{"--cert", "auth", "--purpose", "new", "--applicant", "proxy"},
			map[string]any{"allowed": true, "route": "counter", "reasons": []any{"STAFF_REQUIRED", "PROXY_TWO_VISITS", "PROXY_CONTACT_OFFICE", "EXPIRY_SET_AT_ISSUE"},
				"new_expiry": nil, "renewal_opens": nil, "fee_yen": 0.0, "visits": 2.0,
				"documents": []any{"MYNUMBER_CARD", "PROXY_ID_PHOTO_OR_TWO", "INQUIRY_REPLY"}}},
		{"000 15歳未満および成年被後見人は原則不可",
			[]string{"--cert", "sign", "--purpose", "new", "--adult-ward", "--applicant", "legal-rep"},
			map[string]any{"allowed": false, "route": "counter", "reasons": []any{"ADULT_WARD"},
				"new_expiry": nil, "renewal_opens": nil, "fee_yen": 0.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD", "HOLDER_IN_PERSON", "LEGAL_REP_PHOTO_ID", "PROOF_OF_AUTHORITY"}}},
		{"DESIGN §1 PIN change: self",
			[]string{"--cert", "auth", "--purpose", "pin-change", "--card-expiry", "2030-06-15"},
			map[string]any{"allowed": true, "route": "self", "reasons": []any{},
				"new_expiry": nil, "renewal_opens": nil, "fee_yen": 0.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD"}}},
		{"DESIGN §3 never beyond the card's own expiry date",
			[]string{"--cert", "auth", "--purpose", "new", "--card-expiry", "2028-01-01"},
			map[string]any{"allowed": true, "route": "approval", "reasons": []any{"APPROVAL_REQUIRED", "CARD_EXPIRES_FIRST"},
				"new_expiry": "2028-01-01", "renewal_opens": nil, "fee_yen": 0.0, "visits": 1.0,
				"documents": []any{"MYNUMBER_CARD"}}},
	} {
		code, got := policyJSON(t, append(slices.Clone(base), c.args...)...)
		if code != exitOK || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: exit %d\n got %v\nwant %v", c.src, code, got, c.want)
		}
	}
}

func TestPolicyCheckCLIErrors(t *testing.T) {
	ok := []string{"policy", "check", "--profile", "moriya", "--today", "2026-04-01", "--dob", "1980-06-15", "--cert", "auth", "--purpose", "new"}
	with := func(flag, val string) []string {
		args := slices.Clone(ok)
		i := slices.Index(args, flag)
		if val == "" { // drop the flag
			return append(args[:i], args[i+2:]...)
		}
		args[i+1] = val
		return args
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		err  string // error code in the JSON object for exit 1
	}{
		{"ok", ok, exitOK, ""},
		{"missing --today", with("--today", ""), exitUsage, ""},
		{"missing --cert", with("--cert", ""), exitUsage, ""},
		{"missing --profile", with("--profile", ""), exitUsage, ""},
		{"bad date", with("--dob", "1980-6-15"), exitUsage, ""},
		{"impossible date", with("--today", "2026-02-30"), exitUsage, ""},
		{"unknown cert", with("--cert", "both"), exitUsage, ""},
		{"unknown purpose", with("--purpose", "update"), exitUsage, ""},
		{"unknown applicant", append(slices.Clone(ok), "--applicant", "friend"), exitUsage, ""},
		{"renew without --cert-expiry", with("--purpose", "renew"), exitUsage, ""},
		{"bad --card-expiry", append(slices.Clone(ok), "--card-expiry", "soon"), exitUsage, ""},
		{"born after today", with("--dob", "2027-01-01"), exitUsage, ""},
		{"today out of range", with("--today", "9999-12-31"), exitUsage, ""},
		{"year zero", with("--dob", "0000-01-01"), exitUsage, ""},
		{"cert expiry out of range", append(slices.Clone(ok), "--cert-expiry", "0000-01-01"), exitUsage, ""},
		{"unknown profile", with("--profile", "tokyo"), exitRefused, "UNKNOWN_PROFILE"},
		{"unreadable file", with("--profile", filepath.Join(t.TempDir(), "none.toml")), exitRefused, "PROFILE_UNREADABLE"},
		{"endless file", with("--profile", "/dev/zero"), exitRefused, "PROFILE_INVALID"},
	} {
		code, obj := policyJSON(t, c.args...)
		if code != c.code || (c.err != "" && obj["error"] != c.err) {
			t.Errorf("%s: exit %d %v, want %d %s", c.name, code, obj, c.code, c.err)
		}
	}
}

func TestPolicyProfileFile(t *testing.T) {
	data, err := os.ReadFile("../../assets/profiles/kakamigahara.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	own := filepath.Join(dir, "mycity.toml")
	// A municipality's own file: Kakamigahara's rules with the approval step dropped.
	if err := os.WriteFile(own, []byte(strings.Replace(string(data), "approval_required = true", "approval_required = false", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, got := policyJSON(t, "policy", "check", "--profile", own, "--today", "2026-04-01", "--dob", "1980-06-15", "--cert", "auth", "--purpose", "new")
	if code != exitOK || got["route"] != "self" || len(got["reasons"].([]any)) != 0 {
		t.Errorf("own profile: exit %d %v", code, got)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), `"08:30-17:00"`, `"17:00-08:30"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, got = policyJSON(t, "policy", "hours", "--profile", bad, "--at", "2026-11-24T10:00")
	if code != exitRefused || got["error"] != "PROFILE_INVALID" || !strings.Contains(got["message"].(string), "line ") ||
		!strings.Contains(got["message"].(string), "reception.windows") {
		t.Errorf("bad profile: exit %d %v", code, got)
	}
}

func TestPolicyHoursCLI(t *testing.T) {
	for _, c := range []struct {
		src, profile, at string
		want             map[string]any
	}{
		{"000 午前9時から午前11時45分", "moriya", "2026-11-24T11:44", map[string]any{"open": true, "reason": nil, "next_open": nil}},
		{"000 午前11時45分 (half-open)", "moriya", "2026-11-24T11:45", map[string]any{"open": false, "reason": "OUTSIDE_HOURS", "next_open": "2026-11-24T13:00"}},
		{"000 毎月第3土曜日に続く日曜日", "moriya", "2026-11-22T10:00", map[string]any{"open": false, "reason": "MAINTENANCE_SUNDAY", "next_open": "2026-11-24T09:00"}},
		{"001 祝日…を除く (勤労感謝の日)", "kakamigahara", "2026-11-23T10:00", map[string]any{"open": false, "reason": "HOLIDAY", "next_open": "2026-11-24T08:30"}},
		{"001 12月29日~1月3日を除く", "kakamigahara", "2026-12-30T09:00", map[string]any{"open": false, "reason": "YEAR_END_CLOSURE", "next_open": "2027-01-04T08:30"}},
		{"RULES.md no data after 2050", "kakamigahara", "2051-06-01T10:00", map[string]any{"open": false, "reason": "CALENDAR_UNKNOWN", "next_open": nil}},
	} {
		code, got := policyJSON(t, "policy", "hours", "--profile", c.profile, "--at", c.at)
		if code != exitOK || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: exit %d got %v want %v", c.src, code, got, c.want)
		}
	}
	for _, args := range [][]string{
		{"policy", "hours", "--profile", "moriya"},
		{"policy", "hours", "--at", "2026-11-24T10:00"},
		{"policy", "hours", "--profile", "moriya", "--at", "2026-11-24 10:00"},
		{"policy", "hours", "--profile", "moriya", "--at", "2026-11-24T10:00:00"},
		{"policy", "hours", "--profile", "moriya", "--at", "2026-11-24T25:00"},
	} {
		if code, _ := policyJSON(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, obj := policyJSON(t, "policy", "hours", "--profile", "nowhere", "--at", "2026-11-24T10:00"); code != exitRefused || obj["error"] != "UNKNOWN_PROFILE" {
		t.Errorf("unknown profile: %d %v", code, obj)
	}
}

func TestPolicyHumanOutput(t *testing.T) {
	code, out, _ := runCLI(t, "", "policy", "check", "--profile", "kakamigahara", "--today", "2026-07-01", "--dob", "2015-01-01",
		"--cert", "auth", "--purpose", "new", "--applicant", "legal-rep")
	for _, want := range []string{"各務原市", "可 / allowed", "2031-01-01", "STAFF_REQUIRED", "代理権を証する書類", "Proof of authority", "戸籍謄本の提示は不要"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("check summary lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	code, out, _ = runCLI(t, "", "policy", "hours", "--profile", "moriya", "--at", "2026-11-21T10:00")
	for _, want := range []string{"守谷市", "CLOSED_DAY", "2026-11-24 09:00"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("hours summary lacks %q:\n%s", want, out)
		}
	}
}
