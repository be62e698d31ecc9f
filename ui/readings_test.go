package ui

import (
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestEasyReadings: in やさしい日本語 the title, button labels and bold
// text show kept kanji without readings; body text gives each reading at
// the word's first occurrence on the page only.
func TestEasyReadings(t *testing.T) {
	test.NewTempApp(t)
	first, second := Body("暗証番号(あんしょうばんごう)を 入(い)れて ください。"), Body("暗証番号(あんしょうばんごう)は 4つの 数字(すうじ)です。")
	bold := Strong("署名用(しょめいよう)の 暗証番号(あんしょうばんごう)")
	b := widget.NewButton("1つ 消(け)す", nil)
	p := easyReadings(Page{
		Title:   "暗証番号(あんしょうばんごう)を 入(い)れる",
		Body:    container.NewVBox(first, container.NewHBox(bold, b), second),
		Primary: &Action{Label: "窓口(まどぐち)へ 行(い)く"},
	})
	for _, c := range []struct{ what, got, want string }{
		{"title", p.Title, "暗証番号を 入れる"},
		{"primary", p.Primary.Label, "窓口へ 行く"},
		{"button", b.Text, "1つ 消す"},
		{"bold", bold.Text, "署名用の 暗証番号"},
		{"first body text", first.Text, "暗証番号(あんしょうばんごう)を 入(い)れて ください。"},
		{"second body text", second.Text, "暗証番号は 4つの 数字(すうじ)です。"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
}
