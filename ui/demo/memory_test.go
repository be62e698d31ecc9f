package demo

import (
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// liveHeap returns the bytes of live Go objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// session walks one resident's session on the demo reader: the card goes
// in, the status screen, the signature certificate's expiry behind its PIN
// (in the language lang, chosen on the start screen), and the card out.
func (r *rig) session(lang string) {
	r.t.Helper()
	r.tap("welcome.lang." + lang)
	r.insert(vcard.PersonaAdult)
	r.want("STATUS")
	r.tap("service.SIGN_EXPIRY")
	r.typePIN("ABC123")
	r.tap("next")
	r.want("STATUS")
	r.w.Canvas().Capture() // draw every text, as the kiosk's painter does
	r.panel.onRemove()
	r.drain()
	r.want("INSERT_CARD")
	r.w.Canvas().Capture()
}

// TestSessionsDoNotLeak (issue 10, memory): residents' sessions one after
// another leave the Go heap and the goroutines where the first sessions
// left them. Before, every theme-override scope a screen built (the
// language buttons in their own fonts, the tight panels of the status and
// PIN screens) kept a parsed copy of a 4.6 MB font — about 13 MB — in
// Fyne's font cache for the life of the process, so the heap grew by tens
// of megabytes a session.
func TestSessionsDoNotLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("short: walks 12 sessions")
	}
	r := newRig(t)
	// Japanese only: a change of language sets the theme, which empties
	// Fyne's font cache and would hide a leak of parsed fonts.
	r.session("ja") // warm up: every screen's caches fill
	r.session("ja")
	heap0, g0 := liveHeap(), runtime.NumGoroutine()
	const sessions = 4
	for i := 0; i < sessions; i++ {
		r.session("ja")
	}
	heap1, g1 := liveHeap(), runtime.NumGoroutine()
	t.Logf("live heap %.1f MiB → %.1f MiB after %d more sessions; goroutines %d → %d",
		float64(heap0)/(1<<20), float64(heap1)/(1<<20), sessions, g0, g1)
	// A session may leave a little behind (the audit store's caches, the
	// card's journal); a leaked screen with its font leaves megabytes.
	const bound = 8 << 20
	if heap1 > heap0+bound {
		t.Errorf("live heap grew by %.1f MiB over %d sessions (bound %d MiB)", float64(heap1-heap0)/(1<<20), sessions, bound>>20)
	}
	if g1 > g0+2 {
		t.Errorf("goroutines %d → %d: a session leaves goroutines behind", g0, g1)
	}
}
