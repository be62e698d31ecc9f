#!/usr/bin/env bash
# Authenticode signing of the Windows executables with osslsigncode.
#
#   scripts/windows/sign.sh FILE...            sign each FILE in place (SHA-256)
#   scripts/windows/sign.sh --verify FILE...   check each FILE's signature
#   scripts/windows/sign.sh --ca               print the test CA certificate's path
#
# A real code-signing certificate comes from the environment, never from the
# repository: JPKI_SIGN_PKCS12 (path to a .p12/.pfx) and JPKI_SIGN_PASSWORD
# (its password; passed to osslsigncode through a 0600 file, not argv), and
# JPKI_SIGN_CAFILE (PEM, for --verify). Without them a throwaway test CA and
# code-signing certificate are made once in $JPKI_TESTSIGN_DIR (default
# ~/.cache/jpki-kiosk/testsign), outside the clone.
# JPKI_SIGN_TIMESTAMP=URL adds an RFC 3161 timestamp (needs the network).
set -euo pipefail

NAME="JPKI Kiosk"
URL="https://github.com/jpki-kiosk/kiosk"

testcert() {
  local d=${JPKI_TESTSIGN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jpki-kiosk/testsign}
  if [ ! -s "$d/sign.p12" ] || [ ! -s "$d/ca.pem" ]; then
    mkdir -p "$d"
    chmod 700 "$d"
    local t
    t=$(mktemp -d)
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=JPKI Kiosk TEST CA (not trusted)" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=JPKI Kiosk TEST code signing/O=TEST ONLY" \
      -keyout "$t/sign.key" -out "$t/sign.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >"$t/ext"
    openssl x509 -req -in "$t/sign.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 3650 \
      -extfile "$t/ext" -out "$t/sign.pem" 2>/dev/null
    openssl pkcs12 -export -inkey "$t/sign.key" -in "$t/sign.pem" -certfile "$t/ca.pem" \
      -passout pass:test -out "$t/sign.p12"
    cp "$t/ca.pem" "$t/sign.p12" "$d/"
    echo test >"$d/password"
    chmod 600 "$d/sign.p12" "$d/password"
    rm -rf "$t"
    echo "sign: made a throwaway TEST code-signing certificate in $d" >&2
  fi
  P12="$d/sign.p12" PASSFILE="$d/password" CAFILE="$d/ca.pem"
}

setup() {
  if [ -n "${JPKI_SIGN_PKCS12:-}" ]; then
    [ -r "$JPKI_SIGN_PKCS12" ] || { echo "sign: JPKI_SIGN_PKCS12=$JPKI_SIGN_PKCS12 not readable" >&2; exit 1; }
    P12=$JPKI_SIGN_PKCS12
    PASSFILE=$(mktemp)
    trap 'rm -f "$PASSFILE"' EXIT
    printf '%s' "${JPKI_SIGN_PASSWORD:-}" >"$PASSFILE"
    CAFILE=${JPKI_SIGN_CAFILE:-}
  else
    testcert
  fi
}

command -v osslsigncode >/dev/null || { echo "sign: osslsigncode not installed (scripts/install-deps.sh)" >&2; exit 1; }
[ $# -ge 1 ] || { echo "usage: sign.sh [--verify] FILE... | --ca" >&2; exit 2; }

case $1 in
--ca)
  setup
  echo "$CAFILE"
  ;;
--verify)
  shift
  setup
  for f in "$@"; do
    args=(verify -in "$f")
    [ -n "$CAFILE" ] && args+=(-CAfile "$CAFILE")
    if ! out=$(osslsigncode "${args[@]}" 2>&1); then
      echo "sign: $f: signature NOT valid" >&2
      grep -E 'MISMATCH|failed|[Ee]rror' <<<"$out" >&2 || printf '%s\n' "$out" | tail -5 >&2
      exit 1
    fi
    grep -q "Signature verification: ok" <<<"$out" || { echo "sign: $f: no 'Signature verification: ok'" >&2; exit 1; }
    echo "sign: $f: signature ok"
  done
  ;;
*)
  setup
  for f in "$@"; do
    args=(sign -pkcs12 "$P12" -readpass "$PASSFILE" -h sha256 -n "$NAME" -i "$URL")
    [ -n "${JPKI_SIGN_TIMESTAMP:-}" ] && args+=(-ts "$JPKI_SIGN_TIMESTAMP")
    osslsigncode "${args[@]}" -in "$f" -out "$f.signed" >/dev/null
    mv "$f.signed" "$f"
  done
  ;;
esac
