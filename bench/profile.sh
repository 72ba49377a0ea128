#!/usr/bin/env bash
# bench/profile.sh — CPU profile of ftpscope's whole `-o json` job on a capture file.
#
#   bench/profile.sh [--rev REV] [--count N] [--top N] [--out DIR] FILE
#
# Runs the whole-file benchmark (analysis.BenchmarkRun/json: read, decode, dissect, diagnose,
# streamed JSON to io.Discard) N times (default 3) under `go test -cpuprofile`, then prints
# the benchmark line and `go tool pprof -top` (flat, then cumulative). The profile and the
# test binary stay in DIR (default /var/tmp/ftpscope-bench/profiles) for further
# `go tool pprof` use. --rev builds the tests from a git revision (e.g. HEAD, without
# others' edits in progress) instead of the working tree.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
REV="" COUNT=3 TOP=30 OUT=/var/tmp/ftpscope-bench/profiles FILE=""
die() { echo "profile.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
        --rev) REV=$2; shift ;;
        --count) COUNT=$2; shift ;;
        --top) TOP=$2; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) FILE=$1 ;;
    esac
    shift
done
[ -r "$FILE" ] || die "no readable capture file given (try --help)"
FILE=$(cd "$(dirname "$FILE")" && pwd -P)/$(basename "$FILE")
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
case "$OUT/" in "$REPO"/*) die "--out lies inside the repository" ;; esac

SRC=$REPO
TMP=""
if [ -n "$REV" ]; then
    REV=$(git -C "$REPO" rev-parse --short "$REV") || die "no such revision"
    TMP=$(mktemp -d /tmp/ftpscope-profile-XXXXXX)
    trap 'rm -rf "$TMP"' EXIT
    git -C "$REPO" archive "$REV" | tar -x -C "$TMP"
    SRC=$TMP
fi
name=$(basename "$FILE" .pcap)
prof=$OUT/$name.cpu.out
bin=$OUT/$name.analysis.test
cat "$FILE" >/dev/null
( cd "$SRC" && FTPSCOPE_BENCH_PCAP=$FILE "$GO" test -run XXX -bench 'BenchmarkRun/json' -benchtime "${COUNT}x" \
    -benchmem -cpuprofile "$prof" -o "$bin" ./analysis/ ) | grep -E '^(Benchmark|cpu:)'
echo
echo "revision: ${REV:-working tree}; profile: $prof"
echo
"$GO" tool pprof -top -nodecount="$TOP" "$bin" "$prof" 2>/dev/null
echo
"$GO" tool pprof -top -cum -nodecount="$TOP" "$bin" "$prof" 2>/dev/null | sed -n '/flat%/,$p'
