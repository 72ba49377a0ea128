#!/usr/bin/env bash
# End-to-end lab test for CI: bring the lab up, run the active-mode scenarios without and
# with the kernel FTP helper, check the gateway captures, and let ftpscope analyse them.
# The lab is torn down on exit, also on failure.
#
#   samples/lab/e2e.sh [COMMAND ARGS...]      e.g. samples/lab/e2e.sh ./ftpscope analyze
#   FTPSCOPE="./ftpscope analyze {}" samples/lab/e2e.sh
#
# COMMAND is run once per gateway capture; "{}" in it is replaced by the capture's path,
# otherwise the path is appended. It must exit 0 (FTPSCOPE_OK_CODES="0 1" widens that);
# its output is printed and kept as <scenario>/ftpscope.out beside the capture.
# Without a command only the captures are checked (pure byte checks, no tshark needed).
# E2E_OUT=DIR keeps the captures there instead of a temporary directory.
# Fails (never skips) when not root or when network namespaces cannot be created.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

need_root_and_netns
if [ $# -gt 0 ]; then CMD="$*"; else CMD=${FTPSCOPE:-}; fi
OK_CODES=${FTPSCOPE_OK_CODES:-0}
if [ -n "${E2E_OUT:-}" ]; then OUTDIR=$E2E_OUT; KEEP_OUT=1; mkdir -p "$OUTDIR"
else OUTDIR=$(mktemp -d /tmp/fs-e2e.XXXXXX); KEEP_OUT=0; fi

cleanup() {
    "$LAB_DIR/lab.sh" down || true
    [ "$KEEP_OUT" = 1 ] || rm -rf "$OUTDIR"
}
trap cleanup EXIT

PASS=0 FAIL=0
ok() { echo "  ok   $*"; PASS=$((PASS + 1)); }
bad() { echo "  FAIL $*"; FAIL=$((FAIL + 1)); }
contains() { # file string
    if grep -a -q -F -- "$2" "$1"; then ok "$(basename "$(dirname "$1")")/$(basename "$1") contains '$2'"
    else bad "$(basename "$(dirname "$1")")/$(basename "$1") lacks '$2'"; fi
}
lacks() {
    if grep -a -q -F -- "$2" "$1"; then bad "$(basename "$(dirname "$1")")/$(basename "$1") contains '$2'"
    else ok "$(basename "$(dirname "$1")")/$(basename "$1") lacks '$2'"; fi
}
linktype() { od -An -tu4 -j20 -N4 "$1" | tr -d ' '; }

"$LAB_DIR/lab.sh" up
if OUT="$OUTDIR" "$LAB_DIR/scenario.sh" active-nohelper active-helper; then
    ok "scenario.sh active-nohelper active-helper (its own wire checks)"
else
    bad "scenario.sh active-nohelper active-helper reported failed checks"
fi

NOH=$OUTDIR/active-nohelper/gateway.pcap
HLP=$OUTDIR/active-helper/gateway.pcap
for f in "$NOH" "$HLP"; do
    if [ -s "$f" ] && [ "$(linktype "$f")" = 276 ]; then ok "$f is a pcap in Linux cooked v2 (linktype 276)"
    else bad "$f missing or not Linux cooked v2"; fi
done
# without the helper the private address crosses the gateway untouched and vsftpd refuses it
contains "$NOH" "PORT 192,168,1,10,"
lacks "$NOH" "PORT 203,0,113,1,"
contains "$NOH" "500 Illegal PORT command."
contains "$NOH" "425 Use PORT or PASV first."
# with the helper the gateway rewrites PORT/EPRT and the transfers complete
contains "$HLP" "PORT 192,168,1,10,"
contains "$HLP" "PORT 203,0,113,1,"
contains "$HLP" "EPRT |1|203.0.113.1|"
contains "$HLP" "226 Transfer complete."
lacks "$HLP" "500 Illegal PORT command."

if [ -n "$CMD" ]; then
    for f in "$NOH" "$HLP"; do
        case "$CMD" in *"{}"*) c=${CMD//\{\}/$f} ;; *) c="$CMD $f" ;; esac
        echo "== $c"
        rc=0
        bash -c "$c" >"$(dirname "$f")/ftpscope.out" 2>&1 || rc=$?
        cat "$(dirname "$f")/ftpscope.out"
        if echo " $OK_CODES " | grep -q " $rc "; then ok "ftpscope on $(basename "$(dirname "$f")") exited $rc"
        else bad "ftpscope on $(basename "$(dirname "$f")") exited $rc"; fi
    done
else
    echo "  (no FTPSCOPE command given: captures checked only)"
fi

echo "e2e: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
