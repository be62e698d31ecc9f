// Package assets holds the files the kiosk embeds: the BIZ UDGothic font (with
// its licence), municipality profiles, translations and document texts. It
// exports plain bytes and file systems only, so that any package may use it
// without pulling in the UI toolkit.
package assets

import "embed"

// Fonts holds BIZ UDGothic Regular and Bold, the subset of Noto Sans CJK SC
// for Korean, Simplified Chinese and Vietnamese, and their SIL Open Font
// Licenses.
//
//go:embed fonts/*.ttf fonts/*.otf fonts/OFL*.txt
var Fonts embed.FS

//go:generate go run ./internal/fontsubset

// I18n holds the kiosk's translations, one go-i18n JSON catalogue per
// language (i18n/ja.json, i18n/en.json, ...); package ui/i18n reads them.
//
//go:embed i18n/*.json
var I18n embed.FS

// FontRegular is BIZ UDGothic Regular, the kiosk's text font.
func FontRegular() []byte { return mustRead(Fonts, "fonts/BIZUDGothic-Regular.ttf") }

// FontBold is BIZ UDGothic Bold, for headings and buttons.
func FontBold() []byte { return mustRead(Fonts, "fonts/BIZUDGothic-Bold.ttf") }

// FontPropRegular is BIZ UDPGothic Regular, the family's proportional
// variant, for Latin-script languages (English reads poorly in the
// fixed-width Latin letters of BIZ UDGothic).
func FontPropRegular() []byte { return mustRead(Fonts, "fonts/BIZUDPGothic-Regular.ttf") }

// FontPropBold is BIZ UDPGothic Bold.
func FontPropBold() []byte { return mustRead(Fonts, "fonts/BIZUDPGothic-Bold.ttf") }

// FontCJKRegular is Noto Sans CJK SC Regular, subset to the characters of
// the Korean, Simplified Chinese, Vietnamese and English catalogues (made by
// `go generate ./assets`), for the languages BIZ UDGothic cannot draw.
func FontCJKRegular() []byte { return mustRead(Fonts, "fonts/NotoSansCJKsc-Regular-subset.otf") }

// FontCJKBold is the same subset of Noto Sans CJK SC Bold.
func FontCJKBold() []byte { return mustRead(Fonts, "fonts/NotoSansCJKsc-Bold-subset.otf") }

// Profiles holds the municipality profiles (profiles/NAME.toml), read by
// package policy (policy.LoadProfile).
//
//go:embed profiles/*.toml
var Profiles embed.FS

// Policy holds the texts of the policy codes (reasons, documents, PIN rules,
// revocation causes) in Japanese and English, read by package policy.
//
//go:embed policy/*.toml
var Policy embed.FS

func mustRead(fs embed.FS, name string) []byte {
	b, err := fs.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error()) // embedded at build time: cannot fail at run time
	}
	return b
}
