package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// runCLI runs kioskctl in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(&env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func TestDispatchAndExitCodes(t *testing.T) {
	register(command{name: "zz-test ok", run: func(e *env, args []string) error {
		fs := newFlags(e, "zz-test ok")
		asJSON := fs.Bool("json", false, "")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *asJSON {
			writeJSON(e.stdout, map[string]int{"n": 1})
		}
		return nil
	}})
	register(command{name: "zz-test refuse", run: func(e *env, args []string) error {
		return refuse(len(args) > 0, "NO_CARD", "no card in reader %s", "R")
	}})
	register(command{name: "zz-test fail", run: func(e *env, args []string) error {
		return errors.New("boom")
	}})
	defer func() {
		delete(commands, "zz-test ok")
		delete(commands, "zz-test refuse")
		delete(commands, "zz-test fail")
	}()

	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"zz-test", "ok", "--json"}, exitOK, `"n": 1`, ""},
		{[]string{"zz-test", "ok", "-json"}, exitOK, `"n": 1`, ""},
		{[]string{"zz-test", "ok", "--bogus"}, exitUsage, "", "bogus"},
		{[]string{"zz-test", "ok", "stray"}, exitUsage, "", "unexpected argument"},
		{[]string{"zz-test", "refuse", "--json"}, exitRefused, `"error": "NO_CARD"`, ""},
		{[]string{"zz-test", "refuse"}, exitRefused, "", "NO_CARD: no card in reader R"},
		{[]string{"zz-test", "fail"}, exitRefused, "", "FAILED: boom"},
		{[]string{"no-such-command"}, exitUsage, "", "unknown command"},
		{nil, exitUsage, "", "usage: kioskctl"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.inStdout) || !strings.Contains(errOut, tt.inStderr) {
			t.Errorf("kioskctl %v = %d, stdout %q, stderr %q; want %d with %q / %q",
				tt.args, code, out, errOut, tt.code, tt.inStdout, tt.inStderr)
		}
	}
}

func TestRefusalJSONShape(t *testing.T) {
	var out bytes.Buffer
	code := report(&env{stdout: &out, stderr: &out}, &refusal{Code: "PIN_INCORRECT", Message: "wrong PIN", Details: map[string]int{"retries": 2}, JSON: true})
	if code != exitRefused {
		t.Fatalf("exit %d", code)
	}
	var obj map[string]any
	if err := json.Unmarshal(out.Bytes(), &obj); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out.String())
	}
	if obj["error"] != "PIN_INCORRECT" || obj["message"] != "wrong PIN" || obj["details"].(map[string]any)["retries"] != 2.0 {
		t.Errorf("error object = %v", obj)
	}
}
