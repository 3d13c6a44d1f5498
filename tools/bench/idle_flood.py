#!/usr/bin/env python3
"""Issue 10 idle flood, the two client sides (run by tools/bench/run_idle_flood.sh).

  idle_flood.py flood --port P --count N --hold S --server-pid PID [--source 127.0.0.1]
      Opens N plain TCP sockets from one address as fast as it can and sends nothing. Watches
      each one (epoll) for the server's close: refused at accept (RST at once) or closed at a
      deadline later. Samples the server's descriptor count every 100 ms. After S seconds it
      closes what is left and keeps sampling until the count is back at its baseline (or 10 s).
      Prints one JSON object.

  idle_flood.py heartbeat --port P --token-file F --seconds S [--source 127.0.0.2] [--conns 4]
      A normal client from another loopback address: `--conns` authenticated WebSockets, each
      sending session.heartbeat every 25 ms (open loop: latency is measured from the scheduled
      send time, so a stalled server is not hidden by a stalled sender). Prints one JSON object
      with the latency percentiles per second and overall.
"""
import argparse
import base64
import errno
import json
import os
import select
import socket
import struct
import sys
import time


def count_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


def flood(a):
    t0 = time.monotonic()
    base_fds = a.baseline_fds if a.baseline_fds >= 0 else count_fds(a.server_pid)
    samples = []  # (t, fds)
    ep = select.epoll()
    socks = {}  # fd -> [sock, t_connect_start, state]
    connect_errors = {}
    last_sample = 0.0

    def sample(now):
        nonlocal last_sample
        if now - last_sample >= 0.1:
            samples.append((round(now - t0, 2), count_fds(a.server_pid)))
            last_sample = now

    closed_at = []  # (seconds after connect start, kind) per socket the server closed
    connected = 0

    def poll(timeout):
        nonlocal connected
        for fd, ev in ep.poll(timeout, 4096):
            entry = socks.get(fd)
            if entry is None:
                continue
            s, started, state = entry
            now = time.monotonic()
            if state == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err != 0:
                    name = errno.errorcode.get(err, str(err))
                    connect_errors[name] = connect_errors.get(name, 0) + 1
                    ep.unregister(fd)
                    s.close()
                    del socks[fd]
                    continue
                connected += 1
                entry[2] = "open"
                ep.modify(fd, select.EPOLLIN | select.EPOLLRDHUP)
                # Data or EOF may already be there: fall through to the read below.
                if not (ev & (select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP |
                              select.EPOLLERR)):
                    continue
            kind = "eof"
            try:
                data = s.recv(4096)
                if data:
                    kind = "data"
            except ConnectionResetError:
                kind = "rst"
            except BlockingIOError:
                continue
            closed_at.append((now - started, kind))
            ep.unregister(fd)
            s.close()
            del socks[fd]

    # 1. The burst.
    for _ in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if a.source:
            s.bind((a.source, 0))
        try:
            s.connect((a.host, a.port))
        except BlockingIOError:
            pass
        except OSError as e:
            name = errno.errorcode.get(e.errno, str(e.errno))
            connect_errors[name] = connect_errors.get(name, 0) + 1
            s.close()
            continue
        socks[s.fileno()] = [s, time.monotonic(), "connecting"]
        ep.register(s.fileno(), select.EPOLLOUT)
        if len(socks) % 256 == 0:
            poll(0)
            sample(time.monotonic())
    burst_s = time.monotonic() - t0
    # 2. Hold: watch the closes.
    hold_end = t0 + a.hold
    while time.monotonic() < hold_end:
        poll(0.05)
        sample(time.monotonic())
    open_at_end = sum(1 for e in socks.values() if e[2] == "open")
    still_connecting = sum(1 for e in socks.values() if e[2] == "connecting")
    # 3. Close the rest; wait for the server's count to come back.
    t_close = time.monotonic()
    for fd, (s, _, _) in list(socks.items()):
        ep.unregister(fd)
        s.close()
    socks.clear()
    back_s = None
    while time.monotonic() - t_close < 10:
        now = time.monotonic()
        last_sample = 0.0
        sample(now)
        if samples[-1][1] <= base_fds:
            back_s = round(now - t_close, 2)
            break
        time.sleep(0.1)
    refused = [v for v in closed_at if v[0] < 1.0]
    later = sorted(v[0] for v in closed_at if v[0] >= 1.0)
    kinds = {}
    for _, k in closed_at:
        kinds[k] = kinds.get(k, 0) + 1
    peak = max((f for _, f in samples), default=-1)
    print(json.dumps({
        "count": a.count,
        "burst_seconds": round(burst_s, 3),
        "connected": connected,
        "connect_errors": connect_errors,
        "still_connecting_at_end": still_connecting,
        "closed_by_server": len(closed_at),
        "closed_kinds": kinds,
        "closed_within_1s": len(refused),
        "closed_later": len(later),
        "closed_later_after_connect_s": {
            "min": round(later[0], 2) if later else None,
            "p50": round(pct(later, 50), 2) if later else None,
            "max": round(later[-1], 2) if later else None,
        },
        "open_at_end_of_hold": open_at_end,
        "server_fds": {"baseline": base_fds, "peak": peak,
                       "after_close": samples[-1][1] if samples else -1,
                       "back_to_baseline_s": back_s},
        "fd_samples": samples,
    }))


class WsConn:
    def __init__(self, host, port, source, token):
        self.s = socket.create_connection((host, port), source_address=(source, 0))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise RuntimeError("upgrade: closed")
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("upgrade: " + head.split(b"\r\n")[0].decode())
        self.send(json.dumps({"type": "session.connect", "cid": "auth",
                              "payload": {"token": token}}))
        reply = self.recv_frame(5.0)
        if reply is None or '"session.connected"' not in reply:
            raise RuntimeError(f"session.connect: {reply}")
        self.s.setblocking(False)

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        hdr = bytes([0x81])
        if n < 126:
            hdr += bytes([0x80 | n])
        else:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(hdr + mask + masked)

    def parse(self):
        """Returns one complete frame's text from self.buf, or None."""
        b = self.buf
        if len(b) < 2:
            return None
        n = b[1] & 0x7F
        off = 2
        if n == 126:
            if len(b) < 4:
                return None
            n = struct.unpack("!H", b[2:4])[0]
            off = 4
        elif n == 127:
            if len(b) < 10:
                return None
            n = struct.unpack("!Q", b[2:10])[0]
            off = 10
        if len(b) < off + n:
            return None
        payload = b[off:off + n]
        self.buf = b[off + n:]
        if b[0] & 0x0F == 0x8:
            raise RuntimeError("server closed the WebSocket: %r" % payload)
        return payload.decode(errors="replace")

    def recv_frame(self, timeout):
        end = time.monotonic() + timeout
        while True:
            f = self.parse()
            if f is not None:
                return f
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            if not chunk:
                raise RuntimeError("closed")
            self.buf += chunk


def heartbeat(a):
    tokens = [l.split()[0] for l in open(a.token_file) if l.strip()]
    conns = [WsConn(a.host, a.port, a.source, tokens[i % len(tokens)]) for i in range(a.conns)]
    period = 0.025
    step = period / len(conns)
    t0 = time.monotonic()
    sched = {}  # (conn index, cid) -> scheduled time
    lat = []  # (scheduled - t0, latency ms)
    seq = 0
    nxt = t0
    end = t0 + a.seconds
    poller = select.epoll()
    by_fd = {}
    for i, c in enumerate(conns):
        poller.register(c.s.fileno(), select.EPOLLIN)
        by_fd[c.s.fileno()] = i
    while True:
        now = time.monotonic()
        while nxt <= now and nxt < end:
            i = seq % len(conns)
            cid = str(seq)
            sched[(i, cid)] = nxt
            conns[i].send('{"type":"session.heartbeat","cid":"%s","payload":{}}' % cid)
            seq += 1
            nxt = t0 + seq * step
        if nxt >= end and not sched:
            break
        if now > end + 5:
            break
        timeout = max(0.0, min(nxt, end + 5) - time.monotonic())
        for fd, _ in poller.poll(timeout):
            i = by_fd[fd]
            c = conns[i]
            try:
                chunk = c.s.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                raise RuntimeError("heartbeat connection closed by the server")
            c.buf += chunk
            t_recv = time.monotonic()
            while True:
                f = c.parse()
                if f is None:
                    break
                k = f.find('"cid":"')
                if k < 0:
                    continue
                cid = f[k + 7:f.index('"', k + 7)]
                s = sched.pop((i, cid), None)
                if s is not None:
                    lat.append((s - t0, (t_recv - s) * 1000.0))
    per_sec = {}
    for t, ms in lat:
        per_sec.setdefault(int(t), []).append(ms)
    rows = []
    for sec in sorted(per_sec):
        v = sorted(per_sec[sec])
        rows.append({"s": sec, "n": len(v), "p50": round(pct(v, 50), 3),
                     "p99": round(pct(v, 99), 3), "max": round(v[-1], 3)})
    allv = sorted(ms for _, ms in lat)
    print(json.dumps({
        "sent": seq, "answered": len(lat), "unanswered": len(sched),
        "p50": round(pct(allv, 50), 3), "p99": round(pct(allv, 99), 3),
        "p999": round(pct(allv, 99.9), 3), "max": round(allv[-1], 3),
        "per_second": rows}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--source", default="127.0.0.1")
    f.add_argument("--count", type=int, default=20000)
    f.add_argument("--hold", type=float, default=20.0)
    f.add_argument("--server-pid", type=int, required=True)
    f.add_argument("--baseline-fds", type=int, default=-1,
                   help="the server's idle descriptor count (default: counted at start)")
    h = sub.add_parser("heartbeat")
    h.add_argument("--host", default="127.0.0.1")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--source", default="127.0.0.2")
    h.add_argument("--token-file", required=True)
    h.add_argument("--seconds", type=float, default=30.0)
    h.add_argument("--conns", type=int, default=4)
    a = p.parse_args()
    flood(a) if a.cmd == "flood" else heartbeat(a)


if __name__ == "__main__":
    sys.exit(main())
