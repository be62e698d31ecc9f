//go:build !windows

package printer

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// LP is the lp command CUPS jobs go through (tests replace it).
var LP = "lp"

// CUPS is a CUPS queue set up for raw data: the job is sent with
// `lp [-d QUEUE] -o raw`. An empty Queue is the default destination.
type CUPS struct{ Queue string }

// Print implements Printer.
func (p *CUPS) Print(ctx context.Context, job []byte) error {
	args := []string{"-s", "-o", "raw"}
	if p.Queue != "" {
		args = append([]string{"-d", p.Queue}, args...)
	}
	cmd := exec.CommandContext(ctx, LP, args...)
	cmd.Stdin = bytes.NewReader(job)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return &Fault{Code: FaultOffline, Err: fmt.Errorf("lp: %w: %s", err, strings.TrimSpace(errb.String()))}
	}
	return nil
}

// spooler is the system default queue; on Linux and macOS that is CUPS.
func spooler(name string) (Printer, error) {
	if name != "" {
		return nil, &Fault{Code: FaultNotPrinting, Err: fmt.Errorf("spool:%s: the Windows spooler exists only on Windows (use cups:%s)", name, name)}
	}
	return &CUPS{}, nil
}
