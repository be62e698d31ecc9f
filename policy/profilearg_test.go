package policy

import "testing"

// TestProfileArg: a name without a separator or .toml is embedded; anything
// else is a file whose base name without .toml is the profile's ID.
func TestProfileArg(t *testing.T) {
	files := map[string]string{
		"kakamigahara.toml":    "kakamigahara",
		"/etc/kiosk/gifu.toml": "gifu",
		`C:\kiosk\gifu.toml`:   "gifu",
		"./local":              "local",
		"dir/":                 "",
	}
	for arg, want := range files {
		if name, isFile := ProfileArg(arg); name != want || !isFile {
			t.Errorf("ProfileArg(%q) = %q, %v; want %q, a file", arg, name, isFile, want)
		}
	}
	if name, isFile := ProfileArg("kakamigahara"); name != "kakamigahara" || isFile {
		t.Errorf("ProfileArg(kakamigahara) = %q, %v; want the embedded profile", name, isFile)
	}
}
