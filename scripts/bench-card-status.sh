#!/usr/bin/env bash
# Figures for docs/PERFORMANCE.md, section "Card status": APDU count and wall
# time of `kioskctl card status` against OpenSC (`pkcs15-tool
# --read-certificate 01` plus `pkcs15-tool --list-pins`, which together show
# about the same facts) on the same virtual card, served by `kioskctl vcard
# serve` to pcscd through vpcd, in one run.
#
#   scripts/bench-card-status.sh [N]      (N runs of each, default 10)
#
# pcscd is shared with the integration tests: this script takes the same
# lock as card/pcsctest (/tmp/jpki-kiosk-pcscd.lock), starts its own pcscd
# and stops it, and the card server, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-10}
PERSONA=${PERSONA:-adult}
LOCK=/tmp/jpki-kiosk-pcscd.lock
PIDFILE=/tmp/jpki-kiosk-pcscd.pid
SOCKET=/run/pcscd/pcscd.comm
VPCD=127.0.0.1:35963

for tool in /usr/sbin/pcscd pkcs15-tool flock; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -e /etc/reader.conf.d/vpcd ] || { echo "bench: vpcd driver not configured (vsmartcard-vpcd)" >&2; exit 1; }

tmp=$(mktemp -d)
pcscd_pid=""
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/kioskctl" ./cmd/kioskctl
K="$tmp/kioskctl"

exec 9>"$LOCK"
flock -w 600 9 || { echo "bench: pcscd lock $LOCK busy" >&2; exit 1; }

/usr/sbin/pcscd --foreground --error >"$tmp/pcscd.log" 2>&1 &
pcscd_pid=$!
echo "$pcscd_pid" >"$PIDFILE"
for _ in $(seq 100); do [ -S "$SOCKET" ] && break; sleep 0.1; done

"$K" vcard serve --vpcd "$VPCD" --persona "$PERSONA" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  "$K" readers --json 2>/dev/null | grep -q '"card_present": true' && break
  sleep 0.1
done
"$K" readers --json | grep -q '"card_present": true' || { echo "bench: no card in the vpcd reader" >&2; cat "$tmp/serve.log" >&2; exit 1; }

now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }

# Both tools must succeed on this card before they are timed.
"$K" card status --json >"$tmp/k.out" || { echo "bench: kioskctl card status failed" >&2; cat "$tmp/k.out" >&2; exit 1; }
pkcs15-tool --read-certificate 01 >"$tmp/o.out" 2>&1 || { echo "bench: pkcs15-tool --read-certificate 01 failed" >&2; cat "$tmp/o.out" >&2; exit 1; }
grep -q "BEGIN CERTIFICATE" "$tmp/o.out" || { echo "bench: OpenSC printed no certificate" >&2; cat "$tmp/o.out" >&2; exit 1; }
pkcs15-tool --list-pins >"$tmp/o.out" 2>&1 || { echo "bench: pkcs15-tool --list-pins failed" >&2; cat "$tmp/o.out" >&2; exit 1; }
if [ -n "${BENCH_SHOW:-}" ]; then cat "$tmp/k.out" "$tmp/o.out"; fi

# kioskctl reports its own APDU count.
k_apdus=0; k_times=()
for _ in $(seq "$N"); do
  t0=$(now_ms)
  out=$("$K" card status --json)
  t1=$(now_ms)
  k_apdus=$(sed -n 's/.*"apdus": \([0-9]*\).*/\1/p' <<<"$out")
  k_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')")
done

# kioskctl card status --genuine: the whole auth certificate, checked
# against the J-LIS roots.
g_apdus=0; g_times=()
for _ in $(seq "$N"); do
  t0=$(now_ms)
  out=$("$K" card status --genuine --json)
  t1=$(now_ms)
  g_apdus=$(sed -n 's/.*"apdus": \([0-9]*\).*/\1/p' <<<"$out")
  g_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')")
done

# OpenSC: APDUs counted from its debug log ("Outgoing APDU" lines), timed
# without the log (logging slows it down).
o_apdus=0; o_times=()
for _ in $(seq "$N"); do
  t0=$(now_ms)
  pkcs15-tool --read-certificate 01 >/dev/null 2>&1
  pkcs15-tool --list-pins >/dev/null 2>&1
  t1=$(now_ms)
  o_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')")
done
o_apdus=0
for cmd in "--read-certificate 01" "--list-pins"; do
  # shellcheck disable=SC2086
  n=$(OPENSC_DEBUG=9 pkcs15-tool $cmd 2>&1 >/dev/null | grep -c "Outgoing APDU" || true)
  o_apdus=$((o_apdus + n))
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1; s+=$1} END{printf "%8.1f %8.1f %8.1f", a[int((NR+1)/2)], s/NR, a[NR]}'; }

echo
echo "Card status on the virtual card (persona $PERSONA) through pcscd + vpcd, $N runs each:"
echo
printf '| %-52s | %5s | %8s | %8s | %8s |\n' "command" "APDUs" "median" "mean" "max"
printf '| %-52s | %5s | %8s | %8s | %8s |\n' "----------------------------------------------------" "----:" "-------:" "-------:" "-------:"
printf '| %-52s | %5s | %s |\n' "kioskctl card status" "$k_apdus" "$(stats "${k_times[@]}" | awk '{printf "%6.1f ms | %6.1f ms | %6.1f ms", $1, $2, $3}')"
printf '| %-52s | %5s | %s |\n' "kioskctl card status --genuine" "$g_apdus" "$(stats "${g_times[@]}" | awk '{printf "%6.1f ms | %6.1f ms | %6.1f ms", $1, $2, $3}')"
printf '| %-52s | %5s | %s |\n' "pkcs15-tool --read-certificate 01 + --list-pins" "$o_apdus" "$(stats "${o_times[@]}" | awk '{printf "%6.1f ms | %6.1f ms | %6.1f ms", $1, $2, $3}')"
echo
echo "kioskctl: token, auth certificate serial and validity, three PIN counters."
echo "OpenSC: auth certificate (whole) and the PIN list with tries left."
