#!/bin/sh
# Resident memory of the kiosk under Xvfb (docs/PERFORMANCE.md, "Memory").
#
#   scripts/measure-kiosk-memory.sh [BINARY] [DISPLAY] [SESSIONS]
#
# Starts Xvfb (1920x1080) on DISPLAY (default :99) and BINARY -demo
# -memprofile (default: built from ./cmd/jpki-kiosk into a temporary
# directory), reads the memory idle 30 s after start, walks SESSIONS
# (default 8) residents' sessions by clicking the demo panel (a persona's
# card in, the status screen, the card out), waits 20 s and reads it again.
# Prints VmRSS/RssAnon/RssFile, the Go runtime's figures (SIGUSR1 to
# -memprofile) and the largest mappings' RSS from /proc/PID/smaps. Needs
# Xvfb and xdotool. Kills what it started, by PID.
set -eu
tmp=$(mktemp -d)
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$tmp/jpki-kiosk
	go build -o "$bin" ./cmd/jpki-kiosk
fi
disp=${2:-:99}
sessions=${3:-8}
Xvfb "$disp" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
kpid=
cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null || true
	kill "$xpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
sleep 1
DISPLAY=$disp "$bin" -demo -data "$tmp/data" -memprofile "$tmp/heap.pb.gz" 2>"$tmp/err" &
kpid=$!

report() {
	echo "== $1"
	grep -E '^(VmRSS|RssAnon|RssFile|VmHWM)' /proc/$kpid/status | tr -s ' \t' ' ' | paste -sd' '
	kill -USR1 $kpid
	sleep 2
	grep '^memory' "$tmp/err" | tail -1
	awk '/^[0-9a-f]+-[0-9a-f]+ /{n=$6; if(n=="") n="[anon]"; next}
	     /^Rss:/{r[n]+=$2} END{for(n in r) if(r[n]>=4096) printf "  %7.1f MB %s\n", r[n]/1024, n}' /proc/$kpid/smaps | sort -rn
}

sleep 30
report "idle, 30 s after start"
# The demo panel (a window at 0,0) over the kiosk: its persona buttons and
# "Remove card" at these positions on a 1920x1080 screen.
panel=$(DISPLAY=$disp xdotool search --name 'Demo operator panel' | head -1)
i=0
while [ "$i" -lt "$sessions" ]; do
	y=$(echo 527 645 780 527 | cut -d' ' -f$((i % 4 + 1)))
	DISPLAY=$disp xdotool windowraise "$panel" mousemove 127 "$y" click 1
	sleep 4
	DISPLAY=$disp xdotool windowraise "$panel" mousemove 274 111 click 1
	sleep 3
	i=$((i + 1))
done
sleep 20
report "idle after $sessions sessions"
