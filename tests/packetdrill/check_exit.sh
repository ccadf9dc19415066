#!/bin/sh
# tests/packetdrill/check_exit.sh TCPSIM FILE.pkt
# Runs `tcpsim packetdrill FILE.pkt` and checks the exit status and the
# place of the error that the script's comments name:
#   // expect exit N        (2: cannot parse / not supported, 1: mismatch)
#   // expect at LINE[:COL] (the output must contain FILE:LINE[:COL]:)
exe=$1
f=$2
want_code=$(sed -n 's|^// expect exit \([0-9]*\).*|\1|p' "$f" | head -n 1)
want_at=$(sed -n 's|^// expect at \([0-9:]*\).*|\1|p' "$f" | head -n 1)
if [ -z "$want_code" ] || [ -z "$want_at" ]; then
  echo "$f: no '// expect exit N' and '// expect at LINE[:COL]' comments"
  exit 1
fi
out=$("$exe" packetdrill "$f" 2>&1)
code=$?
printf '%s\n' "$out"
if [ "$code" != "$want_code" ]; then
  echo "check_exit.sh: exit status $code, expected $want_code"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -qF "$f:$want_at:"; then
  echo "check_exit.sh: the output does not name $f:$want_at:"
  exit 1
fi
echo "check_exit.sh: exit $code at $f:$want_at as expected"
