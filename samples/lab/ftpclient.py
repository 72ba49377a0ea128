#!/usr/bin/env python3
"""Scripted FTP sessions with Python's ftplib, for the ftpscope lab.

Each subcommand runs one control session and prints a transcript ("> cmd", "< reply",
"! error"). Expected protocol failures (500, 425, timeouts) are printed, not raised: the
scenario scripts check what happened on the wire, not this exit code.

  get HOST PATH [--active] [--trust] [--tls [--keylog FILE] [--tls-max 1.2]] [--user U --password P] [--timeout S] [--hold S]
  naive-port HOST PATH [--eprt]   PORT/EPRT with our own address, then RETR whatever the reply
  bounce HOST TARGET_IP TARGET_PORT [--user U --password P]   PORT/EPRT naming a third host
  baseline HOST [--user U --password P]   LIST, NLST, SIZE, RETR x3, STOR, RETR back
  same-port HOST PATH --port P   two sessions announce the same PORT; the second RETRs
"""
import argparse
import ftplib
import io
import socket
import sys
import time


def out(line):
    print(line, flush=True)


class LoggingFTP(ftplib.FTP):
    def putcmd(self, line):
        shown = "PASS ****" if line.upper().startswith("PASS ") else line
        out("> " + shown)
        super().putcmd(line)

    def getresp(self):
        try:
            resp = super().getresp()
        except ftplib.Error as e:
            out("< " + str(e).replace("\n", "\n< "))
            raise
        out("< " + resp.replace("\n", "\n< "))
        return resp


class LoggingFTP_TLS(LoggingFTP, ftplib.FTP_TLS):
    pass


def connect(args, tls=False):
    cls = LoggingFTP_TLS if tls else LoggingFTP
    kw = {"timeout": args.timeout}
    if tls:
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if getattr(args, "keylog", None):
            ctx.keylog_filename = args.keylog  # NSS key log, appended, as SSLKEYLOGFILE
        if getattr(args, "tls_max", None) == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        kw["context"] = ctx
    ftp = cls(**kw)
    out("# connect %s:21" % args.host)
    ftp.connect(args.host, 21)
    if tls:
        ftp.auth()
    ftp.login(args.user, args.password)
    if tls:
        ftp.prot_p()
    return ftp


def quit_(ftp):
    try:
        ftp.quit()
    except ftplib.all_errors as e:
        out("! quit: %r" % (e,))
        ftp.close()


def cmd_get(args):
    ftp = connect(args, tls=args.tls)
    ftp.set_pasv(not args.active)
    ftp.trust_server_pasv_ipv4_address = args.trust
    try:
        ftp.voidcmd("TYPE I")
        buf = io.BytesIO()
        ftp.retrbinary("RETR " + args.path, buf.write)
        out("# received %d bytes of %s" % (len(buf.getvalue()), args.path))
        if args.list:
            lines = []
            ftp.retrlines("LIST", lines.append)
            out("# LIST: %d lines" % len(lines))
    except ftplib.all_errors as e:
        out("! %s: %s" % (type(e).__name__, e))
    if args.hold > 0:
        out("# holding the session open for %gs" % args.hold)
        time.sleep(args.hold)
    quit_(ftp)


def port_arg(ip, port):
    return "PORT %s,%d,%d" % (ip.replace(".", ","), port >> 8, port & 0xFF)


def retr_active(ftp, ls, path):
    """RETR path and, when the server answers 1yz, take its data connection on the
    listener ls and read it to the end (the reply to PORT/EPRT is not looked at)."""
    ftp.voidcmd("TYPE I")
    resp = ftp.sendcmd("RETR " + path)
    if resp.startswith("1"):
        conn, peer = ls.accept()
        out("# data connection from %s:%d" % peer[:2])
        n = 0
        while True:
            b = conn.recv(65536)
            if not b:
                break
            n += len(b)
        conn.close()
        out("# received %d bytes" % n)
        ftp.voidresp()


def own_listener(ftp):
    """Listen like an active-mode client does: on the control connection's local address."""
    local = ftp.sock.getsockname()[0]
    fam = ftp.sock.family
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.bind((local, 0))
    ls.listen(1)
    ls.settimeout(ftp.timeout)
    return ls, local, ls.getsockname()[1]


def cmd_naive_port(args):
    """A naive client (like many command-line ftp programs): it announces its own address
    with PORT/EPRT and sends RETR whatever the reply to PORT was."""
    ftp = connect(args)
    ls, ip, port = own_listener(ftp)
    try:
        if args.eprt:
            arg = "EPRT |%d|%s|%d|" % (1 if ftp.sock.family == socket.AF_INET else 2, ip, port)
        else:
            arg = port_arg(ip, port)
        try:
            ftp.sendcmd(arg)
        except ftplib.all_errors as e:
            out("! %s: %s" % (type(e).__name__, e))
        try:
            retr_active(ftp, ls, args.path)
        except ftplib.all_errors as e:
            out("! %s: %s" % (type(e).__name__, e))
    finally:
        ls.close()
    quit_(ftp)


def cmd_bounce(args):
    """FTP bounce attempt: ask the server to open its data connection to a third host."""
    ftp = connect(args)
    ip, port = args.target_ip, args.target_port
    for cmd in (port_arg(ip, port), "EPRT |1|%s|%d|" % (ip, port)):
        try:
            ftp.sendcmd(cmd)
            # accepted: try to make the server connect to the third host
            ftp.sendcmd("LIST")
            ftp.voidresp()
        except ftplib.all_errors as e:
            out("! %s: %s" % (type(e).__name__, e))
    quit_(ftp)


def cmd_same_port(args):
    """Two control sessions from this host announce the same PORT before either transfers.
    Behind a NAT with the FTP helper, both expectations would be the same outside
    endpoint: the helper keeps the port for the first and moves the second to the next
    free one, rewriting its PORT. The second session then transfers: the server connects
    to the remapped outside port, which the gateway maps back to ours."""
    first, second = connect(args), connect(args)
    ip = first.sock.getsockname()[0]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ip, args.port))
    ls.listen(1)
    ls.settimeout(args.timeout)
    arg = port_arg(ip, args.port)
    try:
        first.voidcmd(arg)
        second.voidcmd(arg)
        retr_active(second, ls, args.path)
    except ftplib.all_errors as e:
        out("! %s: %s" % (type(e).__name__, e))
    finally:
        ls.close()
    quit_(second)
    quit_(first)


def cmd_baseline(args):
    ftp = connect(args)
    try:
        ftp.sendcmd("SYST")
        ftp.pwd()
        lines = []
        ftp.retrlines("LIST", lines.append)
        out("# LIST: %d lines" % len(lines))
        out("# NLST: %s" % ftp.nlst())
        ftp.voidcmd("TYPE I")
        out("# SIZE data-20k.txt = %s" % ftp.size("data-20k.txt"))
        for name in ("readme.txt", "data-1k.txt", "data-20k.txt"):
            buf = io.BytesIO()
            ftp.retrbinary("RETR " + name, buf.write)
            out("# received %d bytes of %s" % (len(buf.getvalue()), name))
        payload = b"".join(b"%07d uploaded by the ftpscope lab baseline\n" % i for i in range(240))
        ftp.storbinary("STOR incoming/upload-%s.txt" % args.tag, io.BytesIO(payload))
        buf = io.BytesIO()
        ftp.retrbinary("RETR incoming/upload-%s.txt" % args.tag, buf.write)
        out("# uploaded %d bytes, read back %d" % (len(payload), len(buf.getvalue())))
    except ftplib.all_errors as e:
        out("! %s: %s" % (type(e).__name__, e))
    quit_(ftp)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("host")
        sp.add_argument("--user", default="anonymous")
        sp.add_argument("--password", default="lab@example.org")
        sp.add_argument("--timeout", type=float, default=20)

    g = sub.add_parser("get")
    common(g)
    g.add_argument("path")
    g.add_argument("--active", action="store_true")
    g.add_argument("--trust", action="store_true", help="trust_server_pasv_ipv4_address=True")
    g.add_argument("--tls", action="store_true", help="explicit FTPS (AUTH TLS, PROT P)")
    g.add_argument("--keylog", help="with --tls, append the TLS secrets to this NSS key log")
    g.add_argument("--tls-max", choices=["1.2", "1.3"], help="with --tls, the highest TLS version")
    g.add_argument("--list", action="store_true", help="also LIST")
    g.add_argument("--hold", type=float, default=0, help="seconds to keep the session open before QUIT")
    n = sub.add_parser("naive-port")
    common(n)
    n.add_argument("path")
    n.add_argument("--eprt", action="store_true")
    b = sub.add_parser("bounce")
    common(b)
    b.add_argument("target_ip")
    b.add_argument("target_port", type=int)
    s = sub.add_parser("baseline")
    common(s)
    s.add_argument("--tag", default="ftplib")
    sp = sub.add_parser("same-port")
    common(sp)
    sp.add_argument("path")
    sp.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    try:
        {"get": cmd_get, "naive-port": cmd_naive_port, "bounce": cmd_bounce,
         "baseline": cmd_baseline, "same-port": cmd_same_port}[args.cmd](args)
    except ftplib.all_errors as e:
        out("! session failed: %s: %s" % (type(e).__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
