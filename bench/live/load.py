#!/usr/bin/env python3
"""Client load for the live-capture benchmark (run inside fs-live-cli).

  load.py short HOST SECONDS WORKERS   many short FTP sessions: login, PASV or PORT, RETR small.txt, QUIT
  load.py bulk  HOST SECONDS           one sustained RETR of big.bin after another

Prints one line of JSON with what was done.
"""
import ftplib, json, sys, threading, time

def short(host, secs, workers):
    stop = time.time() + secs
    done, failed = [0], [0]
    lock = threading.Lock()
    def worker(n):
        i = 0
        while time.time() < stop:
            i += 1
            try:
                f = ftplib.FTP(host, timeout=10)
                f.login()
                f.set_pasv((i + n) % 2 == 0)  # half passive, half active (PORT)
                f.retrbinary("RETR small.txt", lambda b: None)
                f.quit()
                with lock:
                    done[0] += 1
            except Exception:
                with lock:
                    failed[0] += 1
                time.sleep(0.05)
    ts = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in ts: t.start()
    for t in ts: t.join()
    return {"sessions": done[0], "failed": failed[0]}

def bulk(host, secs):
    stop = time.time() + secs
    total, files = [0], 0
    def sink(b):
        total[0] += len(b)
        if time.time() >= stop:
            raise EOFError
    while time.time() < stop:
        f = ftplib.FTP(host, timeout=10)
        f.login()
        try:
            f.retrbinary("RETR big.bin", sink, blocksize=1 << 16)
            files += 1
        except EOFError:
            pass
        try:
            f.close()
        except Exception:
            pass
    return {"bytes": total[0], "files": files}

if __name__ == "__main__":
    mode, host, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    res = short(host, secs, int(sys.argv[4])) if mode == "short" else bulk(host, secs)
    res["mode"] = mode
    print(json.dumps(res), flush=True)
