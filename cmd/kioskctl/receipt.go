package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/paper"
	"github.com/jpki-kiosk/kiosk/ui/printer"
)

// receiptOut is the `receipt print --json` answer.
type receiptOut struct {
	Printer string `json:"printer"`
	Sample  string `json:"sample"`
	Bytes   int    `json:"bytes"`
	Dots    [2]int `json:"dots"` // width, height of the printed image
}

func runReceiptPrint(e *env, args []string) error {
	fl := newFlags(e, "receipt print")
	target := fl.String("printer", "", "tcp://HOST[:9100], cups:QUEUE, spool:NAME (Windows), default, or a device/file path (required)")
	name := fl.String("sample", "renewal", "sample receipt: "+strings.Join(paper.SampleNames(), "|"))
	lang := fl.String("lang", "ja", "language of the receipt")
	noQR := fl.Bool("no-qr", false, "leave the QR code off")
	pngOut := fl.String("png", "", "also write the printed image to this PNG file")
	asJSON := fl.Bool("json", false, "print a JSON object")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *target == "" {
		return usagef("--printer is required")
	}
	snap, ok := paper.Sample(*name)
	if !ok {
		return usagef("--sample %q: want %s", *name, strings.Join(paper.SampleNames(), ", "))
	}
	tr, err := i18n.Load()
	if err != nil {
		return err
	}
	var tags []string
	for _, l := range tr.Languages() {
		tags = append(tags, l.Tag)
	}
	if !slices.Contains(tags, *lang) {
		return usagef("--lang %q: want one of %s", *lang, strings.Join(tags, ", "))
	}
	tr.SetLang(*lang)
	job, img, err := printer.Job(paper.Receipt(tr, snap, !*noQR))
	if err != nil {
		return err
	}
	if *pngOut != "" {
		var b bytes.Buffer
		if err := png.Encode(&b, printer.Mono(img)); err != nil {
			return err
		}
		if err := os.WriteFile(*pngOut, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	p, err := printer.Open(*target)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = p.Print(ctx, job)
	}
	if err != nil {
		return &refusal{Code: printer.FaultCode(err), Message: err.Error(), JSON: *asJSON}
	}
	out := receiptOut{Printer: *target, Sample: *name, Bytes: len(job), Dots: [2]int{img.Bounds().Dx(), img.Bounds().Dy()}}
	if *asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "printed the %s sample on %s: %d bytes, %d×%d dots\n", out.Sample, out.Printer, out.Bytes, out.Dots[0], out.Dots[1])
	return nil
}
