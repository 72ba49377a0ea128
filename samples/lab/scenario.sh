#!/usr/bin/env bash
# Run one or more named lab scenarios and write their captures to
#   $OUT/<scenario>/<vantage>.pcap     (OUT defaults to samples/captures)
# plus clients.log (client transcripts: curl -v, lftp -d, ftplib) and, when tshark is
# present, wire.txt (FTP control lines, SYNs and RSTs seen at each vantage).
#
#   scenario.sh NAME [NAME...]     scenario.sh list
#
# Brings the lab up if it is not (lab.sh up). Each scenario checks what must be on the wire
# (byte strings in the captures / transcripts) and exits non-zero if it did not happen.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

OUT=${OUT:-$SAMPLES_DIR/captures}
SCENARIOS="active-nohelper active-helper helper-remap passive-nat ipv6 server-nat-pasv server-nat-helper bounce ftps ftps-keylog data-dropped baseline"

# ---------------------------------------------------------------- capture helpers
CAPS=""
cap_start() { # vantage ns iface [file-basename]
    local v=$1 ns=$2 ifc=$3 base=${4:-$1}
    local f="$SDIR/$base.pcap"
    rm -f "$f"
    # -B 32768 KiB: the default buffer drops packets on bulk transfers; --immediate-mode and
    # -U so that nothing is left in the TPACKET_V3 ring or stdio buffer when we stop.
    start_bg "cap-$base" "$ns" tcpdump -i "$ifc" -B 32768 -s 0 -U --immediate-mode -Z root -n -w "$f"
    local i
    for i in $(seq 1 50); do
        grep -q "listening on" "$LOGDIR/cap-$base.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening on" "$LOGDIR/cap-$base.log" || die "tcpdump on $ns/$ifc did not start: $(cat "$LOGDIR/cap-$base.log")"
    CAPS="$CAPS $base"
}

cap_stop_all() {
    sleep 1 # let the last FIN/ACKs pass
    local base
    for base in $CAPS; do
        stop_bg "cap-$base" INT
        local l="$LOGDIR/cap-$base.log"
        local captured dropped
        captured=$(awk '/packets captured/{print $1}' "$l")
        dropped=$(awk '/dropped by kernel/{print $1}' "$l")
        log "  $SCN/$base.pcap: ${captured:-?} packets, ${dropped:-?} dropped by kernel, $(stat -c %s "$SDIR/$base.pcap") bytes"
        [ "${dropped:-0}" = 0 ] || { log "  WARNING: tcpdump dropped packets on $base"; FAILS=$((FAILS + 1)); }
    done
    CAPS=""
}

# ---------------------------------------------------------------- clients
CLOG=""
note() { echo "$*" >>"$CLOG"; }
client() { # label ns cmd...   (output appended to clients.log; failure is not fatal)
    local label=$1 ns=$2; shift 2
    { echo; echo "### [$ns] $label"; echo "\$ $*"; } >>"$CLOG"
    log "  [$ns] $label"
    local rc=0
    nsx "$ns" timeout 120 "$@" >>"$CLOG" 2>&1 || rc=$?
    echo "### exit status $rc" >>"$CLOG"
    sleep 0.3
}
curl_() { # label ns curl-args...
    local label=$1 ns=$2; shift 2
    client "$label" "$ns" curl -sS -v --max-time 40 --connect-timeout 5 -o /dev/null "$@"
}
lftp_() { # label ns url commands
    client "$1" "$2" lftp --norc -d -c "set ftp:ssl-allow no; set net:max-retries 2; set net:timeout 8; set net:reconnect-interval-base 1; set cmd:fail-exit yes; ${5:-} open $3; $4"
}
ftplib_() { # label ns ftpclient.py-args...
    local label=$1 ns=$2; shift 2
    client "$label" "$ns" "$PY" -u "$LAB_DIR/ftpclient.py" "$@"
}

# ---------------------------------------------------------------- expectations
FAILS=0
CHECKS=0
has() { grep -a -q -F -- "$2" "$SDIR/$1"; }
expect() { # file string      file: pcap basename (without .pcap) or clients.log
    local f=$1 s=$2
    [ -e "$SDIR/$f" ] || f="$f.pcap"
    CHECKS=$((CHECKS + 1))
    if has "$f" "$s"; then echo "  ok   $SCN/$f contains '$s'" >&2
    else echo "  FAIL $SCN/$f lacks '$s'" >&2; FAILS=$((FAILS + 1)); fi
}
expect_not() {
    local f=$1 s=$2
    [ -e "$SDIR/$f" ] || f="$f.pcap"
    CHECKS=$((CHECKS + 1))
    if has "$f" "$s"; then echo "  FAIL $SCN/$f contains '$s'" >&2; FAILS=$((FAILS + 1))
    else echo "  ok   $SCN/$f lacks '$s'" >&2; fi
}

wire_summary() {
    command -v tshark >/dev/null 2>&1 || return 0
    local f base
    : >"$SDIR/wire.txt"
    for f in "$SDIR"/*.pcap; do
        base=$(basename "$f")
        case "$base" in big*) continue ;; esac
        local txt="" try
        for try in 1 2 3; do
            txt=$(tshark -n -r "$f" -Y 'ftp || tcp.flags.syn==1 || tcp.flags.reset==1 || icmp || icmpv6.type < 128' \
                -T fields -E separator=' ' -e frame.number -e _ws.col.Source -e _ws.col.Destination -e _ws.col.Info \
                2>>"$LOGDIR/tshark.log") && [ -n "$txt" ] && break
            log "  tshark gave nothing for $base (try $try)"
            sleep 1
        done
        {
            echo "== $base: FTP control lines, SYNs and RSTs (tshark)"
            printf '%s\n' "$txt" |
                sed -E 's/ (Seq|Ack|Win|Len|MSS|TSval|TSecr|WS)=[^ ]*//g; s/ SACK_PERM//g; s/(Request|Response): \\0[0-9]{2}.*/\1: [TLS record(s), encrypted]/'
            echo
        } >>"$SDIR/wire.txt"
    done
}

# Gateways back to their plain state: NAT only, no helper, no drop rule.
reset_gateways() { helper_set cgw off; helper_set sgw off; dropdata_set off; }

# ---------------------------------------------------------------- scenarios
V4=203.0.113.20      # vsftpd
PURE=203.0.113.21    # pure-ftpd (user lab / lab)
TLS=203.0.113.22     # vsftpd, explicit FTPS
V6=2001:db8:100::20  # vsftpd over IPv6
PRIV=203.0.113.2     # fs-sgw, forwarded to vsftpd 10.0.0.5

client_side_caps() { # client ns, gateway ns, server ns
    cap_start client "$1" eth0
    cap_start gateway "$2" any
    cap_start server "$3" eth0
}

sc_active-nohelper() {
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl active (EPRT, then PORT) via NAT, helper off" fs-cli -P - "ftp://$V4/data-1k.txt"
    curl_ "curl active PORT only (--disable-eprt) via NAT, helper off" fs-cli -P - --disable-eprt "ftp://$V4/data-1k.txt"
    ftplib_ "ftplib naive client: PORT with its private address, RETR anyway" fs-cli naive-port "$V4" data-1k.txt
    lftp_ "lftp active mode (falls back to passive after the 500)" fs-cli "ftp://$V4" "cat readme.txt" "set ftp:passive-mode off;"
    ftplib_ "ftplib naive client against pure-ftpd: PORT with its private address, RETR anyway" fs-cli naive-port "$PURE" data-1k.txt --user lab --password lab
    cap_stop_all
    expect server "500 I won't open a connection to 192.168.1.10 (only to 203.0.113.1)"
    expect gateway "PORT 192,168,1,10,"
    expect server "PORT 192,168,1,10,"
    expect server "EPRT |1|192.168.1.10|"
    expect server "500 Illegal EPRT command."
    expect server "500 Illegal PORT command."
    expect server "425 Use PORT or PASV first."
    expect client "500 Illegal PORT command."
}

sc_active-helper() {
    helper_set cgw on
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl active PORT (--disable-eprt), helper on" fs-cli -P - --disable-eprt "ftp://$V4/data-1k.txt"
    curl_ "curl active EPRT, helper on" fs-cli -P - "ftp://$V4/data-1k.txt"
    ftplib_ "ftplib active RETR + LIST, helper on" fs-cli get --active --list "$V4" data-1k.txt
    lftp_ "lftp active mode, helper on" fs-cli "ftp://$V4" "cat readme.txt" "set ftp:passive-mode off;"
    ftplib_ "ftplib active RETR against pure-ftpd, helper on" fs-cli get --active "$PURE" data-1k.txt --user lab --password lab
    cap_stop_all
    expect server "226-File successfully transferred"
    expect client "PORT 192,168,1,10,"
    expect client "EPRT |1|192.168.1.10|"
    expect server "PORT 203,0,113,1,"
    expect server "EPRT |1|203.0.113.1|"
    expect server "200 EPRT command successful."
    expect server "226 Transfer complete."
    expect_not server "PORT 192,168,1,10,"
    expect_not server "500 Illegal"
    reset_gateways
}

sc_helper-remap() {
    helper_set cgw on
    # a port no earlier run used: the gateway's conntrack remembers expectations and
    # connections of past runs for minutes, and would move or refuse this one
    local p=$((40000 + RANDOM % 20000))
    local inside="PORT 192,168,1,10,$((p >> 8)),$((p & 255))"
    client_side_caps fs-cli fs-cgw fs-srv
    ftplib_ "ftplib: two sessions announce PORT $p, the second RETRs; helper on" fs-cli same-port "$V4" data-1k.txt --port "$p"
    cap_stop_all
    expect client "$inside"
    expect server "PORT 203,0,113,1,$((p >> 8)),$((p & 255))"
    expect server "226 Transfer complete."
    # the helper kept the port for the first session and moved the second one's to
    # another free port (the kernel picks it), rewriting its PORT accordingly
    local outside
    outside=$(grep -a -o 'PORT 203,0,113,1,[0-9]*,[0-9]*' "$SDIR/server.pcap" | sort -u | wc -l)
    CHECKS=$((CHECKS + 1))
    if [ "$outside" = 2 ]; then echo "  ok   $SCN/server.pcap has two different outside PORTs" >&2
    else echo "  FAIL $SCN/server.pcap has $outside different outside PORTs, want 2" >&2; FAILS=$((FAILS + 1)); fi
    reset_gateways
}

sc_passive-nat() {
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl passive, EPSV (default), helper off" fs-cli "ftp://$V4/data-1k.txt"
    curl_ "curl passive, PASV (--disable-epsv), helper off" fs-cli --disable-epsv "ftp://$V4/data-1k.txt"
    ftplib_ "ftplib passive (PASV) RETR + LIST, helper off" fs-cli get --list "$V4" data-1k.txt
    lftp_ "lftp passive (default), helper off" fs-cli "ftp://$V4" "cat readme.txt"
    curl_ "curl passive EPSV against pure-ftpd, helper off" fs-cli -u lab:lab "ftp://$PURE/data-1k.txt"
    ftplib_ "ftplib passive (PASV) against pure-ftpd, helper off" fs-cli get "$PURE" data-1k.txt --user lab --password lab
    cap_stop_all
    expect client "229 Extended Passive mode OK (|||"
    expect client "227 Entering Passive Mode (203,0,113,21,"
    expect client "229 Entering Extended Passive Mode (|||"
    expect client "227 Entering Passive Mode (203,0,113,20,"
    expect server "226 Transfer complete."
    expect_not server "425 "
}

sc_ipv6() {
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl IPv6 passive (EPSV)" fs-cli -g "ftp://[$V6]/data-1k.txt"
    curl_ "curl IPv6 active (EPRT |2|)" fs-cli -g -P - "ftp://[$V6]/data-1k.txt"
    ftplib_ "ftplib IPv6 passive (EPSV)" fs-cli get "$V6" data-1k.txt
    ftplib_ "ftplib IPv6 active (EPRT)" fs-cli get --active --list "$V6" data-1k.txt
    cap_stop_all
    expect client "229 Entering Extended Passive Mode (|||"
    expect client "EPRT |2|2001:db8:1::10|"
    expect server "200 EPRT command successful."
    expect server "226 Transfer complete."
    expect_not server "500 "
}

server_side_caps() {
    cap_start client fs-pub eth0
    cap_start gateway fs-sgw any
    cap_start server fs-psrv eth0
}

sc_server-nat-pasv() {
    server_side_caps
    curl_ "curl PASV (--disable-epsv): ignores the 227 address (default --ftp-skip-pasv-ip)" fs-pub --disable-epsv "ftp://$PRIV/data-1k.txt"
    ftplib_ "ftplib PASV: ignores the 227 address (default)" fs-pub get "$PRIV" data-1k.txt
    ftplib_ "ftplib PASV trusting the 227 address (trust_server_pasv_ipv4_address=True)" fs-pub get --trust --timeout 6 "$PRIV" data-1k.txt
    curl_ "curl PASV trusting the 227 address (--no-ftp-skip-pasv-ip)" fs-pub --disable-epsv --no-ftp-skip-pasv-ip "ftp://$PRIV/data-1k.txt"
    curl_ "curl EPSV (default): no address in 229" fs-pub "ftp://$PRIV/data-1k.txt"
    lftp_ "lftp PASV (ftp:fix-pasv-address replaces the private address)" fs-pub "ftp://$PRIV" "cat readme.txt"
    cap_stop_all
    expect client "227 Entering Passive Mode (10,0,0,5,"
    expect server "227 Entering Passive Mode (10,0,0,5,"
    expect client "229 Entering Extended Passive Mode (|||"
    expect client "226 Transfer complete."
    expect clients.log "TimeoutError"
    expect clients.log "Connecting to 10.0.0.5"
}

sc_server-nat-helper() {
    helper_set sgw on
    server_side_caps
    ftplib_ "ftplib PASV trusting the 227 address, helper on at the server-site gateway" fs-pub get --trust --timeout 6 "$PRIV" data-1k.txt
    curl_ "curl PASV trusting the 227 address, helper on at the server-site gateway" fs-pub --disable-epsv --no-ftp-skip-pasv-ip "ftp://$PRIV/data-1k.txt"
    cap_stop_all
    expect server "227 Entering Passive Mode (10,0,0,5,"
    expect client "227 Entering Passive Mode (203,0,113,2,"
    expect_not client "(10,0,0,5,"
    expect client "226 Transfer complete."
    reset_gateways
}

sc_bounce() {
    cap_start client fs-pub eth0
    cap_start server fs-srv eth0
    ftplib_ "bounce attempt against vsftpd: PORT/EPRT naming 203.0.113.40:4000" fs-pub bounce "$V4" 203.0.113.40 4000
    ftplib_ "bounce attempt against pure-ftpd: PORT/EPRT naming 203.0.113.40:4000" fs-pub bounce "$PURE" 203.0.113.40 4000 --user lab --password lab
    cap_stop_all
    expect server "PORT 203,0,113,40,15,160"
    expect server "500 Illegal PORT command."
    expect server "500 Illegal EPRT command."
    expect server "500 I won't open a connection to 203.0.113.40 (only to 203.0.113.30)"
    expect_not server "150 "
    if grep -q "connection from" "$LOGDIR/third-listener.log" 2>/dev/null; then
        echo "  FAIL the third host was contacted" >&2; FAILS=$((FAILS + 1))
    fi
}

sc_ftps() {
    helper_set cgw on
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl FTPS passive (EPSV), helper on" fs-cli --ssl-reqd -k "ftp://$TLS/data-1k.txt"
    curl_ "curl FTPS passive (PASV), helper on" fs-cli --ssl-reqd -k --disable-epsv "ftp://$TLS/data-1k.txt"
    curl_ "curl FTPS active (PORT, encrypted: the helper cannot rewrite it)" fs-cli --ssl-reqd -k -P - --disable-eprt "ftp://$TLS/data-1k.txt"
    ftplib_ "ftplib FTP_TLS passive" fs-cli get --tls "$TLS" data-1k.txt
    ftplib_ "ftplib FTP_TLS active" fs-cli get --tls --active "$TLS" data-1k.txt
    cap_stop_all
    expect client "AUTH TLS"
    expect client "234 Proceed with negotiation."
    expect_not server "PORT 203,0,113,1,"
    expect clients.log "500 Illegal PORT command."
    expect clients.log "226 Transfer complete."
    reset_gateways
}

# FTPS whose clients write their TLS secrets (keys.txt, NSS key log): read
# with --tls-keylog, the encrypted dialog and files become visible.
sc_ftps-keylog() {
    local keys="$SDIR/keys.txt"
    rm -f "$keys"
    curlk_() { # label curl-args...: curl from fs-cli over FTPS, writing the key log
        local label=$1; shift
        client "$label" fs-cli env SSLKEYLOGFILE="$keys" curl -sS -v --max-time 40 --connect-timeout 5 -o /dev/null --ssl-reqd -k "$@"
    }
    helper_set cgw on
    client_side_caps fs-cli fs-cgw fs-srv
    curlk_ "curl FTPS passive (EPSV), TLS 1.3, SSLKEYLOGFILE" --tlsv1.3 "ftp://$TLS/data-1k.txt"
    curlk_ "curl FTPS passive (PASV), TLS 1.2 forced, SSLKEYLOGFILE" --tls-max 1.2 --disable-epsv "ftp://$TLS/data-20k.txt"
    curlk_ "curl FTPS active (PORT: encrypted, the helper cannot rewrite it), TLS 1.3, SSLKEYLOGFILE" -P - --disable-eprt "ftp://$TLS/data-1k.txt"
    ftplib_ "ftplib FTP_TLS passive, TLS 1.3, keylog_filename" fs-cli get --tls --keylog "$keys" "$TLS" data-1k.txt
    ftplib_ "ftplib FTP_TLS passive, TLS 1.2 forced, keylog_filename" fs-cli get --tls --tls-max 1.2 --keylog "$keys" "$TLS" data-20k.txt
    ftplib_ "ftplib FTP_TLS active (PORT: encrypted), TLS 1.3, keylog_filename" fs-cli get --tls --active --keylog "$keys" "$TLS" data-1k.txt
    cap_stop_all
    { echo; echo "# sha256 of the files served"; (cd "$LAB_RUN/ftproot" && sha256sum data-1k.txt data-20k.txt); } >>"$CLOG"
    expect client "AUTH TLS"
    expect client "234 Proceed with negotiation."
    expect_not server "PORT 203,0,113,1,"
    expect clients.log "500 Illegal PORT command."
    expect clients.log "226 Transfer complete."
    expect keys.txt "CLIENT_RANDOM "
    expect keys.txt "CLIENT_TRAFFIC_SECRET_0 "
    reset_gateways
}

sc_data-dropped() {
    helper_set cgw on
    dropdata_set on
    client_side_caps fs-cli fs-cgw fs-srv
    curl_ "curl active PORT, helper on, data connection dropped by fs-cgw" fs-cli -P - --disable-eprt "ftp://$V4/data-1k.txt"
    ftplib_ "ftplib active, helper on, data connection dropped by fs-cgw" fs-cli get --active "$V4" data-1k.txt
    curl_ "curl passive EPSV, data connection dropped by fs-cgw" fs-cli "ftp://$V4/data-1k.txt"
    cap_stop_all
    nsx fs-cgw nft list table inet fs-drop >>"$CLOG" 2>&1 || true
    expect server "PORT 203,0,113,1,"
    expect server "425 Failed to establish connection."
    expect clients.log "Failed to connect"
    reset_gateways
}

sc_baseline() {
    cap_start client fs-pub eth0
    ftplib_ "ftplib session against vsftpd: SYST PWD LIST NLST SIZE RETR x3 STOR RETR" fs-pub baseline "$V4" --tag vsftpd
    curl_ "curl LIST against vsftpd" fs-pub "ftp://$V4/"
    lftp_ "lftp ls + cat against vsftpd" fs-pub "ftp://$V4" "ls; cat data-1k.txt"
    ftplib_ "ftplib session against pure-ftpd (user lab)" fs-pub baseline "$PURE" --user lab --password lab --tag pureftpd
    curl_ "curl RETR against pure-ftpd" fs-pub -u lab:lab "ftp://$PURE/data-20k.txt"
    lftp_ "lftp ls + cat against pure-ftpd" fs-pub "ftp://lab:lab@$PURE" "ls; cat data-1k.txt"
    cap_stop_all
    expect client "226 Transfer complete."
    expect client "220---------- Welcome to Pure-FTPd"
    expect client "226-File successfully transferred"
    expect_not client "425 "
    # multi-MB transfers in their own (uncommitted, gitignored) capture
    cap_start client fs-pub eth0 big-client
    curl_ "curl RETR 4 MiB from vsftpd" fs-pub "ftp://$V4/big-4m.bin"
    client "curl STOR 4 MiB to vsftpd" fs-pub curl -sS -v --max-time 60 -T "$LAB_RUN/ftproot/big-4m.bin" "ftp://$V4/incoming/big-upload.bin"
    curl_ "curl RETR 4 MiB from pure-ftpd" fs-pub -u lab:lab "ftp://$PURE/big-4m.bin"
    cap_stop_all
    expect big-client "150 Opening BINARY mode data connection for big-4m.bin (4194304 bytes)."
}

# ---------------------------------------------------------------- main
[ $# -ge 1 ] || { echo "usage: $0 NAME... | list   (scenarios: $SCENARIOS)" >&2; exit 2; }
if [ "$1" = list ]; then echo "$SCENARIOS" | tr ' ' '\n'; exit 0; fi
for SCN in "$@"; do
    echo " $SCENARIOS " | grep -q " $SCN " || die "unknown scenario '$SCN' (known: $SCENARIOS)"
done
need_root_and_netns
"$LAB_DIR/lab.sh" up
command -v "$PY" >/dev/null 2>&1 || die "python3 not found"

TOTAL_FAILS=0
for SCN in "$@"; do
    SDIR="$OUT/$SCN"
    mkdir -p "$SDIR"
    # remove only what this script writes: other files beside the captures (e.g. the golden
    # reports *.golden.json) belong to the analysis tests and are left alone
    rm -f "$SDIR"/*.pcap "$SDIR/clients.log" "$SDIR/wire.txt"
    CLOG="$SDIR/clients.log"
    echo "# scenario $SCN: client transcripts (curl -v, lftp -d, ftplib); regenerate with samples/lab/scenario.sh $SCN" >"$CLOG"
    FAILS=0 CHECKS=0
    log "scenario $SCN"
    reset_gateways
    "sc_$SCN"
    reset_gateways
    wire_summary
    log "scenario $SCN: $((CHECKS - FAILS)) checks passed, $FAILS failed"
    TOTAL_FAILS=$((TOTAL_FAILS + FAILS))
done
[ "$TOTAL_FAILS" = 0 ]
