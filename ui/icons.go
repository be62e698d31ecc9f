package ui

import "fyne.io/fyne/v2"

// languageIcon is a globe, the usual sign of a language choice. Drawn in the
// foreground colour (not themed: the recolouring fills the outlines).
var languageIcon = fyne.NewStaticResource("language.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<g fill="none" stroke="#1A1A1A" stroke-width="1.8">
<circle cx="12" cy="12" r="9.5"/>
<ellipse cx="12" cy="12" rx="4.2" ry="9.5"/>
<path d="M2.5 12h19M4 7h16M4 17h16"/>
</g></svg>`))

// cardIcon is a My Number card seen from the front (chip on the left).
var cardIcon = fyne.NewStaticResource("card.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
<rect x="1.5" y="4.5" width="21" height="15" rx="2" fill="none" stroke="#000000" stroke-width="1.6"/>
<rect x="4" y="9" width="5" height="4" rx="0.8" fill="#000000"/>
<path d="M12 9h8M12 12h8M12 15h5" stroke="#000000" stroke-width="1.4"/>
</svg>`))
