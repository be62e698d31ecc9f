#!/usr/bin/env bash
# Installs the Debian packages the kiosk needs to build, run the demo and run
# every test: Fyne's cgo/GL headers, PC/SC with the vpcd virtual reader,
# OpenSC (fidelity tests), Xvfb (real-window test), MinGW (Windows build), zbar
# (zbarimg reads printed receipts' QR codes back in tests), the BIZ UDGothic font,
# PostgreSQL (fleet integration tests), espeak-ng, sox, alsa-utils and kakasi (voice
# guidance), and for the Windows installer and its Wine test NSIS, osslsigncode,
# debootstrap and shellcheck. Idempotent: apt runs only when something is missing.
set -euo pipefail

pkgs=(
  build-essential pkg-config
  libgl1-mesa-dev xorg-dev
  libpcsclite-dev pcscd vsmartcard-vpcd
  opensc openssl
  xvfb xdotool imagemagick
  zbar-tools
  gcc-mingw-w64-x86-64 nsis osslsigncode debootstrap shellcheck
  fonts-morisawa-bizud-gothic
  postgresql
  fonts-noto-cjk fonttools
  espeak-ng sox alsa-utils kakasi
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# A pcscd started by the package's service scripts would hold the vpcd port:
# tests start their own pcscd and stop it by PID.
if command -v systemctl >/dev/null && systemctl is-active --quiet pcscd.socket 2>/dev/null; then
  systemctl stop pcscd.socket pcscd.service || true
fi
command -v go >/dev/null || { echo "install-deps: Go toolchain not found (needs go $(sed -n 's/^go //p' go.mod))" >&2; exit 1; }
