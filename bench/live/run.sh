#!/usr/bin/env bash
# Live-capture benchmark: a sustained bulk FTP transfer plus many short FTP sessions through
# the veth pair of net.sh, while ftpscope and tcpdump capture the same interface at once.
#
#   bench/live/run.sh [SECONDS]      (default 30; FTPSCOPE=path to a built binary, else built here;
#                                     WORKERS short-session threads, default 4; BULK=0 to leave it out;
#                                     IFACE=any to capture on every interface of the server namespace)
#
# Prints one markdown table row per capturer: packets delivered and per second, kernel
# received/dropped, CPU (% of one core), peak RSS. Raw outputs stay in $LIVE_OUT.
set -euo pipefail
SECS=${1:-30}
WORKERS=${WORKERS:-4}
BULK=${BULK:-1}
source "$(dirname "$0")/common.sh"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

# both capturers: same interface, same kernel buffer (32 MiB), whole packets
ip netns exec $SRV "$FTPSCOPE" -i "$IFACE" -o jsonl -q >"$LIVE_OUT/ftpscope.jsonl" 2>"$LIVE_OUT/ftpscope.err" &
FPID=$!
ip netns exec $SRV tcpdump -i "$IFACE" -B 32768 -s 0 -n -w /dev/null 2>"$LIVE_OUT/tcpdump.err" &
TPID=$!
cleanup() { kill -INT $FPID $TPID 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 1 100); do
    ip netns exec $SRV ss -0 -a -p -H 2>/dev/null | grep -q "pid=$FPID," &&
        grep -q "listening on" "$LIVE_OUT/tcpdump.err" && break
    sleep 0.05
done
T0=$(date +%s.%N); F0=$(cpu_ticks $FPID); D0=$(cpu_ticks $TPID)
[ "$BULK" = 1 ] && { ip netns exec $CLI python3 "$BENCH_DIR/load.py" bulk $SRV_IP "$SECS" >"$LIVE_OUT/bulk.json" & }
ip netns exec $CLI python3 "$BENCH_DIR/load.py" short $SRV_IP "$SECS" "$WORKERS" >"$LIVE_OUT/short.json"
wait %?bulk 2>/dev/null || true
sleep 2 # let both drain their buffers
T1=$(date +%s.%N); F1=$(cpu_ticks $FPID); D1=$(cpu_ticks $TPID)
FH=$(hwm_kib $FPID); DH=$(hwm_kib $TPID)
kill -INT $FPID $TPID
wait $FPID $TPID || true
trap - EXIT

python3 - "$LIVE_OUT" "$T0" "$T1" "$HZ" "$F0" "$F1" "$FH" "$D0" "$D1" "$DH" <<'PY'
import json, re, sys
out, t0, t1, hz, f0, f1, fh, d0, d1, dh = sys.argv[1:]
wall = float(t1) - float(t0); hz = int(hz)
summ = None; sessions = 0
for line in open(f"{out}/ftpscope.jsonl"):
    e = json.loads(line)
    if e["event"] == "session": sessions += 1
    if e["event"] == "summary": summ = e
src = summ["sources"][0]
err = open(f"{out}/tcpdump.err").read()
num = lambda pat: int(re.search(r"(\d+) " + pat, err).group(1))
short = json.load(open(f"{out}/short.json"))
try: bulk = json.load(open(f"{out}/bulk.json"))
except Exception: bulk = {"bytes": 0}
print(f"load: {wall:.1f} s, {short['sessions']} short sessions ({short['sessions']/wall:.0f}/s, {short['failed']} failed), "
      f"bulk {bulk['bytes']/wall/1e6:.0f} MB/s; ftpscope reported {sessions} sessions")
print("| capturer | packets delivered | packets/s | kernel received | kernel dropped | drop % | CPU (% of a core) | peak RSS |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
def row(name, got, recv, drop, ticks, hwm):
    pct = 100.0 * drop / recv if recv else 0
    print(f"| {name} | {got:,} | {got/wall:,.0f} | {recv:,} | {drop:,} | {pct:.1f} % | {100.0*ticks/hz/wall:.0f} % | {int(hwm)/1024:.0f} MiB |")
recv = src["packets"] + src["dropped"]  # no filter: every packet the kernel took is delivered or dropped
iface = src["name"]
row(f"ftpscope -i {iface} -o jsonl", src["packets"], recv, src["dropped"], int(f1) - int(f0), fh)
row("tcpdump -B 32768 -w /dev/null", num("packets captured"), num("packets received by filter"), num("packets dropped by kernel"), int(d1) - int(d0), dh)
PY
