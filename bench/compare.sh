#!/usr/bin/env bash
# bench/compare.sh — side-by-side benchmark of issue 7 on the same capture files, in one run.
#
#   bench/compare.sh [--runs N] [--no-tshark] [--ftpscope BIN | --rev REV] FILE...
#
# For each FILE (page cache warmed first with two `cat`s) it times, N times each (default 3,
# interleaved round-robin so that drifting load hits every tool alike; one uncounted warm-up
# run of each tool but tshark):
#   ftpscope -o json      ftpscope -r FILE -o json >/dev/null (built here with go build -o, or --ftpscope BIN)
#   tshark job            the tshark command of issue 7 (skip with --no-tshark: ~30 s a run)
#   tcpdump -nn -r        tcpdump -nn -r FILE >/dev/null
#   decode limit          bench/decodelimit: pcapgo zero-copy + DecodingLayerParser, bytes per 4-tuple
#   cat                   cat FILE >/dev/null
# and prints a Markdown table per file: median wall (min–max), median cpu (user+sys), MB/s and
# packets/s (file size and packets ÷ median wall), peak RSS (max over the runs), and the
# ratios "tshark ÷ this" and "this ÷ decode limit" (by wall time, and by cpu time, which
# drifts less when other jobs share the cores; ftpscope's GC runs on the second core, so
# its cpu can exceed its wall time). ftpscope is built from the working tree,
# or from git revision REV (--rev HEAD: the committed engine, without others' edits in
# progress), or taken as BIN. Wall time is taken with bash's
# EPOCHREALTIME around /usr/bin/time -v, which gives cpu and peak RSS. Progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNS=3 TSHARK=1 FTPSCOPE_BIN="" REV=""
FILES=()
die() { echo "compare.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift ;;
        --no-tshark) TSHARK=0 ;;
        --ftpscope) FTPSCOPE_BIN=$2; shift ;;
        --rev) REV=$2; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) FILES+=("$1") ;;
    esac
    shift
done
[ ${#FILES[@]} -gt 0 ] || die "no capture file given (try --help)"
for f in "${FILES[@]}"; do [ -r "$f" ] || die "cannot read $f"; done

need() { # PACKAGE COMMAND: apt-get install PACKAGE when COMMAND is missing
    [ -x "$2" ] || command -v "$2" >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || die "$2 missing; install the Debian package $1"
    log "apt-get install $1"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1"; }; } >&2 ||
        die "cannot install $1"
}
need time /usr/bin/time
need tcpdump tcpdump
[ "$TSHARK" = 1 ] && need tshark tshark
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

TMP=$(mktemp -d /tmp/ftpscope-compare-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
log "building ftpscope and decodelimit in $TMP"
( cd "$REPO" && "$GO" build -o "$TMP/decodelimit" ./bench/decodelimit ) || die "cannot build bench/decodelimit"
SRC_DESC=""
if [ -z "$FTPSCOPE_BIN" ] && [ -n "$REV" ]; then
    REV=$(git -C "$REPO" rev-parse --short "$REV") || die "no such revision"
    mkdir "$TMP/src"
    git -C "$REPO" archive "$REV" | tar -x -C "$TMP/src"
    ( cd "$TMP/src" && "$GO" build -o "$TMP/ftpscope" ./cmd/ftpscope ) || die "cannot build ftpscope at $REV"
    FTPSCOPE_BIN=$TMP/ftpscope SRC_DESC="built from git revision $REV"
elif [ -z "$FTPSCOPE_BIN" ]; then
    ( cd "$REPO" && "$GO" build -o "$TMP/ftpscope" ./cmd/ftpscope ) || die "cannot build ftpscope"
    FTPSCOPE_BIN=$TMP/ftpscope
    SRC_DESC="built from the working tree at $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$REPO" diff --quiet HEAD -- . 2>/dev/null || echo " with uncommitted changes")"
else
    SRC_DESC="given binary"
fi

TSHARK_FIELDS=(-T fields -e frame.number -e tcp.stream -e ftp.passive.ip -e ftp.passive.port
    -e ftp.active.cip -e ftp.active.port -e ftp.eprt.ip -e ftp.eprt.ipv6 -e ftp.eprt.port
    -e ftp.epsv.ip -e ftp.epsv.ipv6 -e ftp.epsv.port -z conv,tcp,ftp-data)
TOOLS=("ftpscope -o json")
[ "$TSHARK" = 1 ] && TOOLS+=("tshark job")
TOOLS+=("tcpdump -nn -r" "decode limit" "cat")

set_cmd() { # TOOL FILE: sets CMD
    case $1 in
        "ftpscope -o json") CMD=("$FTPSCOPE_BIN" -r "$2" -o json) ;;
        "tshark job") CMD=(tshark -r "$2" -Y "ftp.passive.port || ftp.active.port || ftp.eprt.port || ftp.epsv.port" "${TSHARK_FIELDS[@]}") ;;
        "tcpdump -nn -r") CMD=(tcpdump -nn -r "$2") ;;
        "decode limit") CMD=("$TMP/decodelimit" "$2") ;;
        "cat") CMD=(cat "$2") ;;
    esac
}

# measure TOOL FILE: one run; appends "wall cpu rss_kib rc" to $TMP/<tool>.runs
measure() {
    local tool=$1 file=$2 t0 t1 rc=0
    set_cmd "$tool" "$file"
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$TMP/time.out" "${CMD[@]}" >/dev/null 2>"$TMP/stderr.out" || rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" != 0 ]; then
        log "  $tool exited with status $rc: $(grep -v '^Running as user' "$TMP/stderr.out" | head -3 | tr '\n' ' ')"
    fi
    awk -v t0="$t0" -v t1="$t1" -v rc="$rc" '
        /User time \(seconds\)/ { u = $NF }
        /System time \(seconds\)/ { s = $NF }
        /Maximum resident set size/ { m = $NF }
        END { printf "%.4f %.2f %d %d\n", t1 - t0, u + s, m, rc }' "$TMP/time.out" >>"$TMP/${tool// /_}.runs"
}

# stats TOOL: prints "median_wall min max median_cpu max_rss_kib"
stats() {
    local f="$TMP/${1// /_}.runs" cpu
    cpu=$(sort -n -k2,2 "$f" | awk '{ c[NR] = $2 } END { print c[int((NR + 1) / 2)] }')
    sort -n "$f" | awk -v cpu="$cpu" '
        { w[NR] = $1; if ($3 > r) r = $3 }
        END { m = int((NR + 1) / 2); printf "%.4f %.4f %.4f %.2f %d\n", w[m], w[1], w[NR], cpu, r }'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

cat <<EOF
# ftpscope side-by-side benchmark

* date: $(date -u '+%Y-%m-%d %H:%M UTC')
* machine: $(nproc) × $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB, kernel $(uname -r)
* tools: $("$GO" version | cut -d' ' -f3), $(tcpdump --version 2>&1 | head -1)$( [ "$TSHARK" = 1 ] && echo ", $(tshark --version 2>/dev/null | head -1 | sed 's/ (Git.*//')")
* ftpscope: $SRC_DESC
* runs: $RUNS per tool, interleaved, median reported; one uncounted warm-up run per tool but tshark
EOF

for file in "${FILES[@]}"; do
    size=$(stat -L -c %s "$file")
    log "$file: warming the page cache"
    cat "$file" >/dev/null; cat "$file" >/dev/null
    counters=$("$TMP/decodelimit" "$file")
    packets=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$counters")
    rm -f "$TMP"/*.runs
    load0=$(load)
    for tool in "${TOOLS[@]}"; do
        [ "$tool" = "tshark job" ] && continue
        log "  warm-up: $tool"
        measure "$tool" "$file"
    done
    rm -f "$TMP"/*.runs
    for r in $(seq 1 "$RUNS"); do
        for tool in "${TOOLS[@]}"; do
            log "  run $r/$RUNS: $tool"
            measure "$tool" "$file"
        done
    done
    load1=$(load)
    read -r limit _ _ limitcpu _ < <(stats "decode limit")
    tshark="" tsharkcpu=""
    [ "$TSHARK" = 1 ] && read -r tshark _ _ tsharkcpu _ < <(stats "tshark job")
    read -r fts _ _ ftscpu ftsrss < <(stats "ftpscope -o json")
    echo
    echo "## $(basename "$file"): $(awk -v b="$size" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $packets packets"
    echo
    echo "load average before/after: $load0 / $load1; decodelimit: \`$counters\`"
    echo
    echo "| tool | wall median s (min–max) | cpu s | MB/s | packets/s | peak RSS MiB | tshark ÷ this | this ÷ decode limit | same, cpu |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for tool in "${TOOLS[@]}"; do
        read -r w lo hi cpu rss < <(stats "$tool")
        awk -v t="$tool" -v w="$w" -v lo="$lo" -v hi="$hi" -v cpu="$cpu" -v rss="$rss" -v size="$size" \
            -v pk="$packets" -v ts="$tshark" -v lim="$limit" -v limcpu="$limitcpu" 'BEGIN {
            name = t; if (t == "ftpscope -o json" || t == "decode limit") name = "**" t "**"
            rt = (ts == "") ? "–" : sprintf("%.1f×", ts / w)
            rc = (limcpu > 0) ? sprintf("%.2f×", cpu / limcpu) : "–"
            printf "| %s | %.3f (%.3f–%.3f) | %.2f | %.0f | %.2f M | %.0f | %s | %.2f× | %s |\n",
                name, w, lo, hi, cpu, size / 1e6 / w, pk / w / 1e6, rss / 1024, rt, w / lim, rc }'
    done
    echo
    awk -v f="$fts" -v ts="$tshark" -v lim="$limit" -v rss="$ftsrss" -v fc="$ftscpu" -v tc="$tsharkcpu" -v lc="$limitcpu" 'BEGIN {
        if (ts != "") printf "* tshark ÷ ftpscope: **%.1f×** (goal ≥ 25×); by cpu time %.1f×\n", ts / f, (fc > 0 ? tc / fc : 0)
        printf "* ftpscope ÷ decode limit: **%.2f×** (goal ≤ 2.5×); by cpu time %.2f×\n", f / lim, (lc > 0 ? fc / lc : 0)
        printf "* ftpscope peak RSS: **%.0f MiB** (goal ≤ 100 MiB)\n", rss / 1024 }'
done
