#!/usr/bin/env bash
# `make windows`: the signed NSIS installer dist/jpki-kiosk-setup-VERSION.exe
# with jpki-kiosk.exe and kioskctl.exe (MinGW cross-compile, icon and version
# resource from FyneApp.toml), every executable Authenticode-signed
# (scripts/windows/sign.sh: a real certificate from JPKI_SIGN_PKCS12 and
# JPKI_SIGN_PASSWORD, else a throwaway test certificate) and verified.
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
WINCC=${WINCC:-x86_64-w64-mingw32-gcc}
WINDRES=${WINDRES:-x86_64-w64-mingw32-windres}
OUT=bin/windows
DIST=dist

for tool in makensis "$WINCC" "$WINDRES" convert osslsigncode; do
  command -v "$tool" >/dev/null || { echo "windows: $tool not installed (scripts/install-deps.sh)" >&2; exit 1; }
done

toml() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
VERSION=$(toml Version)
NAME=$(toml Name)
ICONPNG=$(toml Icon)
BUILDNO=$(toml Build)
URL=$(toml Website)
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "windows: FyneApp.toml Version '$VERSION' is not X.Y.Z" >&2; exit 1; }
[ -f "$ICONPNG" ] || { echo "windows: icon $ICONPNG (FyneApp.toml) missing" >&2; exit 1; }
PUBLISHER="JPKI kiosk project"

mkdir -p "$OUT" "$DIST"
# The .ico (16–256 px) from the PNG, for the executables and the installer.
convert "$ICONPNG" -define icon:auto-resize=256,64,48,32,16 "$OUT/icon.ico"

# A Windows resource (icon, version information) per program, as a .syso
# that go build links; removed again so the tree stays clean.
sysos=()
trap 'rm -f "${sysos[@]}"' EXIT
commas=${VERSION//./,},${BUILDNO:-0}
for prog in jpki-kiosk kioskctl; do
  desc="$NAME"
  [ "$prog" = kioskctl ] && desc="$NAME command-line tool"
  cat >"$OUT/$prog.rc" <<RC
1 ICON "icon.ico"
1 VERSIONINFO
FILEVERSION $commas
PRODUCTVERSION $commas
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "$PUBLISHER"
      VALUE "FileDescription", "$desc"
      VALUE "FileVersion", "$VERSION"
      VALUE "InternalName", "$prog"
      VALUE "OriginalFilename", "$prog.exe"
      VALUE "ProductName", "$NAME"
      VALUE "ProductVersion", "$VERSION"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
  syso="cmd/$prog/zz_resource_windows_amd64.syso"
  sysos+=("$syso")
  (cd "$OUT" && "$WINDRES" -O coff -o "../../$syso" "$prog.rc")
done

CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$WINCC" \
  "$GO" build -trimpath -ldflags "-H windowsgui" -o "$OUT/jpki-kiosk.exe" ./cmd/jpki-kiosk
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$WINCC" \
  "$GO" build -trimpath -o "$OUT/kioskctl.exe" ./cmd/kioskctl
rm -f "${sysos[@]}"

scripts/windows/sign.sh "$OUT/jpki-kiosk.exe" "$OUT/kioskctl.exe"

setup="$DIST/jpki-kiosk-setup-$VERSION.exe"
makensis -V2 -INPUTCHARSET UTF8 \
  -DVERSION="$VERSION" -DNAME="$NAME" -DPUBLISHER="$PUBLISHER" -DURL="$URL" \
  -DBINDIR="$PWD/$OUT" -DICON="$PWD/$OUT/icon.ico" -DSCRIPTDIR="$PWD/scripts/windows" \
  -DOUTFILE="$PWD/$setup" -DSIGN="$PWD/scripts/windows/sign.sh" \
  scripts/windows/installer.nsi
scripts/windows/sign.sh "$setup"
scripts/windows/sign.sh --verify "$OUT/jpki-kiosk.exe" "$OUT/kioskctl.exe" "$setup"
echo "windows: $setup ($(stat -c %s "$setup") bytes)"
