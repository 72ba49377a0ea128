#!/usr/bin/env bash
# ftpscope FTP/NAT lab: network namespaces joined by veth pairs and a bridge that lives in its
# own namespace. No interface is in, or connected to, the root namespace.
#
#   lab.sh up        build the lab and start the servers (idempotent)
#   lab.sh down      stop what up started (by PID) and delete the fs-* namespaces (idempotent)
#   lab.sh status    show namespaces, addresses, gateway rules and daemons
#   lab.sh helper cgw|sgw on|off     attach / detach the kernel FTP helper on a gateway
#   lab.sh dropdata on|off           fs-cgw drops every forwarded new non-port-21 TCP connection
#
# See samples/README.md for the topology.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

DAEMONS="vsftpd-pub4 vsftpd-pub6 vsftpd-tls pure-ftpd vsftpd-priv third-listener"

# veth pair: NAME1 in NS1, NAME2 in NS2. Created from inside NS1 so neither end ever exists
# in the root namespace.
veth() {
    ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
}

offload_off() { # ns dev
    if command -v ethtool >/dev/null 2>&1; then
        nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    fi
}

addr() { ip -n "$1" addr add "$3" dev "$2" ${4:-}; }
up_if() { ip -n "$1" link set "$2" up; offload_off "$1" "$2"; }

build_net() {
    local ns
    for ns in $LAB_NS; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done

    # --- the "internet": bridge br0 inside fs-inet, with a black-hole router 203.0.113.254
    # (forwarding off: it silently drops whatever is not for a host on the segment, e.g.
    # packets to RFC 1918 addresses such as the 10.0.0.5 announced in a 227 reply).
    ip -n fs-inet link add br0 type bridge stp_state 0 forward_delay 0
    ip -n fs-inet link set br0 up
    addr fs-inet br0 203.0.113.254/24
    nsx fs-inet sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0

    local port
    for port in cgw srv pub third sgw; do
        veth fs-inet "$port" "fs-$port" "$( [ "$port" = cgw ] || [ "$port" = sgw ] && echo out0 || echo eth0 )"
        ip -n fs-inet link set "$port" master br0
        up_if fs-inet "$port"
    done

    # --- client site: fs-cli 192.168.1.10 behind fs-cgw (192.168.1.1 / 203.0.113.1)
    veth fs-cgw in0 fs-cli eth0
    addr fs-cli eth0 192.168.1.10/24
    addr fs-cli eth0 2001:db8:1::10/64 nodad
    up_if fs-cli eth0
    ip -n fs-cli route add default via 192.168.1.1
    ip -n fs-cli -6 route add default via 2001:db8:1::1

    addr fs-cgw in0 192.168.1.1/24
    addr fs-cgw in0 2001:db8:1::1/64 nodad
    addr fs-cgw out0 203.0.113.1/24
    addr fs-cgw out0 2001:db8:100::1/64 nodad
    up_if fs-cgw in0
    up_if fs-cgw out0
    ip -n fs-cgw route add default via 203.0.113.254
    nsx fs-cgw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    nsx fs-cgw nft -f "$LAB_DIR/nft/cgw-nat.nft"

    # --- public hosts
    addr fs-srv eth0 203.0.113.20/24          # vsftpd
    addr fs-srv eth0 203.0.113.21/24          # pure-ftpd
    addr fs-srv eth0 203.0.113.22/24          # vsftpd, explicit FTPS
    addr fs-srv eth0 2001:db8:100::20/64 nodad  # vsftpd, IPv6
    up_if fs-srv eth0
    ip -n fs-srv route add default via 203.0.113.254
    ip -n fs-srv -6 route add 2001:db8:1::/64 via 2001:db8:100::1

    addr fs-pub eth0 203.0.113.30/24
    up_if fs-pub eth0
    ip -n fs-pub route add default via 203.0.113.254

    addr fs-third eth0 203.0.113.40/24
    up_if fs-third eth0
    ip -n fs-third route add default via 203.0.113.254

    # --- server site: vsftpd 10.0.0.5 behind fs-sgw (203.0.113.2 / 10.0.0.1)
    veth fs-sgw in0 fs-psrv eth0
    addr fs-psrv eth0 10.0.0.5/24
    up_if fs-psrv eth0
    ip -n fs-psrv route add default via 10.0.0.1
    addr fs-sgw out0 203.0.113.2/24
    addr fs-sgw in0 10.0.0.1/24
    up_if fs-sgw out0
    up_if fs-sgw in0
    ip -n fs-sgw route add default via 203.0.113.254
    nsx fs-sgw sysctl -qw net.ipv4.ip_forward=1
    nsx fs-sgw nft -f "$LAB_DIR/nft/sgw-nat.nft"
}

# Deterministic text content of SIZE bytes.
mkfile() { ( set +o pipefail; seq -f "%07g ftpscope lab sample data, one line of a text file" 1 $(( $2 / 50 + 1 )) | head -c "$2" > "$1" ); }

prepare_files() {
    mkdir -p "$LAB_RUN" "$PIDDIR" "$LOGDIR" "$LAB_RUN/empty" "$LAB_RUN/tls"
    chmod 755 "$LAB_RUN" "$LAB_RUN/empty"
    local root
    for root in "$LAB_RUN/ftproot" "$LAB_RUN/pureroot"; do
        rm -rf "$root"
        mkdir -p "$root/incoming"
        chmod 755 "$root"
        echo "ftpscope lab server. Files: readme.txt data-1k.txt data-20k.txt big-4m.bin; uploads go to incoming/" > "$root/readme.txt"
        mkfile "$root/data-1k.txt" 1024
        mkfile "$root/data-20k.txt" 20480
        mkfile "$root/big-4m.bin" 4194304
        chown "$LAB_USER" "$root/incoming"
        chmod 755 "$root/incoming"
    done
    # vsftpd: render config = common part + instance part
    local inst
    for inst in pub4 pub6 tls priv; do
        cat "$LAB_DIR/conf/vsftpd-common.conf.in" "$LAB_DIR/conf/vsftpd-$inst.conf" |
            sed "s#@RUN@#$LAB_RUN#g; s#@USER@#$LAB_USER#g" > "$LAB_RUN/vsftpd-$inst.conf"
        chmod 600 "$LAB_RUN/vsftpd-$inst.conf"
    done
    # self-signed certificate for the FTPS server, generated at run time
    if [ ! -s "$LAB_RUN/tls/server.crt" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ftps.lab.example" \
            -keyout "$LAB_RUN/tls/server.key" -out "$LAB_RUN/tls/server.crt" >"$LOGDIR/openssl.log" 2>&1
        chmod 600 "$LAB_RUN/tls/server.key"
    fi
    # pure-ftpd virtual user lab/lab, mapped to the system user $LAB_USER, home = pureroot
    rm -f "$LAB_RUN/pureftpd.passwd" "$LAB_RUN/pureftpd.pdb"
    # (written directly with a SHA-512 crypt hash: pure-pw's default argon2id costs ~2.5 s of
    #  CPU per login on a small machine)
    echo "lab:$(openssl passwd -6 -salt fslab lab):$(id -u "$LAB_USER"):$(id -g "$LAB_USER")::$LAB_RUN/pureroot/./::::::::::::" \
        > "$LAB_RUN/pureftpd.passwd"
    "$PUREPW" mkdb "$LAB_RUN/pureftpd.pdb" -f "$LAB_RUN/pureftpd.passwd" >/dev/null
}

wait_listen() { # ns addr:port name
    local i
    for i in $(seq 1 50); do
        nsx "$1" ss -Hltn 2>/dev/null | awk '{print $4}' | grep -qxF "$2" && return 0
        sleep 0.1
    done
    die "$3 did not start listening on $2 in $1 (see $LOGDIR/$3.log)"
}

start_daemons() {
    local v
    v=$VSFTPD
    start_bg vsftpd-pub4 fs-srv "$v" "$LAB_RUN/vsftpd-pub4.conf"
    start_bg vsftpd-pub6 fs-srv "$v" "$LAB_RUN/vsftpd-pub6.conf"
    start_bg vsftpd-tls fs-srv "$v" "$LAB_RUN/vsftpd-tls.conf"
    start_bg vsftpd-priv fs-psrv "$v" "$LAB_RUN/vsftpd-priv.conf"
    # pure-ftpd in the foreground: virtual users only, chroot, passive range 30100-30149
    start_bg pure-ftpd fs-srv "$PUREFTPD" \
        -S 203.0.113.21,21 -4 -l "puredb:$LAB_RUN/pureftpd.pdb" -E -A -H -u 1 \
        -p 30100:30149 -c 20 -C 10 -I 120
    # third host: accepts (and logs) connections on 203.0.113.40:4000, as a bounce target
    start_bg third-listener fs-third "$PY" -u -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.40", 4000)); s.listen(5)
while True:
    c, a = s.accept(); print(time.strftime("%H:%M:%S"), "connection from", a, flush=True); c.close()
'
    wait_listen fs-srv 203.0.113.20:21 vsftpd-pub4
    wait_listen fs-srv '[2001:db8:100::20]:21' vsftpd-pub6
    wait_listen fs-srv 203.0.113.22:21 vsftpd-tls
    wait_listen fs-srv 203.0.113.21:21 pure-ftpd
    wait_listen fs-psrv 10.0.0.5:21 vsftpd-priv
    wait_listen fs-third 203.0.113.40:4000 third-listener
}

is_up() {
    [ -f "$LAB_RUN/up" ] || return 1
    local ns d
    for ns in $LAB_NS; do ip netns list | awk '{print $1}' | grep -qx "$ns" || return 1; done
    for d in $DAEMONS; do [ -f "$PIDDIR/$d.pid" ] && alive "$(cat "$PIDDIR/$d.pid")" || return 1; done
}

cmd_up() {
    need_root_and_netns
    mkdir -p "$LOGDIR"
    ensure_packages
    if is_up; then log "lab already up"; return 0; fi
    cmd_down quiet
    log "building namespaces: $LAB_NS"
    build_net
    prepare_files
    start_daemons
    touch "$LAB_RUN/up"
    log "lab up (runtime dir $LAB_RUN)"
}

cmd_down() {
    [ "$(id -u)" = 0 ] || die "must run as root"
    local d ns
    if [ -d "$PIDDIR" ]; then
        for f in "$PIDDIR"/*.pid; do
            [ -e "$f" ] || continue
            d=$(basename "$f" .pid)
            case "$d" in cap-*) stop_bg "$d" INT ;; *) stop_bg "$d" TERM ;; esac
        done
    fi
    for ns in $LAB_NS fs-probe; do
        if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
            ip netns del "$ns"
        fi
    done
    rm -f "$LAB_RUN/up"
    [ "${1:-}" = quiet ] || log "lab down"
}

cmd_status() {
    local ns d st=0
    for ns in $LAB_NS; do
        if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
            echo "== $ns: $(ip -n "$ns" -br addr | awk '$1!="lo"{$2=""; print}' | tr -s ' ' | paste -sd ';')"
        else
            echo "== $ns: absent"; st=1
        fi
    done
    for ns in fs-cgw fs-sgw; do
        ip netns list 2>/dev/null | grep -qw "$ns" || continue
        echo "== $ns nft tables: $(nsx "$ns" nft list tables 2>/dev/null | awk '{print $3}' | paste -sd ' ')"
    done
    for d in $DAEMONS; do
        if [ -f "$PIDDIR/$d.pid" ] && alive "$(cat "$PIDDIR/$d.pid")"; then
            echo "== $d: running, pid $(cat "$PIDDIR/$d.pid")"
        else
            echo "== $d: not running"; st=1
        fi
    done
    return $st
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    helper) helper_set "${2:?cgw|sgw}" "${3:?on|off}" ;;
    dropdata) dropdata_set "${2:?on|off}" ;;
    *) echo "usage: $0 up|down|status|helper cgw|sgw on|off|dropdata on|off" >&2; exit 2 ;;
esac
