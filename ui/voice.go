package ui

import (
	"sort"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Voice is the speech output the kiosk uses in voice mode (package
// ui/speech implements it over espeak-ng or Windows SAPI). Calls come from
// the UI goroutine and must not block.
type Voice interface {
	// Say speaks text in language tag, cutting off what is being said.
	Say(lang, text string)
	// Click plays the one neutral key sound (PIN keys: the same sound for
	// every key, never the character).
	Click()
	// SetVolume sets the volume in percent (0–100).
	SetVolume(percent int)
	// Stop silences the voice at once.
	Stop()
}

const (
	defaultVolume = 70
	volumeStep    = 10
)

// voiceState is the resident's voice-guidance setting for one session.
type voiceState struct {
	on      bool
	volume  int
	spoken  string // the screen id last described
	lastSay string // what was last said (the repeat key says it again)
}

// VoiceOn reports whether voice guidance is on.
func (k *Kiosk) VoiceOn() bool { return k.voice.on }

// voiceKey is the voice key (* or F1, or the header's 音声案内 button): the
// first press starts voice guidance, later presses repeat the screen.
func (k *Kiosk) voiceKey() {
	k.voice.on = true
	k.voice.spoken = k.screenID
	k.say(k.describe(k.page))
}

func (k *Kiosk) changeVolume(dir int) {
	if !k.voice.on {
		return
	}
	v := min(100, max(0, k.voice.volume+dir*volumeStep))
	k.voice.volume = v
	if k.opts.Voice != nil {
		k.opts.Voice.SetVolume(v)
	}
	k.say(k.tr.T("speech.volume", "Level", v/volumeStep))
}

// keyClick is the neutral sound of a PIN key in voice mode.
func (k *Kiosk) keyClick() {
	if k.voice.on && k.opts.Voice != nil {
		k.opts.Voice.Click()
	}
}

// say speaks text in the resident's language when voice guidance is on.
func (k *Kiosk) say(text string) {
	if !k.voice.on {
		return
	}
	k.voice.lastSay = text
	if k.opts.Voice != nil {
		k.opts.Voice.SetVolume(k.voice.volume)
		k.opts.Voice.Say(k.tr.Lang(), text)
	}
}

// LastSpoken returns what voice guidance last said (tests, the repeat key).
func (k *Kiosk) LastSpoken() string { return k.voice.lastSay }

// resetResident ends the resident's settings when the next resident's
// session begins (back on the insert-card screen): voice guidance off,
// volume, standard text size and palette.
func (k *Kiosk) resetResident() {
	if k.voice.on && k.opts.Voice != nil {
		k.opts.Voice.Stop()
	}
	k.voice = voiceState{volume: defaultVolume}
	if k.large || k.high {
		k.large, k.high = false, false
		standardPalette.use()
		k.textNow = 0
		k.fitText(k.root.Size())
		k.app.Settings().SetTheme(NewTheme(k.textNow).ForLang(k.tr.Lang()))
	}
}

// spokenPage describes a newly shown screen in voice mode (once per screen:
// the idle countdown's seconds do not restart it).
func (k *Kiosk) spokenPage(id string, p Page, framed fyne.CanvasObject) {
	if !k.voice.on || id == k.voice.spoken {
		return
	}
	k.voice.spoken = id
	k.say(k.describe(p))
}

// describe is a page's spoken description: the title, the texts of the
// body in reading order (never a PIN field's content), then what can be done
// and with which key — all from the catalogues in the resident's language.
func (k *Kiosk) describe(p Page) string {
	tr := k.tr
	parts := []string{p.Title}
	if p.Body != nil {
		collectTexts(p.Body, &parts)
	}
	if k.pin != nil {
		parts = append(parts, tr.T("speech.keys.pin"))
	}
	choices := 0
	for _, id := range k.order {
		if id != k.primary && id != "back" && id != "cancel" {
			choices++
		}
	}
	if choices > 0 {
		parts = append(parts, tr.N("speech.keys.choices", choices))
	}
	if b := k.buttons[k.primary]; b != nil && !b.Disabled() {
		parts = append(parts, tr.T("speech.keys.enter", "Label", b.Text))
	}
	for _, id := range []string{"back", "cancel"} {
		if b := k.buttons[id]; b != nil && !b.Disabled() {
			parts = append(parts, tr.T("speech.keys.escape", "Label", b.Text))
			break
		}
	}
	parts = append(parts, tr.T("speech.keys.repeat"))
	var out []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); strings.IndexFunc(s, readable) >= 0 {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}

// readable: a letter or digit (texts of symbols only, like "▼", are not read).
func readable(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// collectTexts appends the texts shown in o, in layout order. It reads
// labels and paragraphs only: buttons are announced as choices, and PIN
// fields and keypads are widgets whose content is never read out.
func collectTexts(o fyne.CanvasObject, out *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	switch v := o.(type) {
	case *Paragraph:
		*out = append(*out, v.Raw())
	case *widget.Label:
		*out = append(*out, v.Text)
	case *canvas.Text:
		*out = append(*out, v.Text)
	case *widget.RichText:
		*out = append(*out, v.String())
	case *container.Scroll:
		collectTexts(v.Content, out)
	case *container.ThemeOverride: // compact panels (Tight), a language's own font
		collectTexts(v.Content, out)
	case *fyne.Container:
		// In reading order: top to bottom, then left to right (a Border
		// layout lists its centre before the label on its left).
		objs := append([]fyne.CanvasObject(nil), v.Objects...)
		sort.SliceStable(objs, func(i, j int) bool {
			a, b := objs[i].Position(), objs[j].Position()
			if a.Y != b.Y && (a.Y+objs[i].Size().Height <= b.Y || b.Y+objs[j].Size().Height <= a.Y) {
				return a.Y < b.Y
			}
			return a.X < b.X
		})
		for _, c := range objs {
			collectTexts(c, out)
		}
	}
}

// SetVoice sets the speech output (after New, e.g. when the system voice
// starts late; nil silences the kiosk).
func (k *Kiosk) SetVoice(v Voice) { k.opts.Voice = v }
