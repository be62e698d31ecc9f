package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/store/fleet"
)

// fleetConfig is DATA/fleet.json (or the file given with -fleet): the kiosk's
// ID and the central database. Without it the kiosk runs alone.
//
//	{"kiosk": "branch-1",
//	 "url": "postgres://kiosk_branch1:…@central.city.local/kiosk?sslmode=verify-full&sslrootcert=/etc/kiosk/central-ca.crt",
//	 "dashboard_url": "postgres://supervisor:…@central.city.local/kiosk?sslmode=verify-full&sslrootcert=…",
//	 "interval_seconds": 10}
type fleetConfig struct {
	Kiosk           string `json:"kiosk"`
	URL             string `json:"url"`           // role kiosk_shipper
	DashboardURL    string `json:"dashboard_url"` // role kiosk_dashboard; optional (the "All kiosks" screen)
	IntervalSeconds int    `json:"interval_seconds"`
}

// loadFleetConfig reads the fleet configuration: path if given, else
// DATA/fleet.json if it exists. nil, nil means none (the kiosk runs alone).
func loadFleetConfig(path, data string) (*fleetConfig, error) {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(data, "fleet.json")
	}
	b, err := os.ReadFile(path)
	if !explicit && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fleet configuration: %w", err)
	}
	var fc fleetConfig
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("fleet configuration %s: %w", path, err)
	}
	if err := fleet.CheckKioskID(fc.Kiosk); err != nil {
		return nil, fmt.Errorf("fleet configuration %s: %w", path, err)
	}
	if fc.URL == "" {
		return nil, fmt.Errorf("fleet configuration %s: url is required", path)
	}
	return &fc, nil
}

// startShipper runs the shipper in the background until the returned stop
// is called. It reads the database through its own read-only connection and
// only logs failures: the kiosk never waits for the network.
func startShipper(fc *fleetConfig, dbPath string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sh := &fleet.Shipper{DBPath: dbPath, URL: fc.URL, Kiosk: fc.Kiosk,
		Log: func(format string, a ...any) { fmt.Fprintf(os.Stderr, "jpki-kiosk: "+format+"\n", a...) }}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sh.Run(ctx, time.Duration(fc.IntervalSeconds)*time.Second)
	}()
	return func() { cancel(); wg.Wait() }
}
