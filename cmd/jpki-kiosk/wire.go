package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/demo"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// config is the command line.
type config struct {
	demo, windowed, timing                  bool
	profile, db, data, reader, lang, insert string
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// start1 builds the kiosk (and in demo mode the virtual reader and the
// operator panel) and returns the function that tears it down.
func start1(a fyne.App, c config, t0 time.Time) (stop func(), err error) {
	prof, profName, err := loadProfile(c.profile)
	if err != nil {
		return nil, err
	}
	var cleanup []func()
	stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	if c.data == "" {
		if c.demo {
			if c.data, err = os.MkdirTemp("", "jpki-kiosk-demo-"); err != nil {
				return nil, err
			}
			dir := c.data
			cleanup = append(cleanup, func() { os.RemoveAll(dir) })
		} else if c.data, err = defaultDataDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, err
	}
	if c.db == "" {
		c.db = filepath.Join(c.data, "kiosk.db")
	}
	st, err := store.Open(c.db, store.Options{})
	if err != nil {
		stop()
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	cleanup = append(cleanup, func() { st.Close() })

	var port flow.CardPort
	var reader *demo.Reader
	var pcsc *pcscPort
	if c.demo {
		reader = demo.NewReader(time.Now, vcard.Options{})
		port = reader
	} else {
		pcsc = &pcscPort{}
		port = pcsc
	}
	terminal, _ := os.Hostname()
	exec := &ui.Executor{}
	m, err := flow.New(flow.Config{
		Card: port, Rules: flow.PolicyRules{Profile: prof}, Clock: wallClock{}, Exec: exec,
		Recorder: flow.NewStoreRecorder(st, profName, terminal), KioskID: terminal, IdleAfter: prof.IdleTimeout,
	})
	if err != nil {
		stop()
		return nil, err
	}
	tr, err := i18n.Load()
	if err != nil {
		stop()
		return nil, err
	}
	tr.SetLang(c.lang)
	w := a.NewWindow("JPKI Kiosk")
	w.Resize(fyne.NewSize(1920, 1080))
	w.SetMaster()
	k := ui.New(a, w, tr, session{m}, ui.Options{Demo: c.demo, Staff: staffHook(c.windowed)})
	exec.Bind(k)
	k.Lockdown(c.windowed)
	k.StartTicker()
	cleanup = append(cleanup, k.Stop)
	if c.timing {
		reportTimings(a, k, t0)
	}
	if c.demo {
		p := demo.NewPanel(a, k, reader)
		p.Show()
		if c.insert != "" {
			go func() {
				time.Sleep(1500 * time.Millisecond)
				fyne.Do(func() {
					if err := p.Insert(c.insert); err != nil {
						fmt.Fprintln(os.Stderr, "jpki-kiosk: -demo-insert:", err)
					}
				})
			}()
		}
	} else {
		cleanup = append(cleanup, watchReaders(k, pcsc, c.reader))
	}
	w.Show()
	return stop, nil
}

// session adapts *flow.Machine to ui.Session.
type session struct{ *flow.Machine }

// loadProfile takes an embedded profile name or a path to a TOML file.
func loadProfile(arg string) (*policy.Profile, string, error) {
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(arg, ".toml") {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, "", err
		}
		name := strings.TrimSuffix(filepath.Base(arg), ".toml")
		p, err := policy.ParseProfile(b, name)
		return p, name, err
	}
	p, err := policy.LoadProfile(arg)
	return p, arg, err
}

func defaultDataDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "jpki-kiosk")
	return dir, os.MkdirAll(dir, 0o700)
}

// staffHook opens the staff sign-in screen when the staff screens are built
// in (they register "staff.signin"); without them a windowed development
// kiosk may be closed, a full-screen one never.
func staffHook(windowed bool) ui.StaffHook {
	return func(k *ui.Kiosk, why ui.StaffReason) {
		switch {
		case ui.Registered("staff.signin"):
			k.Show("staff.signin")
		case windowed && why == ui.StaffExit:
			k.Quit()
		}
	}
}

// reportTimings prints the time to the first frame and from each card
// insertion to the status screen (for docs/PERFORMANCE.md).
func reportTimings(a fyne.App, k *ui.Kiosk, t0 time.Time) {
	a.Lifecycle().SetOnStarted(func() {
		fmt.Fprintf(os.Stderr, "timing: first frame %d ms after start\n", time.Since(t0).Milliseconds())
	})
	var inserted time.Time
	k.OnRender(func(id string) {
		switch id {
		case flow.StateReading.String():
			if inserted.IsZero() {
				inserted = time.Now()
			}
		case flow.StateStatus.String():
			if !inserted.IsZero() {
				fmt.Fprintf(os.Stderr, "timing: card to status screen %d ms\n", time.Since(inserted).Milliseconds())
				inserted = time.Time{}
			}
		case flow.StateInsertCard.String():
			inserted = time.Time{}
		}
	})
}
