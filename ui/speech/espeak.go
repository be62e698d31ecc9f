package speech

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
)

// Espeak is the Linux synthesiser: espeak-ng, text on stdin (never on the
// command line, where other users could read it). espeak-ng cannot read
// kanji (it says "Chinese letter" for each), so Japanese text first goes
// through kakasi, which writes the kanji in hiragana.
type Espeak struct {
	// Bin is the program; empty: "espeak-ng".
	Bin string
	// Kakasi is the kanji-to-kana converter; empty: "kakasi" (Debian
	// package kakasi). When it is missing, Japanese is spoken as it is.
	Kakasi string
}

// Kana returns Japanese text with its kanji in hiragana (kakasi -JH), or
// the text unchanged when kakasi is not installed or fails.
func (s Espeak) Kana(ctx context.Context, text string) string {
	bin := s.Kakasi
	if bin == "" {
		bin = "kakasi"
	}
	if _, err := exec.LookPath(bin); err != nil {
		return text
	}
	cmd := exec.CommandContext(ctx, bin, "-i", "utf8", "-o", "utf8", "-JH")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return text
	}
	return string(out)
}

// espeakVoices maps the kiosk's language tags to espeak-ng voices and a
// speed in words per minute (easy Japanese slower).
var espeakVoices = map[string]struct {
	voice string
	wpm   int
}{
	"ja": {"ja", 150}, "ja-x-easy": {"ja", 120}, "en": {"en-us", 155},
	"pt-BR": {"pt-br", 155}, "zh-Hans": {"cmn", 150}, "ko": {"ko", 150}, "vi": {"vi", 150},
}

// VoiceFor returns the espeak-ng voice and speed for a language tag
// (English for an unknown tag).
func VoiceFor(lang string) (string, int) {
	v, ok := espeakVoices[lang]
	if !ok {
		v = espeakVoices["en"]
	}
	return v.voice, v.wpm
}

// WAV runs espeak-ng into path; volume 0–100 maps to espeak's amplitude 0–200.
func (s Espeak) WAV(ctx context.Context, lang, text string, volume int, path string) error {
	bin := s.Bin
	if bin == "" {
		bin = "espeak-ng"
	}
	voice, wpm := VoiceFor(lang)
	if voice == "ja" {
		text = s.Kana(ctx, text)
	}
	cmd := exec.CommandContext(ctx, bin, "--stdin", "-v", voice, "-s", strconv.Itoa(wpm),
		"-a", strconv.Itoa(2*min(100, max(0, volume))), "-w", path)
	cmd.Stdin = strings.NewReader(text)
	return cmd.Run()
}

// Aplay plays WAV files through ALSA's aplay on Device ("" the default).
type Aplay struct{ Device string }

// Play runs aplay and waits.
func (a Aplay) Play(ctx context.Context, path string) error {
	args := []string{"-q"}
	if a.Device != "" {
		args = append(args, "-D", a.Device)
	}
	return exec.CommandContext(ctx, "aplay", append(args, "--", path)...).Run()
}
