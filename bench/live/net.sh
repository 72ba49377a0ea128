#!/usr/bin/env bash
# Two network namespaces joined by one veth pair, an FTP server in one, clients in the other:
#
#   fs-live-cli  eth0 198.51.100.10/24  ==veth==  eth0 198.51.100.20/24  fs-live-srv (vsftpd)
#
# Nothing is in, or connected to, the root namespace. Offloads are off on both ends so the
# packets on the wire are MTU-sized, as on a real link (and the packet rate is realistic).
#
#   bench/live/net.sh up | down | status
# State (configs, ftp root, pids, logs) lives in $LIVE_RUN (default /tmp/fs-live).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
LIVE_RUN=${LIVE_RUN:-/tmp/fs-live}
CLI=fs-live-cli SRV=fs-live-srv
CLI_IP=198.51.100.10 SRV_IP=198.51.100.20

die() { echo "net.sh: $*" >&2; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

vsftpd_bin() {
    # The lab's helpers find vsftpd (an installed one, or the Debian package unpacked in
    # its cache) and create the unprivileged fs-ftp user; nothing of the lab is started.
    # shellcheck source=../../samples/lab/common.sh
    ( . "$REPO/samples/lab/common.sh"; LOGDIR=$LIVE_RUN; ensure_packages >/dev/null; echo "$VSFTPD" )
}

up() {
    [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
    if ip netns list | grep -qw "$SRV"; then echo "already up"; return 0; fi
    mkdir -p "$LIVE_RUN/root/incoming" "$LIVE_RUN/empty" "$LIVE_RUN/pids"
    local v; v=$(vsftpd_bin) || die "no vsftpd"
    ip netns add $CLI
    ip netns add $SRV
    ip -n $CLI link add eth0 type veth peer name eth0 netns $SRV
    local ns ip
    for ns in $CLI $SRV; do
        ip=$CLI_IP; [ $ns = $SRV ] && ip=$SRV_IP
        ip -n $ns link set lo up
        ip -n $ns addr add $ip/24 dev eth0
        ip -n $ns link set eth0 up
        nsx $ns ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1 || true
    done
    # files: a small one for the short sessions, a large sparse one for the bulk transfer
    head -c 1024 /dev/urandom >"$LIVE_RUN/root/small.txt"
    truncate -s 2G "$LIVE_RUN/root/big.bin"
    chown fs-ftp "$LIVE_RUN/root/incoming"
    cat >"$LIVE_RUN/vsftpd.conf" <<CONF
background=NO
listen=YES
listen_ipv6=NO
listen_address=$SRV_IP
anonymous_enable=YES
local_enable=NO
anon_root=$LIVE_RUN/root
write_enable=NO
ftp_username=fs-ftp
nopriv_user=fs-ftp
secure_chroot_dir=$LIVE_RUN/empty
connect_from_port_20=YES
port_enable=YES
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=39999
max_clients=0
max_per_ip=0
isolate=NO
isolate_network=NO
seccomp_sandbox=NO
tcp_wrappers=NO
pam_service_name=vsftpd
xferlog_enable=NO
dirmessage_enable=NO
use_localtime=NO
idle_session_timeout=60
data_connection_timeout=60
CONF
    chmod 600 "$LIVE_RUN/vsftpd.conf"
    nsx $SRV "$v" "$LIVE_RUN/vsftpd.conf" </dev/null >"$LIVE_RUN/vsftpd.log" 2>&1 &
    echo $! >"$LIVE_RUN/pids/vsftpd"
    local i
    for i in $(seq 1 50); do
        nsx $SRV ss -Hltn "sport = :21" | grep -q . && break
        sleep 0.1
    done
    nsx $SRV ss -Hltn "sport = :21" | grep -q . || die "vsftpd did not start: $(cat "$LIVE_RUN/vsftpd.log")"
    echo "up: $CLI $CLI_IP <-> $SRV $SRV_IP (vsftpd pid $(cat "$LIVE_RUN/pids/vsftpd"))"
}

down() {
    local f pid
    for f in "$LIVE_RUN"/pids/*; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        # only a process that lives in one of our namespaces
        if [ -n "$pid" ] && ip netns identify "$pid" 2>/dev/null | grep -q '^fs-live-'; then
            kill "$pid" 2>/dev/null || true
        fi
        rm -f "$f"
    done
    local ns
    for ns in $CLI $SRV; do
        ip netns pids $ns 2>/dev/null | while read -r pid; do kill "$pid" 2>/dev/null || true; done
        ip netns del $ns 2>/dev/null || true
    done
    rm -f "$LIVE_RUN/root/big.bin"
}

case "${1:-}" in
up) up ;;
down) down ;;
status) ip netns list | grep fs-live- || echo "down" ;;
*) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
