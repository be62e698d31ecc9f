package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/jlis"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/demo"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/speech"
)

// config is the command line.
type config struct {
	demo, windowed, timing                  bool
	profile, db, data, reader, lang, insert string
	issuer, gatewayConfig                   string
	fleet                                   string // fleet configuration file (default DATA/fleet.json if present)
	voiceDevice                             string // speech output ("" the default)
	headphoneOnly                           bool   // speak only on voiceDevice
	// size is the window size (-size WxH); -windowed without it opens at
	// the smaller panel's 1280×800.
	size string
	// auditKey is the audit trail's key file (-audit-key); "" is the
	// database's path + ".key" (store.DefaultKeyPath).
	auditKey string
}

// windowSize is the window's size: -size WxH, else 1280×800 windowed (a
// development screen is rarely larger), else the 1920×1080 panel.
func windowSize(c config) (fyne.Size, error) {
	if c.size != "" {
		var w, h int
		if n, err := fmt.Sscanf(c.size, "%dx%d", &w, &h); err != nil || n != 2 || w < 640 || h < 480 || w > 7680 || h > 4320 {
			return fyne.Size{}, fmt.Errorf("-size %q: want WIDTHxHEIGHT, e.g. 1280x800 (640x480 to 7680x4320)", c.size)
		}
		return fyne.NewSize(float32(w), float32(h)), nil
	}
	if c.windowed {
		return fyne.NewSize(1280, 800), nil
	}
	return fyne.NewSize(1920, 1080), nil
}

// DemoStaffID is the staff account demo mode creates in its temporary
// database; DemoStaffPassword is its password (shown in the operator panel).
const (
	DemoStaffID       = "demo"
	DemoStaffPassword = "demo-staff-0000"
)

// parts is the kiosk as assembled by assemble: everything openKiosk shows and
// the headless tests drive.
type parts struct {
	k       *ui.Kiosk
	m       *flow.Machine
	st      *store.Store
	prof    *policy.Profile
	slot    *flow.CardSlot
	issuer  *issue.Client
	desk    *ui.StaffDesk
	reader  *demo.Reader // demo mode
	pcsc    *pcscPort    // real readers
	fleet   *fleetConfig // nil: the kiosk runs alone
	cleanup []func()
}

func (p *parts) stop() {
	for i := len(p.cleanup) - 1; i >= 0; i-- {
		p.cleanup[i]()
	}
}

// seams are what tests replace: the executor of card tasks, the clock, the
// card key generator of demo cards, the store's password hashing.
type seams struct {
	exec   flow.Executor // nil: ui.Executor (goroutines, results through fyne.Do)
	now    func() time.Time
	keyGen func() (*rsa.PrivateKey, error)
	argon2 *store.Argon2Params
}

// assemble builds the store, the issuer, the card slot, the flow, the kiosk
// and staff mode (in demo mode also the virtual reader, with the demo staff
// account) in window w.
func assemble(a fyne.App, w fyne.Window, c config, sm seams) (p *parts, err error) {
	p = &parts{}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	now := sm.now
	if now == nil {
		now = time.Now
	}
	prof, profName, err := loadProfile(c.profile)
	if err != nil {
		return p, err
	}
	p.prof = prof
	if c.data == "" {
		if c.demo {
			if c.data, err = os.MkdirTemp("", "jpki-kiosk-demo-"); err != nil {
				return p, err
			}
			dir := c.data
			p.cleanup = append(p.cleanup, func() { os.RemoveAll(dir) })
		} else if c.data, err = defaultDataDir(); err != nil {
			return p, err
		}
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return p, err
	}
	if c.db == "" {
		c.db = filepath.Join(c.data, "kiosk.db")
	}
	st, err := store.Open(c.db, store.Options{Now: now, Argon2: sm.argon2, KeyPath: c.auditKey})
	if err != nil {
		return p, fmt.Errorf("opening the database: %w", err)
	}
	p.st = st
	p.cleanup = append(p.cleanup, func() { st.Close() })
	ctx := context.Background()
	// One configuration: the profile's defaults, then what a supervisor
	// saved on the settings screen (which names the profile in force once
	// chosen there; -profile is the first start's).
	settings, err := staff.LoadSettings(ctx, st, staff.Defaults(prof))
	if err != nil {
		return p, fmt.Errorf("staff settings: %w", err)
	}
	fromFile := !slices.Contains(policy.ProfileNames(), profName)
	if fromFile {
		settings.Profile = profName // a profile file given on the command line stays in force
	} else if settings.Profile != profName && slices.Contains(policy.ProfileNames(), settings.Profile) {
		if sp, err := policy.LoadProfile(settings.Profile); err == nil {
			prof, profName, p.prof = sp, settings.Profile, sp
			if settings, err = staff.LoadSettings(ctx, st, staff.Defaults(prof)); err != nil {
				return p, fmt.Errorf("staff settings: %w", err)
			}
		}
	}
	if _, err := st.Purge(ctx, prof.RetentionDays); err != nil {
		return p, fmt.Errorf("retention purge: %w", err)
	}
	fc, err := loadFleetConfig(c.fleet, c.data)
	if err != nil {
		return p, err
	}
	if fc != nil {
		p.fleet = fc
		p.cleanup = append(p.cleanup, startShipper(fc, c.db))
	}

	if p.issuer, err = newIssuer(c); err != nil {
		return p, err
	}
	terminal, _ := os.Hostname()
	rec := flow.NewStoreRecorder(st, profName, terminal)
	onErr := func(err error) { fmt.Fprintln(os.Stderr, "jpki-kiosk: audit:", err) }
	p.slot = &flow.CardSlot{Issuer: p.issuer, Audit: rec, OnAuditError: onErr, Location: policy.JST}
	// Genuine check (DESIGN.md §4): J-LIS roots always; the training CA's
	// certificates (and in demo mode the virtual cards' CA) count as "training".
	training := issue.TrainingCACerts(c.data)
	if c.demo {
		if vp, err := vcard.NewPersona(vcard.PersonaAdult, now()); err == nil {
			training = append(training, vp.AuthCA, vp.SignCA)
		}
	}
	p.slot.Genuine = genuineFunc(jlis.Default(training...))
	p.issuer.SetEvents(p.slot)

	var port flow.CardPort = p.slot
	if c.demo {
		opts := vcard.Options{KeyGen: sm.keyGen}
		if p.issuer.Name() == "training" {
			if opts, err = demo.TrainingOptions(c.data); err != nil {
				return p, err
			}
			opts.KeyGen = sm.keyGen
		}
		p.reader = demo.NewIssuingReader(now, opts, p.slot)
		port = p.reader
		if err := demoStaff(ctx, st); err != nil {
			return p, err
		}
	} else {
		p.pcsc = newPCSCPort(p.slot)
		port = p.pcsc // Identify waits for the insertion's retried connect
	}

	tr, err := i18n.Load()
	if err != nil {
		return p, err
	}
	tr.SetLang(c.lang)
	var langs []string
	for _, l := range tr.Languages() {
		langs = append(langs, l.Tag)
	}
	approvals := staff.NewApprovals(st)
	// Demo and training kiosks accept their training CA's cards; a
	// production (gateway) kiosk approves J-LIS cards only.
	approvals.AcceptTraining = c.demo || p.issuer.Name() == "training"
	var desk *ui.StaffDesk
	work := &staff.SlotWork{Slot: p.slot, Resetter: p.issuer, Now: now, StaffID: func() string {
		if c, ok := desk.Desk().Clerk(); ok {
			return c.ID
		}
		return ""
	}}
	exec := sm.exec
	uiExec := &ui.Executor{}
	if exec == nil {
		exec = uiExec
	}
	var m *flow.Machine
	m, err = flow.New(flow.Config{
		Card: port, Rules: flow.PolicyRules{Profile: prof}, Clock: clockFunc(now), Exec: exec,
		Recorder: p.slot.Recorder(rec), KioskID: terminal, IdleAfter: settings.IdleTimeout, Location: policy.JST,
		Issuer:        staff.GuardedIssuer{Next: p.slot, Approvals: approvals},
		OnRecordError: onErr,
	})
	if err != nil {
		return p, err
	}
	p.m = m
	var fleetView staff.FleetSource
	if p.fleet != nil && p.fleet.DashboardURL != "" {
		fleetView = staff.PGFleet{URL: p.fleet.DashboardURL}
	}
	desk = ui.NewStaffDesk(ui.StaffConfig{Office: staff.NewOffice(st, approvals), Profile: prof, Settings: settings, Languages: langs,
		Work: work, Now: now, ExportDir: c.data, Fleet: fleetView,
		OnAuditError: onErr,
		OnSettings: func(s staff.Settings) {
			m.SetIdleAfter(s.IdleTimeout)
			if s.Profile != p.prof.ID { // rules, hours and documents of another municipality
				np, err := policy.LoadProfile(s.Profile)
				if err != nil {
					onErr(fmt.Errorf("profile %s: %w", s.Profile, err))
					return
				}
				p.prof = np
				m.SetRules(flow.PolicyRules{Profile: np})
				rec.SetProfile(np.ID)
			}
		}})
	p.desk = desk
	p.k = ui.New(a, w, tr, m, ui.Options{Demo: c.demo, Staff: desk.Hook, Scramble: settings.Scramble})
	desk.Attach(p.k)
	uiExec.Bind(p.k)
	if v, err := speech.System(speech.Options{Device: c.voiceDevice, HeadphoneOnly: c.headphoneOnly,
		OnError: func(err error) { fmt.Fprintln(os.Stderr, "jpki-kiosk: voice guidance:", err) }}); err == nil {
		p.k.SetVoice(v)
	}
	return p, nil
}

// genuineFunc adapts a J-LIS checker to flow.CardSlot.Genuine.
func genuineFunc(k jlis.Checker) func([]byte) (string, int) {
	return func(der []byte) (string, int) {
		r := k.CheckDER(der)
		return string(r.Verdict), r.Generation
	}
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// newIssuer makes the issuance backend: the training CA in the data
// directory (default), or the municipality's gateway (-issuer gateway
// -gateway-config FILE).
func newIssuer(c config) (*issue.Client, error) {
	switch c.issuer {
	case "", "training":
		cl, err := issue.NewTraining(c.data)
		if err != nil {
			return nil, fmt.Errorf("training issuer: %w", err)
		}
		return cl, nil
	case "gateway":
		if c.gatewayConfig == "" {
			return nil, errors.New("-issuer gateway needs -gateway-config FILE")
		}
		gc, err := loadGatewayConfig(c.gatewayConfig)
		if err != nil {
			return nil, err
		}
		cl, err := issue.NewGateway(gc, c.data)
		if err != nil {
			return nil, fmt.Errorf("gateway issuer: %w", err)
		}
		return cl, nil
	}
	return nil, fmt.Errorf("-issuer %q: training or gateway", c.issuer)
}

// gatewayFile is the -gateway-config file (JSON). Relative paths are
// relative to the file's directory.
//
//	{"url": "https://gw.example.lg.jp/jpki", "cert": "kiosk.crt", "key": "kiosk.key", "ca": "gateway-ca.pem"}
type gatewayFile struct {
	URL  string `json:"url"`
	Cert string `json:"cert"`
	Key  string `json:"key"`
	CA   string `json:"ca"`
}

func loadGatewayConfig(path string) (issue.GatewayConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return issue.GatewayConfig{}, err
	}
	var f gatewayFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return issue.GatewayConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	if f.URL == "" || f.Cert == "" || f.Key == "" || f.CA == "" {
		return issue.GatewayConfig{}, fmt.Errorf("%s: url, cert, key and ca are all required", path)
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(path), p)
	}
	return issue.LoadGatewayConfig(f.URL, rel(f.Cert), rel(f.Key), rel(f.CA))
}

// demoStaff creates the demo clerk (a supervisor, so that the demo can also
// show settings and exit) in demo mode's database.
func demoStaff(ctx context.Context, st *store.Store) error {
	if _, err := st.StaffMember(ctx, DemoStaffID); err == nil {
		return nil
	}
	if err := st.AddStaff(ctx, DemoStaffID, store.RoleSupervisor, []byte(DemoStaffPassword), ""); err != nil {
		return fmt.Errorf("demo staff account: %w", err)
	}
	return nil
}

// purgeDaily runs the retention purge again whenever the local date changes
// while the kiosk runs; the returned function stops it.
func purgeDaily(st *store.Store, days int, now func() time.Time, every time.Duration) func() {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		day := now().In(policy.JST).Format("2006-01-02")
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if d := now().In(policy.JST).Format("2006-01-02"); d != day {
					day = d
					if _, err := st.Purge(context.Background(), days); err != nil {
						ops.log(sevError, evStoreError, "store: retention purge: %v", err)
					}
				}
			}
		}
	}()
	return func() { close(done) }
}

// openKiosk builds the kiosk in its window (and in demo mode the virtual reader and the
// operator panel) and returns the function that tears it down.
func openKiosk(a fyne.App, c config, t0 time.Time) (stop func(), err error) {
	size, err := windowSize(c)
	if err != nil {
		return nil, err
	}
	w := a.NewWindow("JPKI Kiosk")
	w.Resize(size)
	w.SetMaster()
	p, err := assemble(a, w, c, seams{})
	if err != nil {
		return nil, err
	}
	k := p.k
	k.Lockdown(c.windowed)
	k.StartTicker()
	p.cleanup = append(p.cleanup, k.Stop)
	p.cleanup = append(p.cleanup, purgeDaily(p.st, p.prof.RetentionDays, time.Now, time.Minute))
	if c.timing {
		reportTimings(a, k, t0)
	}
	if c.demo {
		pn := demo.NewPanel(a, k, p.reader)
		pn.SetStaff(p.desk, DemoStaffID, DemoStaffPassword)
		pn.Show()
		if c.insert != "" {
			go func() {
				time.Sleep(1500 * time.Millisecond)
				fyne.Do(func() {
					if err := pn.Insert(c.insert); err != nil {
						fmt.Fprintln(os.Stderr, "jpki-kiosk: -demo-insert:", err)
					}
				})
			}()
		}
	} else {
		p.cleanup = append(p.cleanup, watchReaders(k, p.pcsc, c.reader))
	}
	w.Show()
	return p.stop, nil
}

// loadProfile takes an embedded profile name or a path to a TOML file
// (policy.ProfileArg).
func loadProfile(arg string) (*policy.Profile, string, error) {
	if name, isFile := policy.ProfileArg(arg); isFile {
		f, err := os.Open(arg)
		if err != nil {
			return nil, "", err
		}
		// At most one byte more than a profile may have: /dev/zero or a
		// huge file cannot exhaust memory, and the parser refuses it.
		b, err := io.ReadAll(io.LimitReader(f, policy.MaxProfileBytes+1))
		f.Close()
		if err != nil {
			return nil, "", err
		}
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
