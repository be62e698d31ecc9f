package policy

import "testing"

func TestProfileArg(t *testing.T) {
	for _, tc := range []struct {
		arg, name string
		file      bool
	}{
		{"kakamigahara", "kakamigahara", false},
		{"kakamigahara.toml", "kakamigahara", true},
		{"/etc/kiosk/gifu.toml", "gifu", true},
		{`C:\kiosk\gifu.toml`, "gifu", true},
		{"./local", "local", true},
		{"dir/", "", true},
	} {
		name, file := ProfileArg(tc.arg)
		if name != tc.name || file != tc.file {
			t.Errorf("ProfileArg(%q) = %q, %v; want %q, %v", tc.arg, name, file, tc.name, tc.file)
		}
	}
}
