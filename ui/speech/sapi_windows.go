//go:build windows

package speech

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// SAPI is the Windows synthesiser: the speech API's SpVoice through COM,
// driven by a PowerShell script (no cgo). Text and paths go in environment
// variables, never into the script. Japanese voices ship with Japanese
// Windows; a language without an installed voice uses the default voice.
type SAPI struct{}

// sapiLCID is the SAPI "Language=" attribute (hex LCID) per language tag.
var sapiLCID = map[string]string{
	"ja": "411", "ja-x-easy": "411", "en": "409", "pt-BR": "416",
	"zh-Hans": "804", "ko": "412", "vi": "42A",
}

const sapiWAV = `$ErrorActionPreference = 'Stop'
$v = New-Object -ComObject SAPI.SpVoice
$t = $v.GetVoices('Language=' + $env:KIOSK_LCID)
if ($t.Count -gt 0) { $v.Voice = $t.Item(0) }
$v.Volume = [int]$env:KIOSK_VOLUME
if ($env:KIOSK_RATE) { $v.Rate = [int]$env:KIOSK_RATE }
$s = New-Object -ComObject SAPI.SpFileStream
$s.Open($env:KIOSK_WAV, 3, $false)
$v.AudioOutputStream = $s
[void]$v.Speak([Console]::In.ReadToEnd(), 0)
$s.Close()
`

// WAV speaks text into path through SAPI.
func (SAPI) WAV(ctx context.Context, lang, text string, volume int, path string) error {
	lcid, ok := sapiLCID[lang]
	if !ok {
		lcid = sapiLCID["en"]
	}
	rate := ""
	if lang == "ja-x-easy" {
		rate = "-2"
	}
	cmd := exec.CommandContext(ctx, "powershell", "-NoProfile", "-NonInteractive", "-Command", sapiWAV)
	cmd.Env = append(os.Environ(), "KIOSK_LCID="+lcid, "KIOSK_VOLUME="+strconv.Itoa(min(100, max(0, volume))),
		"KIOSK_WAV="+path, "KIOSK_RATE="+rate)
	cmd.Stdin = strings.NewReader(text)
	return cmd.Run()
}

const sapiPlay = `$ErrorActionPreference = 'Stop'
$v = New-Object -ComObject SAPI.SpVoice
if ($env:KIOSK_DEVICE) {
  $o = $v.GetAudioOutputs('Name=' + $env:KIOSK_DEVICE)
  if ($o.Count -eq 0) { exit 3 }
  $v.AudioOutput = $o.Item(0)
}
$s = New-Object -ComObject SAPI.SpFileStream
$s.Open($env:KIOSK_WAV, 0, $false)
[void]$v.SpeakStream($s, 0)
$s.Close()
`

// SAPIPlayer plays WAV files through SAPI on the audio output named Device
// ("" the default); a named output that is missing is an error (exit 3),
// never the default output.
type SAPIPlayer struct{ Device string }

// Play plays path and waits.
func (p SAPIPlayer) Play(ctx context.Context, path string) error {
	cmd := exec.CommandContext(ctx, "powershell", "-NoProfile", "-NonInteractive", "-Command", sapiPlay)
	cmd.Env = append(os.Environ(), "KIOSK_WAV="+path, "KIOSK_DEVICE="+p.Device)
	return cmd.Run()
}

// System returns the engine for this machine: SAPI for speech and playback.
func System(opts Options) (*Engine, error) {
	return New(SAPI{}, SAPIPlayer{Device: opts.Device}, opts)
}
