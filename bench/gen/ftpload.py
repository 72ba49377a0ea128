#!/usr/bin/env python3
"""Seeded FTP workload for ftpscope's performance captures (issue 7).

  ftpload.py prepare --workload bulk|mix --sessions N --seed S --root DIR --plan FILE [...]
      Writes the server's file tree under DIR (pub/, mid/, big/, incoming/) and the
      session scripts to FILE (JSON lines). Both depend only on the arguments: the same
      seed gives byte-identical files and scripts.
  ftpload.py run --plan FILE --worker I --workers W --server4 A --server6 A --client4 A --client6 A
      Runs the sessions I, I+W, I+2W, ... of the plan, one after the other, with ftplib
      for the control connection and plain sockets for the data connections. Prints one
      JSON line of counters at the end.

Session scripts follow /work/shared/research/perf.md: anonymous login (3 % try USER bench
and get 530), PWD, sometimes SYST/FEAT/NOOP, CWD, one data mode per session (PASV 41 %,
EPSV 30 %, PORT 18 %, EPRT 12 %; the 10 % IPv6 sessions use EPSV/EPRT only), some mode
switches mid-session, LIST 90 %, NLST 20 %, 0-3 small RETRs, 5 % RETR of a missing file,
57 % do 0-2 small STORs (some followed by DELE), QUIT, or (2 %) the control connection is
just dropped. The bulk workload adds sessions that RETR or STOR one big file and short
sessions that also RETR a 1-8 MiB file. About 10 % of sessions reuse the previous control
source port of their worker (recycled client ports).
"""
import argparse
import errno
import ftplib
import json
import os
import random
import socket
import struct
import sys
import time

SMALL_FILES = 24          # pub/: files of 0..8 KiB
MID_FILES = 16            # mid/: files of 1..8 MiB (bulk workload)
STOR_POOL = 1 << 16       # seeded bytes that small STORs are cut from
BLOCK = 1 << 20           # big files are built from one seeded 1 MiB block

MODES_V4 = (("PASV", 41.0), ("EPSV", 30.0 - 30.0 * 10 / 42), ("PORT", 18.0), ("EPRT", 12.0 - 12.0 * 10 / 42))
MODES_V6 = (("EPSV", 30.0), ("EPRT", 12.0))


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for v, w in weighted:
        x -= w
        if x < 0:
            return v
    return weighted[-1][0]


# ---------------------------------------------------------------------------- prepare

def small_sizes(seed):
    rng = random.Random("%s/small" % seed)
    sizes = [int(8192 * rng.random() ** 1.5) for _ in range(SMALL_FILES)]
    sizes[0], sizes[1] = 0, 8192          # an empty file and a full 8 KiB one
    return sizes


def mid_sizes(seed):
    rng = random.Random("%s/mid" % seed)
    return [rng.randint(1 << 20, 8 << 20) for _ in range(MID_FILES)]


def write_file(path, size, rng):
    block = rng.randbytes(min(size, BLOCK))
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
    os.chmod(path, 0o644)


def prepare(a):
    root = a.root
    for d in ("pub", "mid", "big", "incoming"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    rng = random.Random("%s/files" % a.seed)
    small = small_sizes(a.seed)
    for i, n in enumerate(small):
        write_file(os.path.join(root, "pub", "f%02d.bin" % i), n, rng)
    mids = mid_sizes(a.seed) if a.workload == "bulk" else []
    for i, n in enumerate(mids):
        write_file(os.path.join(root, "mid", "m%02d.bin" % i), n, rng)
    if a.workload == "bulk":
        write_file(os.path.join(root, "big", "big.bin"), a.bulk_mib << 20, rng)

    n = a.sessions
    scale = n / 2000.0
    nbulk = a.bulk if a.bulk is not None else (max(1, round(12 * scale)) if a.workload == "bulk" else 0)
    nmid = a.mid if a.mid is not None else (round(107 * scale) if a.workload == "bulk" else 0)
    rng = random.Random("%s/plan/%s/%d" % (a.seed, a.workload, n))
    mid_set = set(rng.sample(range(n), min(nmid, n))) if nmid else set()
    sessions = [short_session(rng, i, i in mid_set, len(small), len(mids)) for i in range(n)]
    # bulk sessions spread evenly over the run, half RETR, half STOR
    for k in range(nbulk):
        pos = (k * len(sessions)) // max(nbulk, 1) + k
        sessions.insert(pos, bulk_session(rng, k))
    stats = {"sessions": len(sessions), "bulk_planned": nbulk, "mid_planned": nmid}
    with open(a.plan, "w") as f:
        for i, s in enumerate(sessions):
            s["id"] = i
            f.write(json.dumps(s, separators=(",", ":")) + "\n")
            for k, v in s.items():
                if isinstance(v, bool) and v:
                    stats[k] = stats.get(k, 0) + 1
            for op in s.get("ops", []):
                stats["op_" + op[0]] = stats.get("op_" + op[0], 0) + 1
            stats["mode_" + s["mode"]] = stats.get("mode_" + s["mode"], 0) + 1
            stats["switches"] = stats.get("switches", 0) + s.get("switches", 0)
    print(json.dumps(stats, sort_keys=True))


def other_mode(rng, v6, mode):
    pool = [m for m, _ in (MODES_V6 if v6 else MODES_V4) if m != mode]
    return rng.choice(pool)


def short_session(rng, i, mid, nsmall, nmid):
    v6 = rng.random() < 0.10
    mode = pick(rng, MODES_V6 if v6 else MODES_V4)
    s = {"v6": v6, "mode": mode, "reuse_port": rng.random() < 0.10}
    s["fail_login"] = rng.random() < 0.03
    s["drop"] = rng.random() < 0.02
    s["drop_rst"] = s["drop"] and rng.random() < 0.5
    pre = ["PWD"]
    if rng.random() < 0.30:
        pre.append("SYST")
    if rng.random() < 0.20:
        pre.append("FEAT")
    if rng.random() < 0.25:
        pre.append("NOOP")
    s["pre"] = pre
    ops = []
    rest = []
    if rng.random() < 0.90:
        ops.append(["LIST"])
    if rng.random() < 0.20:
        rest.append(["NLST"])
    for _ in range(rng.randint(0, 3)):
        rest.append(["RETR", "f%02d.bin" % rng.randrange(nsmall)])
    if rng.random() < 0.05:
        rest.append(["RETR", "missing-%d.bin" % rng.randrange(1000)])
    if mid and nmid:
        rest.append(["RETR", "/mid/m%02d.bin" % rng.randrange(nmid)])
    if rng.random() < 0.57:
        for k in range(rng.randint(0, 2)):
            name = "/incoming/s%d-%d.bin" % (i, k)
            size = int(8192 * rng.random() ** 1.5)
            rest.append(["STOR", name, size, rng.randrange(STOR_POOL - size + 1)])
            if rng.random() < 0.4:
                rest.append(["DELE", name])
    rng.shuffle(rest)
    # a DELE must follow its STOR
    stored, fixed = set(), []
    for op in rest:
        if op[0] == "DELE" and op[1] not in stored:
            continue
        if op[0] == "STOR":
            stored.add(op[1])
        fixed.append(op)
    ops += fixed
    # one mode per session; 16 % of those with two transfers or more switch once
    xfers = [op for op in ops if op[0] != "DELE"]
    cur = mode
    switches = 0
    switch_at = rng.randrange(1, len(xfers)) if len(xfers) >= 2 and rng.random() < 0.16 else -1
    for k, op in enumerate(xfers):
        if k == switch_at:
            cur = other_mode(rng, v6, cur)
            switches += 1
        op.insert(1, cur)
    s["switches"] = switches
    s["ops"] = ops
    if s["fail_login"]:
        s["ops"], s["switches"] = [], 0
    return s


def bulk_session(rng, k):
    v6 = rng.random() < 0.10
    mode = pick(rng, MODES_V6 if v6 else MODES_V4)
    if k % 2 == 0:
        op = ["RETR", mode, "/big/big.bin"]
    else:
        op = ["STORBIG", mode, "/incoming/bulk-%d.bin" % k]
    return {"v6": v6, "mode": mode, "reuse_port": False, "fail_login": False, "drop": False,
            "drop_rst": False, "pre": ["PWD"], "ops": [op], "switches": 0, "bulk": True}


# ---------------------------------------------------------------------------- run

class Client(ftplib.FTP):
    """ftplib for the control connection; data connections are handled here."""

    def open_control(self, host, af, src, src_port, timeout):
        self.timeout = timeout
        self.af, self.host, self.port = af, host, 21
        s = None
        if src_port:
            s = socket.socket(af, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((src, src_port))
                s.connect((host, 21))
            except OSError as e:
                s.close()
                s = None
                if e.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.ECONNREFUSED):
                    raise
        reused = s is not None
        if s is None:
            s = socket.socket(af, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.bind((src, 0))
            s.connect((host, 21))
        self.sock = s
        self.file = s.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return s.getsockname()[1], reused

    def cmd(self, line):
        self.putcmd(line)
        return self.getmultiline()

    def transfer(self, mode, verb, arg, upload=None, counters=None):
        """One data transfer. upload: bytes-like or a callable writing to a socket."""
        t = self.timeout
        d = listener = None
        try:
            if mode in ("PASV", "EPSV"):
                if mode == "PASV":
                    host, port = ftplib.parse227(self.sendcmd("PASV"))
                else:
                    host, port = ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
                d = socket.create_connection((host, port), timeout=t)
            else:
                listener = socket.socket(self.af, socket.SOCK_STREAM)
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind((self.sock.getsockname()[0], 0))
                listener.listen(1)
                listener.settimeout(t)
                port = listener.getsockname()[1]
                if mode == "PORT":
                    self.sendport(self.sock.getsockname()[0], port)
                else:
                    self.sendeprt(self.sock.getsockname()[0], port)
            resp = self.cmd(verb + (" " + arg if arg else ""))
            if not resp.startswith("1"):
                counters["refused_" + resp[:3]] = counters.get("refused_" + resp[:3], 0) + 1
                return resp
            if listener is not None:
                d, _ = listener.accept()
                d.settimeout(t)
                listener.close()
                listener = None
            if upload is not None:
                if callable(upload):
                    upload(d)
                else:
                    d.sendall(upload)
                d.shutdown(socket.SHUT_WR)
                while d.recv(4096):
                    pass
            else:
                buf = bytearray(1 << 18)
                while d.recv_into(buf):
                    pass
            d.close()
            d = None
            resp = self.getmultiline()
            counters["data"] = counters.get("data", 0) + 1
            return resp
        finally:
            if d is not None:
                d.close()
            if listener is not None:
                listener.close()


def run(a):
    with open(a.plan) as f:
        plan = [json.loads(line) for k, line in enumerate(f) if k % a.workers == a.worker]
    pool = random.Random("%s/storpool" % a.seed).randbytes(STOR_POOL)
    block = random.Random("%s/bigstor" % a.seed).randbytes(BLOCK)
    big_bytes = a.bulk_mib << 20

    def big_upload(sock):
        view = memoryview(block)
        left = big_bytes
        while left > 0:
            n = min(left, BLOCK)
            sock.sendall(view[:n])
            left -= n

    counters = {"worker": a.worker, "sessions": 0, "ok": 0, "failed": 0, "reused_port": 0}
    last_port = {False: 0, True: 0}
    t0 = time.time()
    for s in plan:
        counters["sessions"] += 1
        v6 = s["v6"]
        af = socket.AF_INET6 if v6 else socket.AF_INET
        server = a.server6 if v6 else a.server4
        src = a.client6 if v6 else a.client4
        ftp = Client(encoding="latin-1")
        try:
            port, reused = ftp.open_control(server, af, src, last_port[v6] if s["reuse_port"] else 0, a.timeout)
            last_port[v6] = port
            if reused:
                counters["reused_port"] += 1
            if s["fail_login"]:
                ftp.cmd("USER bench")
            else:
                ftp.cmd("USER anonymous")
                r = ftp.cmd("PASS bench@example.org")
                if not r.startswith("230"):
                    raise ftplib.error_perm(r)
                for c in s["pre"]:
                    ftp.cmd(c)
                ftp.cmd("CWD /pub")
                ftp.cmd("TYPE I")
                for op in s["ops"]:
                    verb = op[0]
                    if verb == "DELE":
                        ftp.cmd("DELE " + op[1])
                    elif verb in ("LIST", "NLST"):
                        ftp.transfer(op[1], verb, "", counters=counters)
                    elif verb == "RETR":
                        ftp.transfer(op[1], "RETR", op[2], counters=counters)
                    elif verb == "STOR":
                        size, off = op[3], op[4]
                        ftp.transfer(op[1], "STOR", op[2], upload=memoryview(pool)[off:off + size], counters=counters)
                    elif verb == "STORBIG":
                        ftp.transfer(op[1], "STOR", op[2], upload=big_upload, counters=counters)
            if s["drop"]:
                if s["drop_rst"]:
                    ftp.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                ftp.sock.close()
                ftp.file.close()
            else:
                ftp.cmd("QUIT")
                ftp.close()
            counters["ok"] += 1
        except (OSError, EOFError, ftplib.Error) as e:
            counters["failed"] += 1
            key = "err_" + type(e).__name__
            counters[key] = counters.get(key, 0) + 1
            if counters["failed"] <= 5:
                print("session %d: %r" % (s["id"], e), file=sys.stderr)
            try:
                ftp.close()
            except OSError:
                pass
    counters["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(counters, sort_keys=True), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("--workload", choices=("bulk", "mix"), required=True)
    pp.add_argument("--sessions", type=int, required=True)
    pp.add_argument("--seed", default="1")
    pp.add_argument("--bulk", type=int, help="big-file sessions (default 12 per 2000 sessions for bulk)")
    pp.add_argument("--mid", type=int, help="sessions that also RETR a 1-8 MiB file (default 107 per 2000 for bulk)")
    pp.add_argument("--bulk-mib", type=int, default=100)
    pp.add_argument("--root", required=True)
    pp.add_argument("--plan", required=True)
    pr = sub.add_parser("run")
    pr.add_argument("--plan", required=True)
    pr.add_argument("--seed", default="1")
    pr.add_argument("--bulk-mib", type=int, default=100)
    pr.add_argument("--worker", type=int, required=True)
    pr.add_argument("--workers", type=int, required=True)
    pr.add_argument("--server4", required=True)
    pr.add_argument("--server6", required=True)
    pr.add_argument("--client4", required=True)
    pr.add_argument("--client6", required=True)
    pr.add_argument("--timeout", type=float, default=30)
    a = p.parse_args()
    if a.cmd == "prepare":
        prepare(a)
    else:
        run(a)


if __name__ == "__main__":
    main()
