#!/usr/bin/env bash
# bench/memory.sh — peak memory of ftpscope from 20,000 to 200,000 logging-in
# sessions (issue 17): bounded memory means the peak does not follow the
# capture.
#
#   bench/memory.sh [--sessions "20000 200000"] [--runs 3] [--out DIR] [--limit 10]
#
# For each size it writes DIR/logins-N.pcap with bench/logins (every session
# logs in and leaves a finding; six refused logins of one client in every
# hundred sessions make the brute-force upgrade) unless it exists, then
# measures, --runs times each, the median peak resident set size of:
#
#   json   ftpscope -r F -o json  >/dev/null      (/usr/bin/time -v)
#   jsonl  ftpscope -r F -o jsonl >/dev/null      (/usr/bin/time -v)
#   tui    bench/memprobe -o tui -r F: the terminal UI's model in live mode,
#          fed running sessions every 250 ms, a snapshot taken every 250 ms,
#          under the soft memory limit of a live run (64 MiB, as ftpscope -i)
#
# and prints a table with the ratio of each size to the first; then, from
# one memprobe run of each output and size, the live heap the collector
# found after its cycles (median and largest): what the program holds,
# which peak RSS follows at about twice, plus what the Go collector lets
# accumulate while a cycle runs (more cycles in a longer run, on a busier
# machine, meet a longer one). It exits 1 when a peak RSS ratio exceeds
# 1 + LIMIT/100. DIR defaults to /var/tmp/ftpscope-mem; needs Go and GNU
# time (Debian package "time"); no root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIZES="20000 200000" RUNS=3 OUT=/var/tmp/ftpscope-mem LIMIT=10
while [ $# -gt 0 ]; do
    case $1 in
        --sessions) SIZES=$2; shift ;;
        --runs) RUNS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --limit) LIMIT=$2; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "memory.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -x /usr/bin/time ] || { echo "memory.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
mkdir -p "$OUT"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
(cd "$REPO" && "$GO" build -o "$BIN/ftpscope" ./cmd/ftpscope && "$GO" build -o "$BIN/memprobe" ./bench/memprobe &&
    "$GO" build -o "$BIN/logins" ./bench/logins)

# peak RSS in KiB of one run
rss() { # MODE FILE
    local mode=$1 f=$2
    if [ "$mode" = tui ]; then
        "$BIN/memprobe" -o tui -r "$f" | sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p'
    else
        /usr/bin/time -v "$BIN/ftpscope" -q -r "$f" -o "$mode" 2>"$BIN/time" >/dev/null
        sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\)/\1/p' "$BIN/time"
    fi
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A PEAK
for n in $SIZES; do
    f=$OUT/logins-$n.pcap
    [ -s "$f" ] || "$BIN/logins" -sessions "$n" -o "$f"
done
for mode in json jsonl tui; do
    for n in $SIZES; do
        vals=""
        for _ in $(seq 1 "$RUNS"); do vals="$vals $(rss "$mode" "$OUT/logins-$n.pcap")"; done
        PEAK[$mode,$n]=$(echo "$vals" | median)
        echo "$mode $n sessions: peak RSS KiB$vals (median ${PEAK[$mode,$n]})" >&2
    done
done

first=${SIZES%% *}
fail=0
printf '| output |'; for n in $SIZES; do printf ' %s sessions |' "$n"; done; printf ' largest ÷ %s |\n' "$first"
printf '|---|'; for _ in $SIZES; do printf -- '---|'; done; printf -- '---|\n'
for mode in json jsonl tui; do
    printf '| %s |' "$mode"
    for n in $SIZES; do printf ' %.1f MiB |' "$(echo "${PEAK[$mode,$n]} / 1024" | bc -l)"; done
    last=${SIZES##* }
    ratio=$(echo "${PEAK[$mode,$last]} / ${PEAK[$mode,$first]}" | bc -l)
    printf ' %.3f |\n' "$ratio"
    if [ "$(echo "$ratio > 1 + $LIMIT / 100" | bc -l)" = 1 ]; then fail=1; fi
done
echo
printf '| live heap after GC cycles (memprobe) |'; for n in $SIZES; do printf ' %s: median / max (cycles) |' "$n"; done; printf '\n'
printf '|---|'; for _ in $SIZES; do printf -- '---|'; done; printf '\n'
for mode in json jsonl tui; do
    printf '| %s |' "$mode"
    for n in $SIZES; do
        line=$("$BIN/memprobe" -o "$mode" -r "$OUT/logins-$n.pcap")
        med=$(echo "$line" | sed -n 's/.*live_heap_median_kib=\([0-9]*\).*/\1/p')
        mx=$(echo "$line" | sed -n 's/.*live_heap_max_kib=\([0-9]*\).*/\1/p')
        cyc=$(echo "$line" | sed -n 's/.*gc_cycles=\([0-9]*\).*/\1/p')
        printf ' %.1f / %.1f MiB (%s) |' "$(echo "$med / 1024" | bc -l)" "$(echo "$mx / 1024" | bc -l)" "$cyc"
    done
    printf '\n'
done
exit $fail
