//go:build linux

// Package pcsctest runs the real PC/SC stack for tests: pcscd with the vpcd
// driver, and virtual cards (card/vcard) served to it from the test process.
//
// There is one pcscd per machine (one socket, one vpcd port), while `go test
// ./...` runs packages in parallel: Start takes an exclusive file lock
// (LockPath) that it holds until the test ends, so users queue up. pcscd is
// started and stopped by PID; a pcscd left behind by an earlier, crashed run
// of this harness (its PID is kept in PIDPath) is killed first.
//
// Typical use:
//
//	d := pcsctest.Start(t)                 // skips if pcscd is not installed
//	card := persona.NewCard(vcard.Options{})
//	reader := d.Insert(t, card)            // served in-process; waits until pcscd sees it
//	... use reader through PC/SC ...
//	d.Restart(t)                           // pcscd killed and started again
package pcsctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// Paths and names of the local PC/SC stack (Debian pcscd, vsmartcard-vpcd).
const (
	PCSCDPath    = "/usr/sbin/pcscd"
	VPCDConfig   = "/etc/reader.conf.d/vpcd"
	SocketPath   = "/run/pcscd/pcscd.comm"
	LockPath     = "/tmp/jpki-kiosk-pcscd.lock"
	PIDPath      = "/tmp/jpki-kiosk-pcscd.pid"
	ReaderPrefix = "Virtual PCD" // vpcd's readers are "Virtual PCD 00 00", "Virtual PCD 00 01"
	VPCDAddr     = vcard.DefaultVPCDAddr
	// EnvRequire makes missing tools a failure instead of a skip (set by scripts/test.sh).
	EnvRequire = "KIOSK_REQUIRE_INTEGRATION"
)

// Timeouts.
const (
	lockWait  = 10 * time.Minute // other packages' integration tests may run first
	readyWait = 15 * time.Second
	stopWait  = 5 * time.Second
)

// Require skips the test (or fails it when KIOSK_REQUIRE_INTEGRATION=1)
// unless every named program or file is installed; names without a slash
// are looked up in PATH, others must exist.
func Require(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		var err error
		if strings.Contains(p, "/") {
			_, err = os.Stat(p)
		} else {
			_, err = exec.LookPath(p)
		}
		if err != nil {
			missing(t, "%s not installed: %v", p, err)
		}
	}
}

// missing reports a missing tool: t.Skip normally, t.Fatal in CI.
func missing(t testing.TB, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s (%s=1: integration tests are required)", msg, EnvRequire)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, EnvRequire)
}

// Daemon is a pcscd run by the harness, holding the machine-wide lock.
type Daemon struct {
	mu   sync.Mutex
	t    testing.TB
	lock *os.File
	cmd  *exec.Cmd
	exit chan struct{}
	out  *syncBuffer
}

// Start takes the lock, kills a pcscd this harness left behind, starts
// `pcscd --foreground` and waits until its socket answers. Everything is
// undone when the test ends; pcscd's output is logged if the test failed.
func Start(t testing.TB) *Daemon {
	t.Helper()
	Require(t, PCSCDPath)
	if _, err := os.Stat(VPCDConfig); err != nil {
		missing(t, "vpcd driver not configured: %v", err)
	}
	d := &Daemon{t: t, out: &syncBuffer{}}
	lock, err := acquireLock(LockPath, lockWait)
	if err != nil {
		t.Fatalf("pcsctest: %v", err)
	}
	d.lock = lock
	t.Cleanup(d.release)
	killStray(t)
	if err := d.start(); err != nil {
		t.Fatalf("pcsctest: %v\npcscd output:\n%s", err, d.out.String())
	}
	return d
}

// acquireLock takes an exclusive flock on path, polling until wait has passed.
func acquireLock(path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("pcscd lock %s still held after %v", path, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killStray stops a pcscd whose PID the harness recorded, if it still runs.
func killStray(t testing.TB) {
	b, err := os.ReadFile(PIDPath)
	if err != nil {
		return
	}
	os.Remove(PIDPath)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 || !isPCSCD(pid) {
		return
	}
	t.Logf("pcsctest: stopping pcscd %d left by an earlier run", pid)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(stopWait)
	for isPCSCD(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if isPCSCD(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// isPCSCD reports whether pid is a live (not zombie) pcscd.
func isPCSCD(pid int) bool {
	comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil || strings.TrimSpace(string(comm)) != "pcscd" {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// state follows the parenthesised command name
	i := bytes.LastIndexByte(st, ')')
	return i < 0 || i+2 >= len(st) || st[i+2] != 'Z'
}

// start runs pcscd and waits for its socket.
func (d *Daemon) start() error {
	cmd := exec.Command(PCSCDPath, "--foreground", "--error")
	cmd.Stdout, cmd.Stderr = d.out, d.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting pcscd: %w", err)
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	_ = os.WriteFile(PIDPath, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	d.mu.Lock()
	d.cmd, d.exit = cmd, exit
	d.mu.Unlock()
	deadline := time.Now().Add(readyWait)
	for {
		select {
		case <-exit:
			return fmt.Errorf("pcscd exited at start (another pcscd running?): %v", cmd.ProcessState)
		default:
		}
		if c, err := net.DialTimeout("unix", SocketPath, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return fmt.Errorf("pcscd socket %s not ready after %v", SocketPath, readyWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PID returns the running pcscd's process id, 0 if stopped.
func (d *Daemon) PID() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// stop ends pcscd by PID: SIGTERM, then SIGKILL after a grace period.
func (d *Daemon) stop() {
	d.mu.Lock()
	cmd, exit := d.cmd, d.exit
	d.cmd, d.exit = nil, nil
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exit:
	case <-time.After(stopWait):
		_ = cmd.Process.Kill()
		<-exit
	}
	os.Remove(PIDPath)
}

// Restart kills pcscd and starts it again, as when the service is restarted
// under a running kiosk. Served cards reconnect by themselves.
func (d *Daemon) Restart(t testing.TB) {
	t.Helper()
	d.stop()
	if err := d.start(); err != nil {
		t.Fatalf("pcsctest: restarting pcscd: %v\npcscd output:\n%s", err, d.out.String())
	}
}

// release stops pcscd and frees the lock at the end of the test.
func (d *Daemon) release() {
	d.stop()
	if d.t.Failed() {
		d.t.Logf("pcscd output:\n%s", d.out.String())
	}
	if d.lock != nil {
		_ = syscall.Flock(int(d.lock.Fd()), syscall.LOCK_UN)
		d.lock.Close()
	}
}

// Serve serves card to vpcd from this process until the test ends (or the
// returned stop function is called); it does not wait for pcscd to see it.
func (d *Daemon) Serve(t testing.TB, card *vcard.Card) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	srv := &vcard.VPCDServer{Addr: VPCDAddr, Card: card, Retry: 100 * time.Millisecond}
	go func() {
		defer close(done)
		_ = srv.Serve(ctx)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// Insert serves card (as Serve) and waits until pcscd reports a card in the
// vpcd reader, whose name it returns.
func (d *Daemon) Insert(t testing.TB, card *vcard.Card) string {
	t.Helper()
	d.Serve(t, card)
	name, err := WaitCard(true, readyWait)
	if err != nil {
		t.Fatalf("pcsctest: %v\npcscd output:\n%s", err, d.out.String())
	}
	return name
}

// WaitCard polls PC/SC until the first vpcd reader has a card (present true)
// or has none (present false), and returns the reader's name.
func WaitCard(present bool, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		name, has, err := readerState()
		if err == nil && has == present {
			return name, nil
		}
		last = err
		if time.Now().After(deadline) {
			if last == nil {
				last = fmt.Errorf("card present=%v", has)
			}
			return "", fmt.Errorf("vpcd reader did not reach card present=%v within %v: %w", present, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readerState returns the first vpcd reader and whether it holds a card.
// It goes through card.ListReaders, which serialises SCardGetStatusChange
// with every other caller in the process (a card.Monitor may be running):
// github.com/ebfe/scard writes an unguarded package-level map in it.
func readerState() (string, bool, error) {
	readers, err := card.ListReaders()
	if err != nil {
		return "", false, fmt.Errorf("listing readers: %w", err)
	}
	var names []string
	for _, r := range readers {
		if strings.HasPrefix(r.Name, ReaderPrefix) {
			return r.Name, r.CardPresent, nil
		}
		names = append(names, r.Name)
	}
	return "", false, fmt.Errorf("no %q reader among %q", ReaderPrefix, names)
}

// syncBuffer collects pcscd's output from two pipes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

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
