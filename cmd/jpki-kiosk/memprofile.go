package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
)

// memProfile is the -memprofile flag: a file for a heap profile, written
// when the process gets SIGUSR1 (not on Windows) and when it stops, with a
// line of Go memory figures on stderr each time (docs/PERFORMANCE.md,
// "Memory"). Off by default; for measuring, not for production.
var memProfile string

// goMemMetrics are the runtime/metrics samples memReport prints.
var goMemMetrics = []struct{ name, label string }{
	{"/memory/classes/total:bytes", "go-mapped"},
	{"/memory/classes/heap/objects:bytes", "heap-objects"},
	{"/memory/classes/heap/unused:bytes", "heap-unused"},
	{"/memory/classes/heap/free:bytes", "heap-free"},
	{"/memory/classes/heap/released:bytes", "heap-released"},
	{"/memory/classes/heap/stacks:bytes", "stacks"},
	{"/gc/heap/objects:objects", "objects"},
	{"/sched/goroutines:goroutines", "goroutines"},
}

// memReport writes one line of Go memory figures (bytes in MiB, counts as
// they are) after a garbage collection.
func memReport(w io.Writer, why string) {
	runtime.GC()
	s := make([]metrics.Sample, len(goMemMetrics))
	for i, m := range goMemMetrics {
		s[i].Name = m.name
	}
	metrics.Read(s)
	fmt.Fprintf(w, "memory (%s):", why)
	for i, m := range goMemMetrics {
		if s[i].Value.Kind() != metrics.KindUint64 {
			continue
		}
		v := s[i].Value.Uint64()
		if m.name[len(m.name)-6:] == ":bytes" {
			fmt.Fprintf(w, " %s %.1f MiB", m.label, float64(v)/(1<<20))
		} else {
			fmt.Fprintf(w, " %s %d", m.label, v)
		}
	}
	fmt.Fprintln(w)
}

// writeHeapProfile writes the heap profile (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dumpMemory reports the figures and writes the profile, if asked for.
func dumpMemory(why string) {
	if memProfile == "" {
		return
	}
	memReport(os.Stderr, why)
	if err := writeHeapProfile(memProfile); err != nil {
		fmt.Fprintln(os.Stderr, "jpki-kiosk: -memprofile:", err)
	}
}
