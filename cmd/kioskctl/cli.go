package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
)

// usageError is bad usage: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef reports bad usage (exit code 2).
func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// refusal is a refused request: exit code 1 with an error object.
type refusal struct {
	Code    string // upper-case snake case, e.g. NO_CARD, PIN_INCORRECT
	Message string // one line for people
	Details any    // optional extra fields for the JSON object
	JSON    bool   // print the object as JSON on stdout
}

func (r *refusal) Error() string { return r.Code + ": " + r.Message }

// refuse builds a refusal; pass the command's --json flag as asJSON.
func refuse(asJSON bool, code, format string, a ...any) error {
	return &refusal{Code: code, Message: fmt.Sprintf(format, a...), JSON: asJSON}
}

// errorObject is the JSON printed on a refused request:
// {"error":"CODE","message":"...","details":{...}}.
type errorObject struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

// writeJSON prints v as indented JSON with a trailing newline.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// newFlags makes a flag set that reports errors instead of exiting; parse
// with parseFlags so that bad flags become exit code 2.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("kioskctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args and rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
