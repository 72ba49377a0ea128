#!/usr/bin/env bash
# bench/gen/gen.sh — generate one seeded FTP workload capture for ftpscope's
# performance work (issue 7; method in /work/shared/research/perf.md).
#
#   bench/gen/gen.sh bulk|mix [--sessions N] [--seed S] [--workers W] [--out DIR]
#                    [--name NAME] [--bulk N] [--mid N] [--bulk-mib MIB] [--client-ports "LO HI"]
#
#   bulk  2,000 short sessions + 12 sessions that RETR/STOR 100 MiB (+107 short sessions
#         that RETR a 1-8 MiB file): ~1.9 GB, ~1.5 M packets.
#   mix   20,000 short sessions, files <= 8 KiB: ~300 MB, ~1.6 M packets.
#   --sessions scales a workload (bulk/mid counts follow, per 2,000 sessions).
#
# Writes DIR/NAME.pcap (classic pcap, Ethernet, snaplen 262144) and DIR/NAME.json (what was
# run, counters, tcpdump drops). DIR defaults to /var/tmp/ftpscope-bench and must lie
# outside the repository; NAME defaults to bulk-eth / mix-eth (or bulk-eth-N when scaled).
#
# Needs root. It builds two network namespaces of its own, fs-perf-srv-PID and
# fs-perf-cli-PID, joined by a veth pair (MTU 1500, offloads off), runs vsftpd 3.0.3 (two
# instances: IPv4 and IPv6; passive range 30000-39999, active mode from port 20) in the
# server namespace, W concurrent Python ftplib clients in the client namespace and tcpdump
# on the client-side veth. Addresses are documentation ranges that exist only inside those
# namespaces (198.18.99.0/24, 2001:db8:99::/64). Nothing is started in, or changed in, the
# root namespace; only PIDs started here are signalled; the namespaces are removed on exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=/var/cache/ftpscope-bench   # vsftpd unpacked from its .deb, home of the FTP user
FTPUSER=ftpscope-perf
SRV4=198.18.99.1 CLI4=198.18.99.2 SRV6=2001:db8:99::1 CLI6=2001:db8:99::2

die() { echo "gen.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

WORKLOAD="" SESSIONS="" SEED=1 WORKERS=8 OUT=/var/tmp/ftpscope-bench NAME="" BULK="" MID="" BULK_MIB=100
CLIENT_PORTS="40000 54999"
while [ $# -gt 0 ]; do
    case $1 in
        bulk|mix) WORKLOAD=$1 ;;
        --sessions) SESSIONS=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --workers) WORKERS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --name) NAME=$2; shift ;;
        --bulk) BULK=$2; shift ;;
        --mid) MID=$2; shift ;;
        --bulk-mib) BULK_MIB=$2; shift ;;
        --client-ports) CLIENT_PORTS=$2; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (try --help)" ;;
    esac
    shift
done
[ -n "$WORKLOAD" ] || die "which workload? bulk or mix (try --help)"
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, tcpdump, vsftpd on port 21/20)"
if [ -z "$SESSIONS" ]; then
    SESSIONS=2000; [ "$WORKLOAD" = mix ] && SESSIONS=20000
    NAME=${NAME:-$WORKLOAD-eth}
fi
NAME=${NAME:-$WORKLOAD-eth-$SESSIONS}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
case "$OUT/" in "$REPO"/*) die "--out $OUT lies inside the repository" ;; esac

# ------------------------------------------------------------------ packages (idempotent)
PY=/usr/bin/python3
ensure_packages() {
    local want="iproute2 procps tcpdump ethtool tshark python3 time libcap2 libpam0g libssl3 libwrap0"
    local missing="" p
    for p in $want; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        log "apt-get install$missing"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing ||
          { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; }; } \
            >"$OUT/apt.log" 2>&1 || die "apt-get install$missing failed (see $OUT/apt.log)"
    fi
    # vsftpd: use one on PATH; otherwise unpack the Debian package into our own cache
    # (vsftpd and pure-ftpd conflict as packages, and another engineer's lab relies on that
    # staying as it is: never install or remove either package here, never start a unit).
    VSFTPD=$(command -v vsftpd || true)
    if [ -z "$VSFTPD" ]; then
        VSFTPD=$CACHE/vsftpd/usr/sbin/vsftpd
        if [ ! -x "$VSFTPD" ]; then
            log "unpacking vsftpd from its Debian package into $CACHE/vsftpd"
            mkdir -p "$CACHE/vsftpd/deb"
            ( cd "$CACHE/vsftpd/deb" && rm -f ./*.deb &&
              { apt-get download vsftpd || { apt-get update -qq && apt-get download vsftpd; }; } &&
              dpkg-deb -x ./vsftpd_*.deb "$CACHE/vsftpd" ) >"$OUT/apt.log" 2>&1 ||
                die "cannot fetch/unpack vsftpd (see $OUT/apt.log)"
        fi
    fi
    "$VSFTPD" -v 0>&1 2>&1 | grep -q "3\.0\.3" || log "warning: $VSFTPD is not vsftpd 3.0.3 ($("$VSFTPD" -v 0>&1 2>&1))"
    # unprivileged user for vsftpd (anonymous and nopriv user); its home must exist
    mkdir -p "$CACHE/home"
    getent passwd "$FTPUSER" >/dev/null ||
        useradd --system --home-dir "$CACHE/home" --no-create-home --shell /usr/sbin/nologin "$FTPUSER" ||
        die "cannot create system user $FTPUSER"
}

# ------------------------------------------------------------------ cleanup
ID=$$
NS_S=fs-perf-srv-$ID
NS_C=fs-perf-cli-$ID
WORK=""
PIDS=()
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ "$st" != Z ] && [ "$st" != X ]; }
stop_pid() { # PID [SIGNAL]: signal a PID we started, wait up to 5 s, then KILL it
    local pid=$1 sig=${2:-TERM} i
    alive "$pid" || return 0
    kill -s "$sig" "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$? pid ns
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    # anything still inside our own namespaces descends from the daemons started above
    for ns in "$NS_S" "$NS_C"; do
        if ip netns list 2>/dev/null | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do stop_pid "$pid"; done
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_packages
command -v capinfos >/dev/null || log "capinfos not found: no packet summary"

# ------------------------------------------------------------------ server files, scripts
WORK=$(mktemp -d "$OUT/.work-XXXXXX")
chmod 755 "$WORK"
mkdir -p "$WORK/ftproot" "$WORK/empty"
log "preparing $WORKLOAD: $SESSIONS sessions, seed $SEED"
PLANSTATS=$("$PY" "$HERE/ftpload.py" prepare --workload "$WORKLOAD" --sessions "$SESSIONS" --seed "$SEED" \
    ${BULK:+--bulk "$BULK"} ${MID:+--mid "$MID"} --bulk-mib "$BULK_MIB" \
    --root "$WORK/ftproot" --plan "$WORK/plan.jsonl")
log "plan: $PLANSTATS"
chown root:root "$WORK/ftproot" && chmod 755 "$WORK/ftproot"
chown "$FTPUSER" "$WORK/ftproot/incoming" && chmod 755 "$WORK/ftproot/incoming"

for fam in 4 6; do
    {
        if [ $fam = 4 ]; then
            echo "listen=YES"; echo "listen_ipv6=NO"; echo "listen_address=$SRV4"
        else
            echo "listen=NO"; echo "listen_ipv6=YES"; echo "listen_address6=$SRV6"
        fi
        cat <<EOF
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=$WORK/ftproot
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=NO
anon_other_write_enable=YES
anon_world_readable_only=YES
anon_umask=022
no_anon_password=NO
ftp_username=$FTPUSER
nopriv_user=$FTPUSER
secure_chroot_dir=$WORK/empty
hide_ids=YES
dirmessage_enable=NO
use_localtime=NO
connect_from_port_20=YES
ftp_data_port=20
port_enable=YES
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=39999
port_promiscuous=NO
pasv_promiscuous=NO
max_clients=0
max_per_ip=0
delay_failed_login=0
max_login_fails=3
connect_timeout=15
accept_timeout=15
data_connection_timeout=60
idle_session_timeout=120
isolate=NO
isolate_network=NO
seccomp_sandbox=NO
tcp_wrappers=NO
session_support=NO
xferlog_enable=NO
log_ftp_protocol=NO
syslog_enable=NO
vsftpd_log_file=$WORK/vsftpd$fam.log
ftpd_banner=ftpscope perf bench (vsftpd)
EOF
    } >"$WORK/vsftpd$fam.conf"
done

# ------------------------------------------------------------------ namespaces
log "namespaces $NS_S, $NS_C"
ip netns add "$NS_S"
ip netns add "$NS_C"
# the veth pair is created inside the client namespace, its peer directly in the server's
ip -n "$NS_C" link add cli0 type veth peer name srv0 netns "$NS_S"
for x in "$NS_S srv0 $SRV4 $SRV6" "$NS_C cli0 $CLI4 $CLI6"; do
    set -- $x
    ip -n "$1" link set lo up
    ip -n "$1" link set "$2" mtu 1500
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
        ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.router_solicitations=0" "net.ipv4.tcp_tw_reuse=1"
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" addr add "$4/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
done
# a narrow ephemeral range in the client namespace: client ports are recycled within the
# capture (control source ports and the PORT/EPRT listeners that vsftpd reaches from port 20)
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="$CLIENT_PORTS"
log "cli0 offloads: $(ip netns exec "$NS_C" ethtool -k cli0 |
    grep -E '^(tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload|tx-checksumming|rx-checksumming):' |
    tr '\n' ' ')"

for fam in 4 6; do
    ip netns exec "$NS_S" "$VSFTPD" "$WORK/vsftpd$fam.conf" </dev/null >"$WORK/vsftpd$fam.out" 2>&1 &
    PIDS+=($!)
done
for i in $(seq 1 50); do
    [ "$(ip netns exec "$NS_S" ss -Hltn 'sport = :21' | wc -l)" = 2 ] && break
    sleep 0.1
done
[ "$(ip netns exec "$NS_S" ss -Hltn 'sport = :21' | wc -l)" = 2 ] ||
    die "vsftpd did not start: $(cat "$WORK"/vsftpd*.out)"

# ------------------------------------------------------------------ capture + load
PCAP=$OUT/$NAME.pcap
rm -f "$PCAP"
ip netns exec "$NS_C" nice -n -10 tcpdump -i cli0 -s 0 -B 524288 -n -Z root -w "$PCAP" \
    </dev/null >"$WORK/tcpdump.out" 2>&1 &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
for i in $(seq 1 50); do grep -q "listening on" "$WORK/tcpdump.out" && break; sleep 0.1; done
grep -q "listening on" "$WORK/tcpdump.out" || die "tcpdump did not start: $(cat "$WORK/tcpdump.out")"

log "running $WORKERS clients"
T0=$(date +%s.%N)
WPIDS=()
for i in $(seq 0 $((WORKERS - 1))); do
    ip netns exec "$NS_C" "$PY" "$HERE/ftpload.py" run --plan "$WORK/plan.jsonl" --seed "$SEED" \
        --bulk-mib "$BULK_MIB" --worker "$i" --workers "$WORKERS" \
        --server4 "$SRV4" --server6 "$SRV6" --client4 "$CLI4" --client6 "$CLI6" \
        </dev/null >"$WORK/worker$i.json" 2>"$WORK/worker$i.err" &
    WPIDS+=($!)
    PIDS+=($!)
done
for pid in "${WPIDS[@]}"; do wait "$pid" || log "a client exited with status $?"; done
T1=$(date +%s.%N)
sleep 1   # last FIN/ACKs
stop_pid "$TCPDUMP" INT
CAPTURED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$WORK/tcpdump.out")
DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$WORK/tcpdump.out")
log "tcpdump: ${CAPTURED:-?} captured, ${DROPPED:-?} dropped by kernel"
for e in "$WORK"/worker*.err; do [ -s "$e" ] && sed 's/^/  client: /' "$e" | head -5 >&2; done

# ------------------------------------------------------------------ summary
WORKERS_JSON=$(cat "$WORK"/worker*.json | "$PY" -c '
import json, sys
tot = {}
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    for k, v in json.loads(line).items():
        if k in ("worker",):
            continue
        tot[k] = max(tot.get(k, 0), v) if k == "seconds" else tot.get(k, 0) + v
print(json.dumps(tot, sort_keys=True))')
log "clients: $WORKERS_JSON"
SIZE=$(stat -c %s "$PCAP")
CAPINFOS=""
command -v capinfos >/dev/null && CAPINFOS=$(capinfos -M -c -u -l -E "$PCAP" 2>/dev/null | tail -n +2 | tr -s ' ' | tr '\n' ';')
cat >"$OUT/$NAME.json" <<EOF
{
  "file": "$PCAP",
  "command": "bench/gen/gen.sh $WORKLOAD --sessions $SESSIONS --seed $SEED --workers $WORKERS${BULK:+ --bulk $BULK}${MID:+ --mid $MID} --bulk-mib $BULK_MIB",
  "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "host": "$(uname -r), $(nproc) cpus",
  "vsftpd": "$("$VSFTPD" -v 0>&1 2>&1 | tr -d '\n')",
  "plan": $PLANSTATS,
  "clients": $WORKERS_JSON,
  "load_seconds": $("$PY" -c "print(round($T1 - $T0, 1))"),
  "bytes": $SIZE,
  "tcpdump_captured": ${CAPTURED:-null},
  "tcpdump_dropped": ${DROPPED:-null},
  "capinfos": "$CAPINFOS"
}
EOF
log "wrote $PCAP ($SIZE bytes) and $OUT/$NAME.json"
