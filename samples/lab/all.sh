#!/usr/bin/env bash
# Regenerate every capture under samples/captures from scratch: tear the lab down, bring it
# up, run every scenario, tear it down again (also on failure; KEEP_LAB=1 keeps it up).
#   samples/lab/all.sh            (or: make samples)
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
need_root_and_netns
cleanup() { [ "${KEEP_LAB:-0}" = 1 ] || "$LAB_DIR/lab.sh" down; }
trap cleanup EXIT
# tshark only writes the wire.txt summaries; install it when missing so that a full
# regeneration gives the same files everywhere
if ! command -v tshark >/dev/null 2>&1; then
    mkdir -p "$LOGDIR"
    log "installing tshark (for wire.txt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tshark >>"$LOGDIR/apt.log" 2>&1 ||
        { apt-get update >>"$LOGDIR/apt.log" 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tshark >>"$LOGDIR/apt.log" 2>&1; } ||
        die "apt-get install tshark failed (see $LOGDIR/apt.log)"
fi
"$LAB_DIR/lab.sh" down
"$LAB_DIR/lab.sh" up
rc=0
# one scenario at a time, so that a failure is reported and the others still run
for s in $("$LAB_DIR/scenario.sh" list); do
    "$LAB_DIR/scenario.sh" "$s" || { rc=1; log "scenario $s FAILED"; }
done
log "captures:"
( cd "$SAMPLES_DIR" && find captures -name '*.pcap' -printf '  %p %s bytes\n' | sort ) >&2
exit $rc
