#!/usr/bin/env bash
# The Windows build tested for real, under Wine 10 in a Debian 13 tree
# (scripts/windows/wine-tree.sh, cached in /var/cache/jpki-kiosk): builds
# and verifies the signed installer (a flipped byte must fail
# verification), installs it silently, runs the INSTALLED kioskctl.exe
# (card status, pin verify, pin change) through winscard.dll -> the host's
# pcscd + vpcd -> `kioskctl vcard serve`, creates a database with it, starts
# the installed kiosk in demo mode under Xvfb and screenshots it (not blank),
# uninstalls (database kept), reinstalls, uninstalls with /REMOVEDATA.
#
#   scripts/test-windows.sh          (root: chroot and bind mounts)
#
# Env: KIOSK_WINE_SHOT=FILE keeps the kiosk screenshot; KIOSK_WINE_SHOTS=DIR
# also screenshots the installer's pages (docs/deploy/); KIOSK_WINE_KEEP=1
# keeps the Wine prefix (in the tree, /tmp/jpki-wine) for a look afterwards. pcscd is shared with
# the Go tests: the card part takes card/pcsctest's lock and starts and stops
# its own pcscd by PID. Everything mounted is unmounted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=/tmp/jpki-kiosk-pcscd.lock
PIDFILE=/tmp/jpki-kiosk-pcscd.pid
SOCKET=/run/pcscd/pcscd.comm
VPCD=127.0.0.1:35963
DISP=${KIOSK_WINE_DISPLAY:-150} # issue 15's displays are :150-:159
PREFIX=/tmp/jpki-wine           # inside the tree

fail() { echo "test-windows: FAIL: $*" >&2; exit 1; }
t0=$(date +%s)
phase() { printf 'test-windows: %-44s (+%ss)\n' "$1" "$(($(date +%s) - t0))"; }

if [ "$(id -u)" -ne 0 ]; then # chroot and bind mounts
  command -v sudo >/dev/null || fail "needs root (chroot, bind mounts)"
  exec sudo env "PATH=$PATH" "$0" "$@"
fi
for tool in /usr/sbin/pcscd Xvfb import convert flock chroot mountpoint; do
  command -v "$tool" >/dev/null || fail "$tool not installed (scripts/install-deps.sh)"
done
[ -e /etc/reader.conf.d/vpcd ] || fail "vpcd driver not configured (vsmartcard-vpcd)"

phase "build the signed installer (make windows)"
scripts/windows/build.sh >/dev/null
VERSION=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
SETUP=dist/jpki-kiosk-setup-$VERSION.exe
[ -f "$SETUP" ] || fail "$SETUP not built"

tmp=$(mktemp -d)
TREE=""
mounted=()
pids=()
pcscd_pid=""
cleanup() {
  set +e
  if [ -n "$TREE" ] && [ -d "$TREE/usr/bin" ]; then
    chroot "$TREE" env WINEPREFIX=$PREFIX wineserver -k >/dev/null 2>&1
    # The prefix (about 770 MB) is made afresh by every run; KIOSK_WINE_KEEP=1 keeps it.
    [ -n "${KIOSK_WINE_KEEP:-}" ] || rm -rf "${TREE:?}$PREFIX" "$TREE/tmp/setup.exe" "$TREE"/tmp/wine-*
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null && wait "${pids[i]}" 2>/dev/null
  done
  if [ -n "$pcscd_pid" ]; then
    kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null
    rm -f "$PIDFILE"
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}"
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

phase "signatures: verify, and a flipped byte must fail"
for f in bin/windows/jpki-kiosk.exe bin/windows/kioskctl.exe "$SETUP"; do
  scripts/windows/sign.sh --verify "$f" >/dev/null || fail "$f: signature does not verify"
  cp "$f" "$tmp/flipped.exe"
  off=$(($(stat -c %s "$f") / 2))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf '%b' "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$tmp/flipped.exe" bs=1 seek="$off" conv=notrunc status=none
  cmp -s "$f" "$tmp/flipped.exe" && fail "byte not flipped"
  if out=$(scripts/windows/sign.sh --verify "$tmp/flipped.exe" 2>&1); then
    fail "$f with a flipped byte at $off still verifies"
  fi
  grep -q "MISMATCH" <<<"$out" || fail "$f with a flipped byte: not refused for its digest: $out"
done

phase "Debian 13 tree with Wine 10"
# One run at a time in the tree (its mounts, its prefix), also while it is built.
tree_dir=${JPKI_WINE_TREE:-/var/cache/jpki-kiosk/wine-trixie}
mkdir -p "$(dirname "$tree_dir")"
exec 8>"$tree_dir.lock"
flock -w 900 8 || fail "the Wine tree is in use ($tree_dir.lock)"
TREE=$(scripts/windows/wine-tree.sh "$tree_dir")

# The host's pcsc-lite client speaks the host pcscd's protocol (4:4);
# trixie's libpcsclite1 (4:5) hands every call to it.
mkdir -p "$TREE/opt/jpki"
cp "$(readlink -f /usr/lib/x86_64-linux-gnu/libpcsclite.so.1)" "$TREE/opt/jpki/libpcsclite.so.1"
mkdir -p /run/pcscd /tmp/.X11-unix
for m in /dev /proc /run/pcscd /tmp/.X11-unix; do
  mkdir -p "$TREE$m"
  mountpoint -q "$TREE$m" && fail "$TREE$m is already mounted (another run?)"
  mount --rbind "$m" "$TREE$m"
  mount --make-rslave "$TREE$m"
  mounted+=("$TREE$m")
done

Xvfb ":$DISP" -screen 0 1920x1080x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X$DISP" ] && break; sleep 0.1; done
[ -S "/tmp/.X11-unix/X$DISP" ] || fail "Xvfb :$DISP did not start"

# win CMD...: run in the tree under Wine; stdin and stdout pass through.
win() {
  chroot "$TREE" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY=":$DISP" \
    WINEPREFIX=$PREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" \
    LIBPCSCLITE_DELEGATE=/opt/jpki/libpcsclite.so.1 "$@"
}
C="$TREE$PREFIX/drive_c"
PF='C:\Program Files\JPKI Kiosk'
DATA='C:\ProgramData\JPKI Kiosk data' # not the default: /DATADIR is tested
CDATA="$C/ProgramData/JPKI Kiosk data"

phase "fresh Wine prefix"
rm -rf "${TREE:?}$PREFIX"
win wineboot -i >/dev/null 2>&1 || fail "wineboot"
win wineserver -w

phase "silent install (/S /PROFILE /DATADIR /KIOSKUSER)"
cp "$SETUP" "$TREE/tmp/setup.exe"
if [ -n "${KIOSK_WINE_SHOTS:-}" ]; then
  mkdir -p "$KIOSK_WINE_SHOTS"
  # The interactive installer's pages, for docs/DEPLOY.md.
  win wine /tmp/setup.exe >/dev/null 2>&1 &
  gui=$!
  for page in welcome directory options; do
    sleep 4
    import -display ":$DISP" -window root "$tmp/$page.png"
    convert "$tmp/$page.png" -trim +repage -colors 64 "$KIOSK_WINE_SHOTS/installer-$page.png"
    DISPLAY=":$DISP" xdotool key Return 2>/dev/null || true
  done
  sleep 2
  win wineserver -k >/dev/null 2>&1 || true
  wait "$gui" 2>/dev/null || true
  rm -rf "$C/Program Files/JPKI Kiosk" "$C/ProgramData/JPKI Kiosk"
  win wine reg delete 'HKLM\Software\JPKI Kiosk' /f >/dev/null 2>&1 || true
fi
# As typed in cmd.exe: an option's value runs to the next " /", spaces
# included (a quote before the slash would hide the option from NSIS).
read -ra datadir <<<"/DATADIR=$DATA"
win wine /tmp/setup.exe /S /PROFILE=kakamigahara "${datadir[@]}" /KIOSKUSER=kiosk1 >/dev/null 2>&1 || fail "silent install exited $?"
win wineserver -w
for f in jpki-kiosk.exe kioskctl.exe uninstall.exe icon.ico lockdown.ps1; do
  [ -f "$C/Program Files/JPKI Kiosk/$f" ] || fail "installed tree lacks $f"
done
[ -d "$CDATA/logs" ] || fail "data directory not created under ProgramData"
[ -f "$C/ProgramData/Microsoft/Windows/Start Menu/Programs/JPKI Kiosk/JPKI Kiosk.lnk" ] || fail "no Start-menu entry"
[ -f "$C/ProgramData/Microsoft/Windows/Start Menu/Programs/JPKI Kiosk/kioskctl.lnk" ] || fail "no Start-menu entry for kioskctl"
reg=$(win wine reg query 'HKLM\Software\JPKI Kiosk' 2>/dev/null | tr -d '\r')
grep -q 'Profile.*kakamigahara' <<<"$reg" || fail "profile option not recorded: $reg"
grep -q 'KioskUser.*kiosk1' <<<"$reg" || fail "kiosk account option not recorded: $reg"
grep -qF "$DATA" <<<"$reg" || fail "data directory option not recorded: $reg"
# Wine has no Smart Card service: the installer's SCardSvr check must say so.
grep -q 'SCardSvrAutoStart.*0x0' <<<"$reg" || fail "the SCardSvr check did not record its result: $reg"
for f in jpki-kiosk.exe kioskctl.exe uninstall.exe; do
  scripts/windows/sign.sh --verify "$C/Program Files/JPKI Kiosk/$f" >/dev/null || fail "installed $f not signed"
done

phase "installed kioskctl.exe: staff add + log verify (SQLite)"
KC=("$PF\\kioskctl.exe")
echo 'supervisor-password-1' | win wine "${KC[@]}" staff add --db "$DATA\\kiosk.db" --id super1 --role supervisor \
  >"$tmp/staff.out" 2>&1 || { cat "$tmp/staff.out"; fail "kioskctl.exe staff add"; }
win wine "${KC[@]}" log verify --db "$DATA\\kiosk.db" --json >"$tmp/log.out" 2>&1 || { cat "$tmp/log.out"; fail "kioskctl.exe log verify"; }
[ -f "$CDATA/kiosk.db" ] || fail "no database in the data directory"

phase "card through winscard.dll (pcscd lock)"
exec 9>"$LOCK"
flock -w 900 9 || fail "pcscd lock $LOCK busy"
/usr/sbin/pcscd --foreground --error >"$tmp/pcscd.log" 2>&1 &
pcscd_pid=$!
echo "$pcscd_pid" >"$PIDFILE"
for _ in $(seq 100); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || fail "pcscd did not start"
go build -o "$tmp/kioskctl" ./cmd/kioskctl
"$tmp/kioskctl" vcard serve --vpcd "$VPCD" --persona adult >"$tmp/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  "$tmp/kioskctl" readers --json 2>/dev/null | grep -q '"card_present": true' && break
  sleep 0.1
done

run() { # run NAME STDIN ARGS...: the installed kioskctl.exe, output in $tmp/NAME.json
  local name=$1 in=$2
  shift 2
  local rc=0
  printf '%s' "$in" | win wine "${KC[@]}" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
  tr -d '\r' <"$tmp/$name.json" >"$tmp/$name.j" && mv "$tmp/$name.j" "$tmp/$name.json"
  return $rc
}
run status "" card status --json || { cat "$tmp/status.json" "$tmp/status.err"; fail "card status through winscard"; }
grep -q '"card_type": "mynumber"' "$tmp/status.json" || { cat "$tmp/status.json"; fail "card status: not a My Number card"; }
grep -q '"reader": "Virtual PCD 00 00"' "$tmp/status.json" || { cat "$tmp/status.json"; fail "card status: reader"; }
grep -q '"not_after": "20' "$tmp/status.json" || { cat "$tmp/status.json"; fail "card status: no certificate expiry"; }
run verify $'1234\n' pin verify --which auth --json || { cat "$tmp/verify.json" "$tmp/verify.err"; fail "pin verify"; }
grep -q '"verified": true' "$tmp/verify.json" || fail "pin verify: $(cat "$tmp/verify.json")"
run change $'1234\n5678\n' pin change --which auth --json || { cat "$tmp/change.json" "$tmp/change.err"; fail "pin change"; }
run new $'5678\n' pin verify --which auth --json || fail "the new PIN does not verify: $(cat "$tmp/new.json")"
rc=0
run old $'1234\n' pin verify --which auth --json || rc=$?
[ "$rc" -eq 1 ] || fail "the old PIN: exit $rc, want 1"
grep -q '"error": "PIN_INCORRECT"' "$tmp/old.json" || fail "the old PIN: $(cat "$tmp/old.json")"
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true
unset 'pids[-1]'
kill "$pcscd_pid"
wait "$pcscd_pid" 2>/dev/null || true
pcscd_pid=""
rm -f "$PIDFILE"
exec 9>&-

phase "installed jpki-kiosk.exe -demo under Xvfb"
# Wine's ReportEventW prints each Event Log message on its "eventlog" debug
# channel: that shows what the kiosk's Windows-only oplog code sends.
win env WINEDEBUG=-all,+eventlog wine "$PF\\jpki-kiosk.exe" -demo >"$tmp/kiosk.log" 2>&1 &
kiosk=$!
pids+=("$kiosk")
shot="$tmp/kiosk.png"
blank=1
for _ in $(seq 30); do
  sleep 2
  kill -0 "$kiosk" 2>/dev/null || { cat "$tmp/kiosk.log"; fail "the kiosk exited"; }
  import -display ":$DISP" -window root "$shot" 2>/dev/null || continue
  colors=$(convert "$shot" -format '%k' info:)
  if [ "$colors" -ge 16 ]; then blank=0; break; fi
done
[ "$blank" -eq 0 ] || fail "the kiosk's first screen stayed blank ($colors colours)"
[ -n "${KIOSK_WINE_SHOT:-}" ] && cp "$shot" "$KIOSK_WINE_SHOT"
echo "test-windows: kiosk screenshot: $colors colours"
started='eventlog:ReportEventW L"started (profile moriya, issuer training, demo true)"'
for _ in $(seq 40); do grep -qF "$started" "$tmp/kiosk.log" && break; sleep 0.5; done
grep -qF "$started" "$tmp/kiosk.log" ||
  { grep -i eventlog "$tmp/kiosk.log" | head -5; fail "no 'started' message through ReportEventW"; }
win wineserver -k >/dev/null 2>&1 || true
wait "$kiosk" 2>/dev/null || true
unset 'pids[-1]'

phase "silent uninstall keeps the data directory"
win wine "$PF\\uninstall.exe" /S >/dev/null 2>&1 || fail "uninstall exited $?"
win wineserver -w
sleep 1
win wineserver -w
[ ! -e "$C/Program Files/JPKI Kiosk/kioskctl.exe" ] || fail "kioskctl.exe left behind"
[ ! -e "$C/ProgramData/Microsoft/Windows/Start Menu/Programs/JPKI Kiosk" ] || fail "Start-menu entries left behind"
[ -f "$CDATA/kiosk.db" ] || fail "the audit database was removed without /REMOVEDATA"

phase "reinstall, then uninstall /REMOVEDATA"
win wine /tmp/setup.exe /S >/dev/null 2>&1 || fail "reinstall exited $?"
win wineserver -w
reg=$(win wine reg query 'HKLM\Software\JPKI Kiosk' 2>/dev/null | tr -d '\r')
grep -q 'Profile.*kakamigahara' <<<"$reg" || fail "reinstall forgot the profile: $reg"
win wine "$PF\\kioskctl.exe" log verify --db "$DATA\\kiosk.db" >/dev/null 2>&1 || fail "kept database does not verify after reinstall"
win wine "$PF\\uninstall.exe" /S /REMOVEDATA >/dev/null 2>&1 || fail "uninstall /REMOVEDATA exited $?"
win wineserver -w
sleep 1
win wineserver -w
[ ! -e "$CDATA" ] || fail "/REMOVEDATA left the data directory"
rm -f "$TREE/tmp/setup.exe"
phase "ok"
