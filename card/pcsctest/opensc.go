//go:build linux

package pcsctest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// OpenSCModule is OpenSC's PKCS#11 module (the Debian and Ubuntu path).
const OpenSCModule = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

// openSCConf restricts OpenSC to its JPKI driver, so that no other driver
// probes the card, and keeps its cache out of the home directory.
const openSCConf = `app default {
	debug = 0;
	card_drivers = jpki;
	framework pkcs15 {
		use_file_caching = no;
	}
}
`

// OpenSCEnv writes that OpenSC configuration into dir and returns the
// environment that makes OpenSC's tools use it (OPENSC_CONF, and dir as
// HOME), for RunTool.
func OpenSCEnv(t testing.TB, dir string) []string {
	t.Helper()
	conf := filepath.Join(dir, "opensc.conf")
	if err := os.WriteFile(conf, []byte(openSCConf), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"OPENSC_CONF=" + conf, "HOME=" + dir}
}

// RunTool runs a tool with env added to the environment, for at most a
// minute, and returns its combined output; a failure fails the test.
func RunTool(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
