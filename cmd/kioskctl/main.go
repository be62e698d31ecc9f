// Command kioskctl is the command-line tool for staff, operators and tests:
// card status, PIN checks, policy answers, the virtual card, and the audit log.
//
// The contract (DESIGN.md section 6): JSON with --json, exit code 0 on success,
// 1 on a refused request (with a JSON error object), 2 on bad usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Exit codes of the command-line contract.
const (
	exitOK      = 0
	exitRefused = 1
	exitUsage   = 2
)

// command is one kioskctl sub-command, named by one or two words ("readers",
// "card status"). Each command file registers its commands in an init function.
type command struct {
	name    string
	summary string
	run     func(env *env, args []string) error
}

var commands = map[string]command{}

// register adds a command; a duplicate name is a programming error.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("kioskctl: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// env is what a command gets from the process: its streams.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func main() {
	os.Exit(run(&env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:]))
}

// run finds the command named by the leading words of args, runs it and maps
// its error to an exit code.
func run(e *env, args []string) int {
	cmd, rest, ok := lookup(args)
	if !ok {
		usage(e.stderr, args)
		return exitUsage
	}
	err := cmd.run(e, rest)
	return report(e, err)
}

// lookup matches the longest registered command name at the start of args.
func lookup(args []string) (command, []string, bool) {
	for n := min(2, len(args)); n >= 1; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:], true
		}
	}
	return command{}, nil, false
}

func usage(w io.Writer, args []string) {
	if len(args) > 0 && args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
		fmt.Fprintf(w, "kioskctl: unknown command %q\n\n", strings.Join(args, " "))
	}
	fmt.Fprintln(w, "usage: kioskctl COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
}

// report turns a command's error into the contract's exit code, writing the
// error object (JSON when the command was asked for JSON) to the right stream.
func report(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "kioskctl: %v\n", ue.msg)
		return exitUsage
	}
	var re *refusal
	if !errors.As(err, &re) {
		re = &refusal{Code: "FAILED", Message: err.Error()}
	}
	if re.JSON {
		writeJSON(e.stdout, errorObject{Error: re.Code, Message: re.Message, Details: re.Details})
	} else {
		fmt.Fprintf(e.stderr, "kioskctl: %s: %s\n", re.Code, re.Message)
	}
	return exitRefused
}
