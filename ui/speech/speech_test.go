package speech

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// soxStat returns the length in seconds and the RMS amplitude of a WAV file,
// measured by sox.
func soxStat(t *testing.T, path string) (secs, rms float64) {
	t.Helper()
	out, err := exec.Command("sox", path, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox %s: %v\n%s", path, err, out)
	}
	num := func(label string) float64 {
		m := regexp.MustCompile(label + `:\s+([0-9.eE+-]+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("sox: no %q in\n%s", label, out)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	return num(`Length \(seconds\)`), num(`RMS\s+amplitude`)
}

func needTools(t *testing.T) {
	for _, p := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed (scripts/install-deps.sh)", p)
		}
	}
}

// Every kiosk language is spoken into a WAV file that sox measures as
// audible speech of a plausible length; the volume scales the loudness.
func TestEspeakSpeaksEveryLanguage(t *testing.T) {
	needTools(t)
	texts := map[string]string{
		"ja":        "カードを読み取り機に置いてください。",
		"ja-x-easy": "カードを おいて ください。",
		"en":        "Please place your card on the reader.",
		"pt-BR":     "Coloque o cartão no leitor.",
		"zh-Hans":   "请把卡放在读卡器上。",
		"ko":        "카드를 리더기에 올려 주세요.",
		"vi":        "Vui lòng đặt thẻ lên đầu đọc.",
	}
	dir := t.TempDir()
	for lang, text := range texts {
		path := filepath.Join(dir, lang+".wav")
		if err := (Espeak{}).WAV(context.Background(), lang, text, 70, path); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		secs, rms := soxStat(t, path)
		t.Logf("%s: %.2f s, RMS %.3f", lang, secs, rms)
		if secs < 0.8 || secs > 20 {
			t.Errorf("%s: %.2f s of speech for %q", lang, secs, text)
		}
		if rms < 0.01 {
			t.Errorf("%s: silent (RMS %.4f)", lang, rms)
		}
	}
	loud, quiet := filepath.Join(dir, "loud.wav"), filepath.Join(dir, "quiet.wav")
	for _, c := range []struct {
		vol  int
		path string
	}{{100, loud}, {20, quiet}} {
		if err := (Espeak{}).WAV(context.Background(), "en", texts["en"], c.vol, c.path); err != nil {
			t.Fatal(err)
		}
	}
	_, l := soxStat(t, loud)
	_, q := soxStat(t, quiet)
	if !(q > 0 && q < l/2) {
		t.Errorf("volume 20 %% has RMS %.3f, volume 100 %% %.3f: want much quieter", q, l)
	}
}

// The key sound is one fixed, audible, short sound.
func TestClickWAV(t *testing.T) {
	a, b := ClickWAV(), ClickWAV()
	if !bytes.Equal(a, b) {
		t.Fatal("ClickWAV differs between calls")
	}
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not installed")
	}
	e, err := New(Espeak{}, &fakePlayer{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	secs, rms := soxStat(t, e.click)
	if secs < 0.03 || secs > 0.1 || rms < 0.05 {
		t.Errorf("click: %.3f s, RMS %.3f; want a short audible sound", secs, rms)
	}
}

type fakePlayer struct {
	mu    sync.Mutex
	paths []string
	err   error
}

func (p *fakePlayer) Play(_ context.Context, path string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paths = append(p.paths, path)
	return p.err
}

func (p *fakePlayer) played() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.paths...)
}

type fakeSynth struct{}

func (fakeSynth) WAV(_ context.Context, _, _ string, _ int, _ string) error { return nil }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

// Headphone-only mode without a headphone output plays nothing at all —
// neither speech nor key sounds — and reports ErrNoHeadphones.
func TestHeadphoneOnlyNeverFallsBack(t *testing.T) {
	p := &fakePlayer{}
	var mu sync.Mutex
	var errs []error
	e, err := New(fakeSynth{}, p, Options{HeadphoneOnly: true, OnError: func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Say("ja", "テスト")
	e.Click()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(errs) == 2 })
	if got := p.played(); len(got) != 0 {
		t.Errorf("played %v in headphone-only mode without headphones", got)
	}
	for _, err := range errs {
		if !errors.Is(err, ErrNoHeadphones) {
			t.Errorf("error %v, want ErrNoHeadphones", err)
		}
	}

	// With the headphone output named, the player gets it (Aplay -D device).
	p2 := &fakePlayer{}
	e2, _ := New(fakeSynth{}, p2, Options{HeadphoneOnly: true, Device: "headphones"})
	defer e2.Close()
	e2.Click()
	waitFor(t, func() bool { return len(p2.played()) == 1 })
}

// Every key sound is the same file played the same way.
func TestClickIsTheSameForEveryKey(t *testing.T) {
	p := &fakePlayer{}
	e, err := New(fakeSynth{}, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for range 10 {
		e.Click()
	}
	waitFor(t, func() bool { return len(p.played()) == 10 })
	for _, got := range p.played() {
		if got != e.click {
			t.Fatalf("played %s, want the one click file", got)
		}
	}
}

// A missing ALSA device is an error, not the default output.
func TestAplayMissingDeviceFails(t *testing.T) {
	if _, err := exec.LookPath("aplay"); err != nil {
		t.Skip("aplay not installed")
	}
	e, _ := New(fakeSynth{}, &fakePlayer{}, Options{})
	defer e.Close()
	if err := (Aplay{Device: "kiosk-no-such-headphones"}).Play(context.Background(), e.click); err == nil {
		t.Fatal("aplay on a missing device succeeded")
	}
}

// Kanji are read (through kakasi), not spelt out as "Chinese letter": the
// same sentence in kanji and in kana gives speech of about the same length.
func TestEspeakReadsKanji(t *testing.T) {
	needTools(t)
	if _, err := exec.LookPath("kakasi"); err != nil {
		t.Skip("kakasi not installed (scripts/install-deps.sh)")
	}
	if got := (Espeak{}).Kana(context.Background(), "電子証明書"); got != "でんししょうめいしょ" {
		t.Errorf("kana of 電子証明書 = %q", got)
	}
	dir := t.TempDir()
	kanji, kana := filepath.Join(dir, "kanji.wav"), filepath.Join(dir, "kana.wav")
	if err := (Espeak{}).WAV(context.Background(), "ja", "電子証明書の有効期限", 70, kanji); err != nil {
		t.Fatal(err)
	}
	if err := (Espeak{}).WAV(context.Background(), "ja", "でんししょうめいしょのゆうこうきげん", 70, kana); err != nil {
		t.Fatal(err)
	}
	a, _ := soxStat(t, kanji)
	b, _ := soxStat(t, kana)
	t.Logf("kanji %.2f s, kana %.2f s", a, b)
	if a > b*1.2 {
		t.Errorf("kanji sentence %.2f s against %.2f s in kana: kanji spelt out", a, b)
	}
}

// TestSpokenReadings: easy Japanese is read by the readings the screen
// shows, each word once; other languages are read as written.
func TestSpokenReadings(t *testing.T) {
	easy := map[string]string{
		"暗証番号(あんしょうばんごう)を 入(い)れて ください": "あんしょうばんごうを いれて ください",
		"マイナンバーカード (窓口(まどぐち)で)":        "マイナンバーカード (まどぐちで)",
		"2026年12月24日": "2026年12月24日",
	}
	for in, want := range easy {
		if got := Spoken("ja-x-easy", in); got != want {
			t.Errorf("ja-x-easy %q spoken as %q, want %q", in, got, want)
		}
	}
	for lang, in := range map[string]string{"ja": "暗証番号(あんしょうばんごう)", "en": "PIN (4 digits)"} {
		if got := Spoken(lang, in); got != in {
			t.Errorf("%s %q spoken as %q", lang, in, got)
		}
	}
}
