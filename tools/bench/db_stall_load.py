#!/usr/bin/env python3
"""Load and fault driver for tools/bench/run_db_stall.sh (issue 10, "Database stall").

Runs readers (GET /api/v1/players/:id with a bearer), writers (POST /api/v1/auth/register,
each with a new name) and a /ready poller against a running asobi, while it:
  1. lets the load run `--before` seconds,
  2. locks the `players` table for `--stall` seconds from another session (psql),
  3. restarts PostgreSQL (`tools/dev-db.sh restart <dir>`, i.e. pg_ctl restart -m fast),
  4. keeps the load running `--after` seconds.
Every request records when it started, how long it took and what it got. At the end it
prints, per phase, the answers and latencies, when /ready flipped, and checks that every
registration acknowledged with 200 is in the database.
"""
import argparse
import http.client
import json
import subprocess
import sys
import threading
import time

T0 = time.monotonic()


def now():
    return time.monotonic() - T0


class Recorder:
    def __init__(self):
        self.mu = threading.Lock()
        self.samples = []  # (kind, start_s, latency_s, status)
        self.acked = []  # usernames answered 200
        self.ready = []  # (t, status)

    def add(self, kind, start, latency, status):
        with self.mu:
            self.samples.append((kind, start, latency, status))


def request(port, method, path, body=None, bearer=None, timeout=60.0):
    """One request on a new connection: (status, body); status 0 = no answer in time."""
    headers = {"Host": "bench"}
    if bearer:
        headers["Authorization"] = "Bearer " + bearer
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        payload = r.read()
        c.close()
        return r.status, payload
    except Exception:  # timeout, reset: no answer
        return 0, b""


def reader(port, token, player_id, rec, stop):
    while not stop.is_set():
        t = now()
        status, _ = request(port, "GET", "/api/v1/players/" + player_id, bearer=token)
        rec.add("read", t, now() - t, status)


def writer(port, wid, rec, stop):
    n = 0
    while not stop.is_set():
        name = "stallw_%d_%d" % (wid, n)
        n += 1
        t = now()
        status, _ = request(port, "POST", "/api/v1/auth/register",
                            {"username": name, "password": "password123"})
        rec.add("write", t, now() - t, status)
        if status == 200:
            with rec.mu:
                rec.acked.append(name)


def ready_poller(port, rec, stop):
    while not stop.is_set():
        status, _ = request(port, "GET", "/ready", timeout=5.0)
        with rec.mu:
            rec.ready.append((now(), status))
        time.sleep(0.1)


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--psql", required=True, help="psql command line (list, space-separated)")
    ap.add_argument("--restart", required=True, help="command that restarts PostgreSQL")
    ap.add_argument("--readers", type=int, default=16)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--before", type=float, default=10)
    ap.add_argument("--stall", type=float, default=40)
    ap.add_argument("--after", type=float, default=15)
    args = ap.parse_args()
    psql = args.psql.split()

    # Reader identities: one registered player per reader.
    readers = []
    for i in range(args.readers):
        status, body = request(args.port, "POST", "/api/v1/auth/register",
                               {"username": "stallr_%d" % i, "password": "password123"})
        if status != 200:
            status, body = request(args.port, "POST", "/api/v1/auth/login",
                                   {"username": "stallr_%d" % i, "password": "password123"})
        if status != 200:
            sys.exit("cannot create reader %d: %d %s" % (i, status, body[:200]))
        d = json.loads(body)
        readers.append((d["access_token"], d["player_id"]))

    rec = Recorder()
    stop = threading.Event()
    threads = [threading.Thread(target=reader, args=(args.port, t, p, rec, stop))
               for t, p in readers]
    threads += [threading.Thread(target=writer, args=(args.port, w, rec, stop))
                for w in range(args.writers)]
    threads.append(threading.Thread(target=ready_poller, args=(args.port, rec, stop)))
    for t in threads:
        t.start()

    time.sleep(args.before)
    stall_start = now()
    lock = subprocess.Popen(psql + ["-c", "BEGIN; LOCK TABLE players IN ACCESS EXCLUSIVE MODE; "
                                    "SELECT pg_sleep(%g); COMMIT;" % args.stall],
                            stdout=subprocess.DEVNULL)
    lock.wait()
    stall_end = now()
    restart_start = now()
    subprocess.run(args.restart, shell=True, check=True, stdout=subprocess.DEVNULL)
    restart_end = now()
    time.sleep(args.after)
    stop.set()
    for t in threads:
        t.join()
    end = now()

    phases = [("before", 0, stall_start), ("stall", stall_start, stall_end),
              ("restart", restart_start, restart_start + 5), ("after", restart_start + 5, end)]
    print("phase      kind  requests  200   503  other  no-answer  p50_ms  p99_ms  max_ms")
    for name, a, b in phases:
        for kind in ("read", "write"):
            s = [x for x in rec.samples if x[0] == kind and a <= x[1] < b]
            lat = [x[2] * 1000 for x in s]
            count = lambda pred: sum(1 for x in s if pred(x[3]))
            print("%-9s  %-5s %8d %5d %5d %6d %10d %7.0f %7.0f %7.0f" % (
                name, kind, len(s), count(lambda c: c == 200), count(lambda c: c == 503),
                count(lambda c: c not in (0, 200, 503)), count(lambda c: c == 0),
                percentile(lat, 50), percentile(lat, 99), max(lat) if lat else 0))

    def first(pred, after):
        for t, st in rec.ready:
            if t >= after and pred(st):
                return t
        return None

    down = first(lambda s: s != 200, stall_start)
    up = first(lambda s: s == 200, stall_end)
    down2 = first(lambda s: s != 200, restart_start)
    up2 = first(lambda s: s == 200, restart_end)
    fmt = lambda v: "never" if v is None else "%.2f s" % v
    print("/ready: 503 %s after the lock, 200 again %s after it ended" % (
        fmt(down - stall_start if down is not None else None),
        fmt(up - stall_end if up is not None else None)))
    print("/ready: 503 %s after the restart began, 200 again %s after pg_ctl returned "
          "(restart took %.2f s)" % (
              fmt(down2 - restart_start if down2 is not None else None),
              fmt(up2 - restart_end if up2 is not None else None), restart_end - restart_start))

    # Durability: every acknowledged registration is stored.
    names = ",".join("'%s'" % n for n in rec.acked)
    stored = int(subprocess.run(
        psql + ["-tAc", "SELECT count(*) FROM players WHERE username IN (%s)" % (names or "''")],
        check=True, capture_output=True, text=True).stdout.strip())
    print("writes acknowledged: %d, found in the database: %d" % (len(rec.acked), stored))
    unanswered = sum(1 for x in rec.samples if x[3] == 0)
    print("requests without an answer: %d of %d" % (unanswered, len(rec.samples)))
    ok = stored == len(rec.acked) and unanswered == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
