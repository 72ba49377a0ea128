#!/usr/bin/env bash
# Soak run: ftpscope captures continuous short FTP sessions (half passive, half active) for
# MINUTES (default 12) through the veth pair of net.sh; its RSS is sampled every 10 s.
#
#   bench/live/soak.sh [MINUTES]     (FTPSCOPE=path to a built binary; WORKERS default 2;
#                                     IFACE default eth0, "any" to see sessions per interface;
#                                     EXTRA=more arguments, e.g. for heapprobe: "-heapdir DIR")
#
# Writes $LIVE_OUT/soak.csv (elapsed_s,rss_kib,hwm_kib,cpu_s) and prints a summary.
set -euo pipefail
MIN=${1:-12}
WORKERS=${WORKERS:-2}
source "$(dirname "$0")/common.sh"
FIFO=$LIVE_OUT/soak.fifo
rm -f "$FIFO"; mkfifo "$FIFO"
# count the JSON lines as they come (they are not kept: hours of them would fill /tmp)
python3 -c '
import sys, json
n = {}
last = ""
for l in sys.stdin:
    e = json.loads(l)["event"]
    n[e] = n.get(e, 0) + 1
    last = l
print(json.dumps(n))
print(last, end="")' <"$FIFO" >"$LIVE_OUT/soak.events" &
CPID=$!
# shellcheck disable=SC2086
ip netns exec $SRV "$FTPSCOPE" -i "$IFACE" -o jsonl -q ${EXTRA:-} >"$FIFO" 2>"$LIVE_OUT/soak.err" &
FPID=$!
trap 'kill -INT $FPID 2>/dev/null || true' EXIT
for i in $(seq 1 100); do
    ip netns exec $SRV ss -0 -a -p -H 2>/dev/null | grep -q "pid=$FPID," && break
    sleep 0.05
done
SECS=$((MIN * 60))
ip netns exec $CLI python3 "$BENCH_DIR/load.py" short $SRV_IP "$SECS" "$WORKERS" >"$LIVE_OUT/soak-load.json" &
LPID=$!
echo "elapsed_s,rss_kib,hwm_kib,cpu_s" >"$LIVE_OUT/soak.csv"
T0=$(date +%s)
while kill -0 $LPID 2>/dev/null; do
    now=$(( $(date +%s) - T0 ))
    rss=$(awk '/VmRSS/{print $2}' /proc/$FPID/status)
    hwm=$(awk '/VmHWM/{print $2}' /proc/$FPID/status)
    cpu=$(awk -v hz="$HZ" '{printf "%.1f", ($14 + $15) / hz}' /proc/$FPID/stat)
    echo "$now,$rss,$hwm,$cpu" >>"$LIVE_OUT/soak.csv"
    sleep 10
done
wait $LPID || true
sleep 8 # the last sessions conclude (control linger)
kill -INT $FPID
wait $FPID || true
trap - EXIT
wait $CPID || true
rm -f "$FIFO"
python3 - "$LIVE_OUT" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/soak.csv")))
ev = open(f"{out}/soak.events").read().splitlines()
counts, summ = json.loads(ev[0]), json.loads(ev[1])
load = json.load(open(f"{out}/soak-load.json"))
rss = [int(r["rss_kib"]) / 1024 for r in rows]
n = len(rss)
first, last = rss[: max(1, n // 10)], rss[-max(1, n // 10):]
print(f"{rows[-1]['elapsed_s']} s, {load['sessions']} sessions by the clients ({load['failed']} failed), "
      f"{counts.get('session', 0)} session events, {counts.get('channel', 0)} channel events; "
      f"kernel dropped {summ['sources'][0]['dropped']}; packets {summ['stats']['packets']:,}; cpu {rows[-1]['cpu_s']} s")
print(f"RSS MiB: min {min(rss):.1f}, max {max(rss):.1f}, mean of first tenth {sum(first)/len(first):.1f}, "
      f"mean of last tenth {sum(last)/len(last):.1f}, peak (VmHWM) {int(rows[-1]['hwm_kib'])/1024:.1f}")
for r in rows[:: max(1, n // 12)]:
    print(f"  t={r['elapsed_s']:>4}s rss={int(r['rss_kib'])/1024:6.1f} MiB")
PY
