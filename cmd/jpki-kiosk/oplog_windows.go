//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows/svc/eventlog"
)

// eventSink writes to the Windows Event Log (Application log, source "JPKI
// Kiosk", registered by the installer with EventCreate.exe as its message
// file, so each message shows as written).
type eventSink struct{ l *eventlog.Log }

// openSink opens the Event Log source; without it (not installed, no
// rights) messages go to stderr.
func openSink() opSink {
	l, err := eventlog.Open(opSourceName)
	if err != nil {
		return stderrSink{os.Stderr}
	}
	return eventSink{l}
}

func (s eventSink) write(sev severity, id uint32, msg string) error {
	switch sev {
	case sevWarning:
		return s.l.Warning(id, msg)
	case sevError:
		return s.l.Error(id, msg)
	}
	return s.l.Info(id, msg)
}

func (s eventSink) close() error { return s.l.Close() }
