# The kiosk's build. The README's two commands are `make demo` and `make test`.
GO      ?= go
WINCC   ?= x86_64-w64-mingw32-gcc
BIN     := bin

.PHONY: deps demo test unit integration vet cross windows build screenshots golden clean

deps:
	scripts/install-deps.sh

## demo: the kiosk with a virtual card and the training issuer, no hardware.
demo: deps
	$(GO) run ./cmd/jpki-kiosk -demo

## test: every test — unit, PC/SC through pcscd + vpcd, OpenSC fidelity, UI, Windows build.
test: deps
	scripts/test.sh

build:
	$(GO) build -o $(BIN)/ ./cmd/...

## cross: the Windows terminals' binaries (MinGW for Fyne's cgo).
cross:
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WINCC) \
		$(GO) build -o $(BIN)/windows/ ./cmd/jpki-kiosk ./cmd/kioskctl

## windows: the signed installer dist/jpki-kiosk-setup-VERSION.exe (NSIS, osslsigncode;
## a real certificate from JPKI_SIGN_PKCS12 + JPKI_SIGN_PASSWORD, else a throwaway test one).
windows: deps
	GO=$(GO) WINCC=$(WINCC) scripts/windows/build.sh

## screenshots: every screen, as the journeys of ui/demo reach it, in every
## offered language (ja and en at both panels), into docs/screens/. The PNGs
## are then reduced to 256 colours (ImageMagick, no dithering: PSNR about 63 dB,
## 40 % of the size) to keep the repository small.
screenshots:
	rm -rf docs/screens
	$(GO) run ./cmd/screenshots -out docs/screens
	find docs/screens -name '*.png' -print0 | xargs -0 -n 40 mogrify -dither None -colors 256 -define png:format=png8

## golden: rewrite the screens' golden markup (ui/testdata/golden/) after an
## intended change of a screen; review the diff before committing.
golden:
	$(GO) test ./ui -run TestGoldenScreens -count=1 -update

clean:
	rm -rf $(BIN) dist
