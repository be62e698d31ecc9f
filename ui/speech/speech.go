// Package speech is the kiosk's voice: text to speech through the operating
// system (espeak-ng on Linux, SAPI through COM on Windows), one neutral key
// sound for PIN keys, a volume, and a headphone-only mode that never falls
// back to the loudspeaker. It has no Fyne: *Engine satisfies ui.Voice.
package speech

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// ErrNoHeadphones: headphone-only mode is set but the headphone output is
// not configured or not present. Nothing is played (no loudspeaker fallback).
var ErrNoHeadphones = errors.New("speech: headphone-only mode and no headphone output; nothing played")

// Synth turns text into a WAV file.
type Synth interface {
	// WAV speaks text in language tag (ja, ja-x-easy, en, pt-BR, ...) into
	// a WAV file at path, at volume percent (0–100).
	WAV(ctx context.Context, lang, text string, volume int, path string) error
}

// Player plays a WAV file on an audio output and returns when it is done
// or ctx is cancelled.
type Player interface {
	Play(ctx context.Context, path string) error
}

// Options configure an Engine.
type Options struct {
	// Device is the audio output (ALSA device name on Linux, SAPI audio
	// output name on Windows); empty: the system default.
	Device string
	// HeadphoneOnly refuses to play unless Device is set and present.
	HeadphoneOnly bool
	// OnError is told about synthesis or playback failures (never the text).
	OnError func(error)
}

// withReading is a kanji word of やさしい日本語 followed by its reading in
// parentheses, as the catalogue writes it: 暗証番号(あんしょうばんごう).
var withReading = regexp.MustCompile(`[\p{Han}々ヶ]+\(([\p{Hiragana}ー]+)\)`)

// Spoken is the text as the voice reads it: in やさしい日本語 (ja-x-easy)
// a kanji word with its reading is read once, by the reading the screen
// shows (not the word and then the reading, nor the synthesiser's guess).
func Spoken(lang, text string) string {
	if lang != "ja-x-easy" {
		return text
	}
	return withReading.ReplaceAllString(text, "$1")
}

// Engine speaks one text at a time: a new Say cuts off the one before.
type Engine struct {
	synth  Synth
	player Player
	opts   Options
	dir    string
	click  string

	mu     sync.Mutex
	volume int
	cancel context.CancelFunc
	n      int
}

// New returns an engine over synth and player. It writes its WAV files in
// a private temporary directory (Close removes it).
func New(synth Synth, player Player, opts Options) (*Engine, error) {
	dir, err := os.MkdirTemp("", "kiosk-speech-")
	if err != nil {
		return nil, err
	}
	e := &Engine{synth: synth, player: player, opts: opts, dir: dir, volume: 70,
		click: filepath.Join(dir, "click.wav")}
	if err := os.WriteFile(e.click, ClickWAV(), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return e, nil
}

// Close stops speech and removes the engine's files.
func (e *Engine) Close() error {
	e.Stop()
	return os.RemoveAll(e.dir)
}

// SetVolume sets the volume of later speech, in percent (clamped to 0–100).
func (e *Engine) SetVolume(percent int) {
	e.mu.Lock()
	e.volume = min(100, max(0, percent))
	e.mu.Unlock()
}

// Stop cuts off what is being said.
func (e *Engine) Stop() {
	e.mu.Lock()
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.mu.Unlock()
}

// Say speaks text in lang in the background, cutting off the text before.
func (e *Engine) Say(lang, text string) {
	text = Spoken(lang, text)
	e.mu.Lock()
	if e.cancel != nil {
		e.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.n++
	path := filepath.Join(e.dir, "say-"+itoa(e.n)+".wav")
	vol := e.volume
	e.mu.Unlock()
	go func() {
		defer os.Remove(path)
		if err := e.synth.WAV(ctx, lang, text, vol, path); err != nil {
			e.fail(ctx, err)
			return
		}
		e.fail(ctx, e.play(ctx, path))
	}()
}

// Click plays the neutral key sound: the same file, the same way, whatever
// the key; it does not wait for the sound to end.
func (e *Engine) Click() {
	go e.fail(context.Background(), e.play(context.Background(), e.click))
}

func (e *Engine) play(ctx context.Context, path string) error {
	if e.opts.HeadphoneOnly && e.opts.Device == "" {
		return ErrNoHeadphones
	}
	return e.player.Play(ctx, path)
}

func (e *Engine) fail(ctx context.Context, err error) {
	if err != nil && ctx.Err() == nil && e.opts.OnError != nil {
		e.opts.OnError(err)
	}
}

// Speak synthesises text into path and waits (tests, kioskctl).
func (e *Engine) Speak(ctx context.Context, lang, text, path string) error {
	e.mu.Lock()
	vol := e.volume
	e.mu.Unlock()
	return e.synth.WAV(ctx, lang, text, vol, path)
}

// ClickWAV is the key sound: 60 ms of a 1 kHz tone with soft edges, 16-bit
// mono at 22050 Hz. It is generated, not recorded, and the same for every key.
func ClickWAV() []byte {
	const rate, ms, hz = 22050, 60, 1000.0
	n := rate * ms / 1000
	data := make([]byte, 44+2*n)
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1) // PCM
	binary.LittleEndian.PutUint16(data[22:], 1) // mono
	binary.LittleEndian.PutUint32(data[24:], rate)
	binary.LittleEndian.PutUint32(data[28:], rate*2)
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		env := math.Min(1, math.Min(float64(i), float64(n-i))/float64(n/6))
		v := int16(12000 * env * math.Sin(2*math.Pi*hz*float64(i)/rate))
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(v))
	}
	return data
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
