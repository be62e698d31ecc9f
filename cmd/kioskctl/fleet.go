package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/fleet"
)

// The fleet commands: several kiosks' trails in a central PostgreSQL
// (docs/FLEET.md). --pg is a libpq-style URL, e.g.
// postgres://user:pw@host/db?sslmode=verify-full&sslrootcert=ca.crt

func pgConnect(asJSON bool, url string) (*pgx.Conn, error) {
	if url == "" {
		return nil, usagef("--pg is required (a PostgreSQL URL)")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, usagef("--pg: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, refuse(asJSON, "CENTRAL_UNREACHABLE", "%v", err)
	}
	return conn, nil
}

// onCentral connects to the central database at url, runs call on it and
// closes the connection; an error of call is a refusal with code.
func onCentral[T any](asJSON bool, url, code string, call func(ctx context.Context, conn *pgx.Conn) (T, error)) (T, error) {
	var zero T
	conn, err := pgConnect(asJSON, url)
	if err != nil {
		return zero, err
	}
	ctx := context.Background()
	defer conn.Close(ctx)
	v, err := call(ctx, conn)
	if err != nil {
		return zero, refuse(asJSON, code, "%v", err)
	}
	return v, nil
}

func runFleetShip(e *env, args []string) error {
	fs := newFlags(e, "fleet ship")
	db := fs.String("db", "", "the kiosk's database file")
	pg := fs.String("pg", "", "central database URL (role kiosk_shipper)")
	kiosk := fs.String("kiosk", "", "this kiosk's ID (lower-case code)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" || *pg == "" || *kiosk == "" {
		return usagef("--db, --pg and --kiosk are required")
	}
	if err := fleet.CheckKioskID(*kiosk); err != nil {
		return usagef("--kiosk: %v", err)
	}
	if _, err := pgx.ParseConfig(*pg); err != nil {
		return usagef("--pg: %v", err)
	}
	if _, err := os.Stat(*db); err != nil {
		return refuse(*asJSON, "NO_DATABASE", "no database at %s", *db)
	}
	sh := &fleet.Shipper{DBPath: *db, URL: *pg, Kiosk: *kiosk}
	defer sh.Close()
	r, err := sh.ShipOnce(context.Background())
	if err != nil {
		var re *fleet.RefusedError
		switch {
		case errors.As(err, &re):
			return &refusal{Code: "KIOSK_FLAGGED", Message: re.Error(), JSON: *asJSON,
				Details: map[string]any{"kiosk": re.Kiosk, "problem": re.Problem, "seq": re.Seq, "shipped": r.Shipped}}
		case errors.Is(err, store.ErrPersonalData) || errors.Is(err, store.ErrInvalid):
			return refuse(*asJSON, "NOT_SHIPPABLE", "%v", err)
		default:
			return refuse(*asJSON, "SHIP_FAILED", "%v (shipped %d before the failure; run again to resume)", err, r.Shipped)
		}
	}
	if *asJSON {
		writeJSON(e.stdout, r)
		return nil
	}
	fmt.Fprintf(e.stdout, "kiosk %s: shipped %d events, central head seq %d\n", r.Kiosk, r.Shipped, r.HeadSeq)
	return nil
}

func runFleetVerify(e *env, args []string) error {
	fs := newFlags(e, "fleet verify")
	pg := fs.String("pg", "", "central database URL (role kiosk_dashboard)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ks, err := onCentral(*asJSON, *pg, "DATABASE_ERROR", fleet.Verify)
	if err != nil {
		return err
	}
	return fleetReport(e, *asJSON, map[string]any{}, ks, func(k fleet.KioskCheck) bool { return k.OK },
		func(k fleet.KioskCheck) string {
			state := "ok"
			if !k.OK {
				state = "NOT OK: " + k.Problem
			}
			return fmt.Sprintf("%-20s %8d events  head %-8d %s", k.Kiosk, k.Events, k.HeadSeq, state)
		})
}

// fleetReport prints one line a kiosk, or the JSON object out with the
// kiosks under "kiosks" (never null), and refuses with KIOSK_NOT_OK when
// any kiosk is not ok.
func fleetReport[K any](e *env, asJSON bool, out map[string]any, ks []K, ok func(K) bool, line func(K) string) error {
	if ks == nil {
		ks = []K{}
	}
	bad := 0
	for _, k := range ks {
		if !ok(k) {
			bad++
		}
	}
	if asJSON {
		out["kiosks"] = ks
		writeJSON(e.stdout, out)
	} else {
		for _, k := range ks {
			fmt.Fprintln(e.stdout, line(k))
		}
	}
	if bad > 0 {
		return &refusal{Code: "KIOSK_NOT_OK", Message: fmt.Sprintf("%d of %d kiosks not ok", bad, len(ks))}
	}
	return nil
}

func runFleetStatus(e *env, args []string) error {
	fs := newFlags(e, "fleet status")
	pg := fs.String("pg", "", "central database URL (role kiosk_dashboard)")
	date := fs.String("date", "", "day for the session counts, YYYY-MM-DD (default today, Asia/Tokyo)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now := time.Now()
	if *date == "" {
		*date = now.In(store.JST).Format("2006-01-02")
	} else if _, err := time.Parse("2006-01-02", *date); err != nil {
		return usagef("--date: want YYYY-MM-DD")
	}
	ks, err := onCentral(*asJSON, *pg, "DATABASE_ERROR", func(ctx context.Context, conn *pgx.Conn) ([]fleet.KioskStatus, error) {
		return fleet.Status(ctx, conn, *date, now)
	})
	if err != nil {
		return err
	}
	return fleetReport(e, *asJSON, map[string]any{"date": *date}, ks, func(k fleet.KioskStatus) bool { return k.Health == "ok" },
		func(k fleet.KioskStatus) string {
			last, lag := "-", "-"
			if k.LastEventAt != nil {
				last = k.LastEventAt.In(store.JST).Format("2006-01-02 15:04:05")
			}
			if k.LagSeconds != nil {
				lag = (time.Duration(*k.LagSeconds) * time.Second).String()
			}
			return fmt.Sprintf("%-20s last event %s  lag %-8s %s %s", k.Kiosk, last, lag, k.Health, k.Problem)
		})
}

func runFleetMigrate(e *env, args []string) error {
	fs := newFlags(e, "fleet migrate")
	pg := fs.String("pg", "", "central database URL (the database owner)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v, err := onCentral(*asJSON, *pg, "MIGRATION_FAILED", func(ctx context.Context, conn *pgx.Conn) ([2]int, error) {
		from, to, err := fleet.Migrate(ctx, conn)
		return [2]int{from, to}, err
	})
	if err != nil {
		return err
	}
	from, to := v[0], v[1]
	if *asJSON {
		writeJSON(e.stdout, map[string]int{"from_version": from, "version": to})
		return nil
	}
	fmt.Fprintf(e.stdout, "central schema version %d (was %d)\n", to, from)
	return nil
}

func runFleetClear(e *env, args []string) error {
	fs := newFlags(e, "fleet clear")
	pg := fs.String("pg", "", "central database URL (the database owner)")
	kiosk := fs.String("kiosk", "", "the flagged kiosk")
	by := fs.String("by", "", "the operator's staff ID (recorded with the incident)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *kiosk == "" || *by == "" {
		return usagef("--kiosk and --by are required")
	}
	if err := store.CheckStaffID(*by); err != nil {
		return usagef("--by: %v", err)
	}
	was, err := onCentral(*asJSON, *pg, "CLEAR_FAILED", func(ctx context.Context, conn *pgx.Conn) (string, error) {
		return fleet.Clear(ctx, conn, *kiosk, *by)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		writeJSON(e.stdout, map[string]any{"kiosk": *kiosk, "cleared": was != "", "problem": was})
		return nil
	}
	if was == "" {
		fmt.Fprintf(e.stdout, "kiosk %s was not flagged\n", *kiosk)
	} else {
		fmt.Fprintf(e.stdout, "kiosk %s: %s cleared by %s\n", *kiosk, was, *by)
	}
	return nil
}

func runFleetExport(e *env, args []string) error {
	fs := newFlags(e, "fleet export")
	pg := fs.String("pg", "", "central database URL (role kiosk_dashboard)")
	from := fs.String("from", "", "first date, YYYY-MM-DD (Asia/Tokyo)")
	to := fs.String("to", "", "last date, YYYY-MM-DD, inclusive")
	outPath := fs.String("out", "", "write to this file instead of standard output")
	force := fs.Bool("force", false, "with --out: replace an existing file")
	asJSON := fs.Bool("json", false, "JSON summary and error objects")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required (YYYY-MM-DD)")
	}
	if *outPath == "" && *asJSON {
		return usagef("--json needs --out (the CSV goes to the file, the summary to standard output)")
	}
	if *outPath != "" {
		if err := checkExportTarget(*asJSON, "", *outPath, *force); err != nil {
			return err
		}
	}
	n, err := onCentral(*asJSON, *pg, "EXPORT_FAILED", func(ctx context.Context, conn *pgx.Conn) (int64, error) {
		export := func(w io.Writer) (int64, error) { return fleet.Export(ctx, conn, w, *from, *to) }
		if *outPath == "" {
			return export(e.stdout)
		}
		return writeExportFile(*outPath, export)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		writeJSON(e.stdout, map[string]any{"events": n, "from": *from, "to": *to, "format": "csv", "out": *outPath})
	}
	return nil
}
