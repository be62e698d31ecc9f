// Command jpki-kiosk is the kiosk program: a full-screen Fyne window for
// residents' My Number card certificates. Flags, configuration and wiring
// only; the screens are in package ui, the rules in ui/flow and policy.
//
//	jpki-kiosk -demo               virtual cards, temporary database, operator panel
//	jpki-kiosk -profile moriya     a real PC/SC reader
//	jpki-kiosk -issuer gateway -gateway-config gw.json
//
// Demo mode issues certificates with the training CA of its data directory
// and creates the staff account DemoStaffID / DemoStaffPassword.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2/app"
)

func main() {
	start := time.Now()
	var c config
	flag.BoolVar(&c.demo, "demo", false, "demo mode: virtual cards, operator panel, temporary database")
	flag.StringVar(&c.profile, "profile", "moriya", "municipality profile: an embedded NAME or a PATH to a TOML file")
	flag.StringVar(&c.db, "db", "", "database file (default DATA/kiosk.db; temporary in demo mode)")
	flag.StringVar(&c.auditKey, "audit-key", "", "audit key file, readable by the kiosk account only (default: DB.key beside the database; DPAPI-sealed on Windows)")
	flag.StringVar(&c.data, "data", "", "data directory (default: the user config dir; temporary in demo mode)")
	flag.StringVar(&c.reader, "reader", "", "PC/SC reader name (default: the first reader with a card)")
	flag.StringVar(&c.lang, "lang", "ja", "language at start: ja, en, ...")
	flag.BoolVar(&c.windowed, "windowed", false, "a normal window instead of full screen (development; 1280x800 unless -size)")
	flag.StringVar(&c.size, "size", "", "window size WIDTHxHEIGHT, e.g. 1280x800 (default 1920x1080, or 1280x800 with -windowed)")
	flag.StringVar(&c.insert, "demo-insert", os.Getenv("KIOSK_DEMO_INSERT"), "demo: insert this persona's card after start")
	flag.StringVar(&c.issuer, "issuer", "training", "issuance backend: training (local CA in the data directory) or gateway")
	flag.StringVar(&c.gatewayConfig, "gateway-config", "", "with -issuer gateway: JSON file {\"url\",\"cert\",\"key\",\"ca\"} (paths relative to the file)")
	flag.StringVar(&c.fleet, "fleet", "", "fleet configuration JSON {\"kiosk\",\"url\"} (default DATA/fleet.json if present; none: the kiosk runs alone)")
	flag.BoolVar(&c.timing, "timing", os.Getenv("KIOSK_TIMING") != "", "print start-up and card-to-status timings to stderr")
	flag.StringVar(&c.voiceDevice, "voice-device", "", "voice guidance output: ALSA device (Linux) or SAPI audio output name (Windows); default: the system's")
	flag.BoolVar(&c.headphoneOnly, "headphone-only", false, "voice guidance only on -voice-device (the headphone jack), never the loudspeaker")
	flag.StringVar(&memProfile, "memprofile", "", "write a heap profile to this file on SIGUSR1 and at exit, with Go memory figures on stderr (measuring)")
	flag.Parse()
	watchMemSignal()
	defer dumpMemory("exit")

	ops.open(openSink())
	defer ops.close()
	defer catchCrashes(crashDir(c))()
	defer onCrash(crashDir(c))
	a := app.NewWithID("jp.lg.kiosk.jpki")
	stop, err := openKiosk(a, c, start)
	if err != nil {
		ops.log(sevError, evStartFailed, "start failed: %v", err)
		ops.close()
		fmt.Fprintln(os.Stderr, "jpki-kiosk:", err)
		os.Exit(1)
	}
	ops.log(sevInfo, evStarted, "started (profile %s, issuer %s, demo %v)", c.profile, c.issuer, c.demo)
	defer stop()
	a.Run()
	ops.log(sevInfo, evStopped, "stopped") // not after a crash: onCrash reports that
}
