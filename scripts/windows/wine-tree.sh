#!/usr/bin/env bash
# Makes (once) the Debian 13 (trixie) tree whose Wine runs the Windows
# binaries in the tests: Wine 10 bridges winscard.dll to pcsc-lite and has
# bcryptprimitives.dll, which Go 1.24+ Windows binaries need; Debian 12's Wine
# has neither. The tree lives outside the clone and is reused; it is rebuilt
# when its stamp is missing or names a different package list.
# (usr/bin/wine is a link to /etc/alternatives inside the tree, so it is
# tested as a link.)
#
#   scripts/windows/wine-tree.sh [DIR]     prints DIR when the tree is ready
#
# DIR defaults to $JPKI_WINE_TREE or /var/cache/jpki-kiosk/wine-trixie.
# The mirror is the first http(s) Debian mirror in /etc/apt/sources.list*.
set -euo pipefail

DIR=${1:-${JPKI_WINE_TREE:-/var/cache/jpki-kiosk/wine-trixie}}
PKGS=wine64,wine,libpcsclite1,libgl1-mesa-dri,libglx-mesa0,libgl1
STAMP="$DIR/.jpki-kiosk-stamp"
WANT="trixie minbase $PKGS"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -L "$DIR/usr/bin/wine" ]; then
  echo "$DIR"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "wine-tree: debootstrap not installed (scripts/install-deps.sh)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "wine-tree: debootstrap needs root" >&2; exit 1; }

mirror=$(grep -rhoE '(URIs:|^deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
  /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

# Never delete through a bind mount (/dev, /proc of a run that was killed).
if grep -qF " $DIR/" /proc/mounts || grep -qF " $DIR.partial/" /proc/mounts; then
  echo "wine-tree: something is still mounted under $DIR (see /proc/mounts); unmount it first" >&2
  exit 1
fi
mkdir -p "$(dirname "$DIR")"
tmp="$DIR.partial"
rm -rf --one-file-system "$tmp"
echo "wine-tree: debootstrap trixie from $mirror into $DIR (once; about 2 minutes)" >&2
start=$(date +%s)
debootstrap --variant=minbase --include="$PKGS" trixie "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
  echo "wine-tree: debootstrap failed; last lines of $tmp.log:" >&2
  tail -20 "$tmp.log" >&2
  exit 1
}
# apt's package cache is not needed to run Wine.
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
rm -rf --one-file-system "$DIR"
mv "$tmp" "$DIR"
echo "$WANT" >"$STAMP"
echo "wine-tree: ready in $(( $(date +%s) - start )) s ($(du -sh "$DIR" | cut -f1))" >&2
echo "$DIR"
