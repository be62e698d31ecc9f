//go:build !windows

package main

import "os"

// openSink: off Windows, operational messages go to stderr (journald or
// the terminal).
func openSink() opSink { return stderrSink{os.Stderr} }
