# shellcheck shell=bash
# Shared helpers for the ftpscope namespace lab (sourced by lab.sh, scenario.sh, e2e.sh, all.sh).
# Everything lives in network namespaces named fs-*; nothing touches the root namespace's
# interfaces, routes or nft rules.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SAMPLES_DIR=$(cd "$LAB_DIR/.." && pwd)
# Runtime state (config files rendered from templates, pid files, logs, ftp roots).
LAB_RUN=${LAB_RUN:-/tmp/fs-lab}
PIDDIR=$LAB_RUN/pids
LOGDIR=$LAB_RUN/log

# All namespaces of the lab, in creation order.
LAB_NS="fs-inet fs-cgw fs-cli fs-srv fs-pub fs-third fs-sgw fs-psrv"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

need_root_and_netns() {
    [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, nftables and tcpdump need CAP_SYS_ADMIN/CAP_NET_ADMIN)"
    command -v ip >/dev/null 2>&1 || die "'ip' (iproute2) not found and could not be installed"
    if ! ip netns list 2>/dev/null | grep -qw fs-inet; then
        ip netns add fs-probe 2>/dev/null || die "cannot create network namespaces ('ip netns add' failed): this lab needs a kernel and container that allow it"
        ip netns del fs-probe
    fi
}

# Install the Debian packages the lab needs, only those missing; never start their services.
# vsftpd and pure-ftpd conflict in Debian (both provide ftp-server), so neither is installed
# as a package here: a binary already on PATH is used, otherwise the .deb is fetched with
# `apt-get download` and unpacked under $LAB_CACHE (no maintainer scripts, no service).
LAB_CACHE=${LAB_CACHE:-/var/cache/fs-lab}
LAB_USER=fs-ftp
apt_log() { echo "${LOGDIR:-/tmp}/apt.log"; }
ensure_packages() {
    local want="iproute2 nftables tcpdump ethtool lftp curl openssl python3 procps libcap2 libcrypt1 libpam0g libssl3 libwrap0 libsodium23"
    local missing="" p
    mkdir -p "${LOGDIR:-/tmp}"
    for p in $want; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        log "installing:$missing"
        local made_policy=0 rc=0
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            # keep any init script from starting a daemon in the root namespace
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
        fi
        { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >"$(apt_log)" 2>&1 ||
          { apt-get update >>"$(apt_log)" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$(apt_log)" 2>&1; }; } || rc=$?
        [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
        [ "$rc" = 0 ] || die "apt-get install$missing failed (see $(apt_log))"
    fi
    # unprivileged system user for the FTP servers (anonymous user, nopriv user, upload owner).
    # vsftpd chdirs to this user's home before chrooting to anon_root, so the home must exist.
    mkdir -p "$LAB_CACHE/home"
    if ! getent passwd "$LAB_USER" >/dev/null; then
        useradd --system --home-dir "$LAB_CACHE/home" --no-create-home --shell /usr/sbin/nologin "$LAB_USER" ||
            die "cannot create system user $LAB_USER"
    fi
    VSFTPD=$(deb_binary vsftpd /usr/sbin/vsftpd)
    PUREFTPD=$(deb_binary pure-ftpd /usr/sbin/pure-ftpd)
    PUREPW=$(deb_binary pure-ftpd /usr/bin/pure-pw)
}

# deb_binary PACKAGE PATH: print a usable PATH from the installed package, or from the .deb
# unpacked under $LAB_CACHE/PACKAGE.
deb_binary() {
    local pkg=$1 path=$2 dir="$LAB_CACHE/$1"
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && [ -x "$path" ]; then
        echo "$path"; return 0
    fi
    if [ ! -x "$dir$path" ]; then
        log "unpacking $pkg from its Debian package into $dir"
        mkdir -p "$dir/deb"
        ( cd "$dir/deb" && rm -f ./*.deb &&
          { apt-get download "$pkg" >>"$(apt_log)" 2>&1 ||
            { apt-get update >>"$(apt_log)" 2>&1 && apt-get download "$pkg" >>"$(apt_log)" 2>&1; }; } &&
          dpkg-deb -x ./"$pkg"_*.deb "$dir" ) || die "cannot fetch/unpack $pkg (see $(apt_log))"
    fi
    [ -x "$dir$path" ] || die "$pkg has no $path"
    echo "$dir$path"
}

PY=$(command -v /usr/bin/python3 || command -v python3 || true)

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Start a long-running process inside a namespace and record its PID.
# usage: start_bg NAME NS cmd...
start_bg() {
    local name=$1 ns=$2; shift 2
    mkdir -p "$PIDDIR" "$LOGDIR"
    ip netns exec "$ns" "$@" </dev/null >"$LOGDIR/$name.log" 2>&1 &
    echo $! > "$PIDDIR/$name.pid"
}

# alive PID: running and not a zombie (an orphaned daemon's zombie can linger until reaped)
alive() {
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Stop a process started by start_bg (and its direct children), by PID only.
stop_bg() {
    local name=$1 sig=${2:-TERM} f="$PIDDIR/$1.pid" pid kids i
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    # only ever signal a PID that still lives in one of the lab's namespaces
    if [ -n "$pid" ] && alive "$pid" && ip netns identify "$pid" 2>/dev/null | grep -q '^fs-'; then
        kids=$(pgrep -P "$pid" 2>/dev/null || true)
        kill -s "$sig" "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
        alive "$pid" && kill -KILL "$pid" 2>/dev/null
        for k in $kids; do alive "$k" && kill -TERM "$k" 2>/dev/null; done
    fi
    rm -f "$f"
}

# Gateway knobs (used by lab.sh and scenario.sh).
helper_set() { # cgw|sgw on|off
    local ns="fs-$1"
    nsx "$ns" nft delete table inet fs-helper 2>/dev/null || true
    [ "$2" = on ] && nsx "$ns" nft -f "$LAB_DIR/nft/helper.nft"
    return 0
}
dropdata_set() { # on|off   (fs-cgw)
    nsx fs-cgw nft delete table inet fs-drop 2>/dev/null || true
    [ "$1" = on ] && nsx fs-cgw nft -f "$LAB_DIR/nft/dropdata.nft"
    return 0
}
