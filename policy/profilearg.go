package policy

import "strings"

// ProfileArg tells what a profile argument (-profile, --profile) names: a
// TOML file when it ends in .toml or holds a path separator (/ or \), else
// an embedded profile (LoadProfile). For a file, name is its base name
// without .toml, the profile's ID for ParseProfile; the caller reads the
// file.
func ProfileArg(arg string) (name string, isFile bool) {
	if !strings.HasSuffix(arg, ".toml") && !strings.ContainsAny(arg, `/\`) {
		return arg, false
	}
	return strings.TrimSuffix(arg[strings.LastIndexAny(arg, `/\`)+1:], ".toml"), true
}
