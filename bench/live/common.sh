# Sourced by run.sh and soak.sh: the lab pair of namespaces, the output
# folder and the ftpscope binary under test (FTPSCOPE, else built here).
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
IFACE=${IFACE:-eth0}
LIVE_OUT=${LIVE_OUT:-/tmp/fs-live/out}
SRV=fs-live-srv CLI=fs-live-cli SRV_IP=198.51.100.20
mkdir -p "$LIVE_OUT"
"$BENCH_DIR/net.sh" up >/dev/null
if [ -z "${FTPSCOPE:-}" ]; then
    FTPSCOPE=$LIVE_OUT/ftpscope
    (cd "$REPO" && go build -o "$FTPSCOPE" ./cmd/ftpscope)
fi
HZ=$(getconf CLK_TCK)
