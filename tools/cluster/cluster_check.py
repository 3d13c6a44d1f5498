#!/usr/bin/env python3
"""The player side of the network-namespace cluster test (run by netns_test.sh, inside the
load balancer's namespace). Every step talks to the cluster only through HAProxy.

  cluster_check.py --lb 127.0.0.1:8080 --nodes n1=PID,n2=PID,n3=PID --players-per-node K
                   [--dm] [--timeout S]

Checks, in order (each bounded by --timeout seconds; the first failure exits 1 with a reason):
  1. players register (REST) and open a WebSocket each; X-Asobi-Backend on the upgrade
     response (set by tools/cluster/haproxy.cfg.in) says which node took it: every node must
     hold at least one player;
  2. chat: everyone joins global:lobby; one player per node sends; every player receives all
     of those messages, so each crossed to the other nodes (websocket.md §8.4);
  3. DM (--dm): a player sends dm.send to a player on another node, who gets dm.message
     (websocket.md §8.5);
  4. matchmaking across nodes (--mm): two players on two nodes that do not own the queue
     (the owner is the smallest node id) queue for "demo"; both get match.matched for the same
     match, wherever it was placed; each sends match.input and sees its own position move in
     match.state (so inputs reach the match and its frames come back across nodes); both leave;
  5. kill -9 of the queue's owner node (the smallest id; with --mm a player of another node is
     queued there first): the players on other nodes keep being served (heartbeat and chat
     among themselves); with --mm, that queued player and one who queues after the kill are
     matched together by the new owner (the re-queue time from the kill is printed); the
     killed node's players see their socket close, reconnect through HAProxy onto a live node,
     and queue for a match again (matchmaker.add -> matchmaker.queued, websocket.md §6.1).
Prints one line per step; the last line is "cluster_check: ok" on success.
"""
import argparse
import base64
import http.client
import json
import os
import signal
import socket
import struct
import sys
import time
import uuid

TIMEOUT = 20.0


class Fail(Exception):
    pass


def http_json(lb, method, path, body=None, token=None):
    host, port = lb.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data or b"null")
    except ValueError:
        return r.status, None


class Ws:
    """A text-frame WebSocket client (RFC 6455, client frames masked), enough for the test."""

    def __init__(self, lb, token, name):
        self.name = name
        host, port = lb.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (lb, key)).encode())
        head = b""
        deadline = time.monotonic() + TIMEOUT
        while b"\r\n\r\n" not in head:
            if time.monotonic() > deadline:
                raise Fail("%s: no upgrade response" % name)
            chunk = self.s.recv(4096)
            if not chunk:
                raise Fail("%s: closed during upgrade" % name)
            head += chunk
        head, _, self.buf = head.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise Fail("%s: upgrade refused: %s" % (name, lines[0]))
        self.backend = None
        for l in lines[1:]:
            k, _, v = l.partition(":")
            if k.strip().lower() == "x-asobi-backend":
                self.backend = v.strip()
        if not self.backend:
            raise Fail("%s: no X-Asobi-Backend header on the upgrade response" % name)
        self.closed = False
        self.player_id = None
        self.request("session.connect", {"token": token}, "session.connected")

    def send(self, typ, payload, cid=None):
        msg = {"type": typ, "payload": payload}
        if cid is not None:
            msg["cid"] = cid
        data = json.dumps(msg).encode()
        hdr = bytes([0x81])
        n = len(data)
        if n < 126:
            hdr += bytes([0x80 | n])
        else:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        mask = os.urandom(4)
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _parse(self):
        b = self.buf
        if len(b) < 2:
            return None
        n, off = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, off = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, off = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < off + n:
            return None
        op, payload, self.buf = b[0] & 0x0F, b[off:off + n], b[off + n:]
        if op == 0x8:
            self.closed = True
            raise ConnectionError("close frame")
        if op != 0x1:
            return {}
        return json.loads(payload)

    def recv(self, timeout):
        """The next JSON frame, or None after `timeout` s; ConnectionError when closed."""
        end = time.monotonic() + timeout
        while True:
            f = self._parse()
            if f is not None:
                return f
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                self.closed = True
                raise ConnectionError("EOF")
            self.buf += chunk

    def wait_for(self, pred, what, timeout=None):
        end = time.monotonic() + (timeout or TIMEOUT)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Fail("%s (on %s): timed out waiting for %s" % (self.name, self.backend, what))
            f = self.recv(left)
            if f is not None and pred(f):
                return f
            if f is not None and f.get("type") == "error" and f.get("cid"):
                raise Fail("%s: error frame while waiting for %s: %s" % (self.name, what, f))

    def request(self, typ, payload, reply):
        cid = uuid.uuid4().hex[:12]
        self.send(typ, payload, cid)
        f = self.wait_for(lambda f: f.get("cid") == cid, reply)
        if f.get("type") != reply:
            raise Fail("%s: %s answered %s" % (self.name, typ, f))
        if typ == "session.connect":
            self.player_id = f["payload"]["player_id"]
        return f["payload"]


class Player:
    def __init__(self, lb, i, run):
        self.lb = lb
        self.name = "p%d" % i
        st, body = http_json(lb, "POST", "/api/v1/auth/register",
                             {"username": "c%s_%d" % (run, i), "password": "cluster-pass-%d" % i})
        if st != 200:
            raise Fail("%s: register answered %d %s" % (self.name, st, body))
        self.token = body["access_token"]
        self.ws = Ws(lb, self.token, self.name)

    def reconnect(self):
        self.ws = Ws(self.lb, self.token, self.name)


def step(msg):
    print("cluster_check: " + msg, flush=True)


def establish(players, senders, channel):
    """chat.joined promises local delivery; across nodes delivery starts once each node's
    subscription reached the NATS cluster. One player per node sends probes until every player
    heard a probe from every node (bounded by TIMEOUT)."""
    need = {p.name: set(senders) for p in players}
    deadline = time.monotonic() + TIMEOUT
    k = 0
    while any(need.values()):
        if time.monotonic() > deadline:
            raise Fail("chat never crossed between nodes: still missing %s" %
                       {n: sorted(v) for n, v in need.items() if v})
        for node, p in sorted(senders.items()):
            p.ws.send("chat.send", {"channel_id": channel, "content": "probe:%s:%d" % (node, k)})
        k += 1
        for p in players:
            while True:
                f = p.ws.recv(0.05)
                if f is None:
                    break
                c = f.get("payload", {}).get("content", "") if f.get("type") == "chat.message" else ""
                if c.startswith("probe:"):
                    need[p.name].discard(c.split(":")[1])


def check_chat(players, channel, label):
    senders = {}
    for p in players:
        senders.setdefault(p.ws.backend, p)
    establish(players, senders, channel)
    texts = {}
    for node, p in sorted(senders.items()):
        texts[node] = "%s from %s via %s" % (label, p.name, node)
        p.ws.send("chat.send", {"channel_id": channel, "content": texts[node]})
    for p in players:
        want = set(texts.values())
        while want:
            f = p.ws.wait_for(lambda f: f.get("type") == "chat.message",
                              "chat.message %s (missing %s)" % (label, sorted(want)))
            if f["payload"].get("channel_id") == channel:
                want.discard(f["payload"].get("content"))
    step("%s: %d players on %s each got the %d messages sent from %s" %
         (label, len(players), sorted({p.ws.backend for p in players}), len(texts),
          sorted(senders)))


def position(state, player_id):
    players = state.get("players") or state.get("state", {}).get("players") or {}
    me = players.get(player_id)
    return None if me is None else me.get("x")


def wait_matched(players, what):
    ids = set()
    for p in players:
        f = p.ws.wait_for(lambda f: f.get("type") == "match.matched", "match.matched (%s)" % what)
        ids.add(f["payload"].get("match_id"))
        roster = set(f["payload"].get("players", []))
        missing = {q.ws.player_id for q in players} - roster
        if missing:
            raise Fail("%s: match.matched lacks %s: %s" % (p.name, missing, f))
    if len(ids) != 1 or None in ids:
        raise Fail("%s: the players were not matched together: %s" % (what, ids))
    return ids.pop()


def check_cross_node_play(x, y):
    for p in (x, y):
        q = p.ws.request("matchmaker.add", {"mode": "demo"}, "matchmaker.queued")
        if not q.get("ticket_id"):
            raise Fail("%s: matchmaker.queued looks wrong: %s" % (p.name, q))
    match_id = wait_matched([x, y], "cross-node matchmaking")
    step("matchmaking: %s on %s and %s on %s matched into %s" %
         (x.name, x.ws.backend, y.name, y.ws.backend, match_id))
    for p in (x, y):
        f = p.ws.wait_for(lambda f: f.get("type") == "match.state" and
                          position(f["payload"], p.ws.player_id) is not None, "a match.state")
        x0 = position(f["payload"], p.ws.player_id)
        direction = 1 if x0 < 400 else -1
        p.ws.send("match.input", {"move_x": direction, "move_y": 0})
        p.ws.wait_for(lambda f: f.get("type") == "match.state" and
                      (position(f["payload"], p.ws.player_id) - x0) * direction >= 8,
                      "match.state showing its match.input applied")
    step("play: both players' match.input moved them in match.state across nodes")
    for p in (x, y):
        p.ws.request("match.leave", {}, "match.left")
    step("play: both left the match")


def main():
    global TIMEOUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--lb", required=True)
    ap.add_argument("--nodes", required=True, help="name=pid,... as HAProxy names the servers")
    ap.add_argument("--players-per-node", type=int, default=2)
    ap.add_argument("--dm", action="store_true", help="check a DM across nodes")
    ap.add_argument("--mm", action="store_true", help="check matchmaking across nodes")
    ap.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args()
    TIMEOUT = a.timeout
    nodes = dict(kv.split("=") for kv in a.nodes.split(","))
    run = uuid.uuid4().hex[:8]

    # 1. Players spread over the nodes.
    players = [Player(a.lb, i, run) for i in range(a.players_per_node * len(nodes))]
    by_node = {}
    for p in players:
        by_node.setdefault(p.ws.backend, []).append(p)
    if set(by_node) != set(nodes):
        raise Fail("players landed on %s, want every node of %s" % (sorted(by_node), sorted(nodes)))
    step("players landed on %s" % {n: [p.name for p in ps] for n, ps in sorted(by_node.items())})

    # 2. A channel with members on every node.
    channel = "global:lobby"
    for p in players:
        p.ws.request("chat.join", {"channel_id": channel}, "chat.joined")
    check_chat(players, channel, "chat")

    # 3. A DM across nodes.
    names = sorted(by_node)
    if a.dm:
        src, dst = by_node[names[0]][0], by_node[names[1]][0]
        src.ws.request("dm.send", {"recipient_id": dst.ws.player_id, "content": "hello " + run},
                       "dm.sent")
        f = dst.ws.wait_for(lambda f: f.get("type") == "dm.message", "dm.message")
        if f["payload"].get("sender_id") != src.ws.player_id:
            raise Fail("dm.message from the wrong sender: %s" % f)
        step("dm: %s on %s -> %s on %s delivered" % (src.name, src.ws.backend, dst.name,
                                                      dst.ws.backend))
    else:
        step("dm: NOT CHECKED (this build has no cluster bus: asobi --help lacks --cluster-nats)")

    # 4. Matchmaking across nodes, then play.
    victim = names[0]  # the owner of the cluster's queues: the smallest node id
    if a.mm:
        check_cross_node_play(by_node[names[1]][0], by_node[names[2]][0])
        early, late = by_node[names[1]][-1], by_node[names[2]][-1]
        early.ws.request("matchmaker.add", {"mode": "demo"}, "matchmaker.queued")
        step("%s on %s queued on the owner %s before the kill" % (early.name, early.ws.backend,
                                                                   victim))
    else:
        step("matchmaking: NOT CHECKED (this build has no cluster bus)")

    # 5. kill -9 the owner node.
    t_kill = time.monotonic()
    os.kill(int(nodes[victim]), signal.SIGKILL)
    step("killed %s (pid %s) with SIGKILL" % (victim, nodes[victim]))
    if a.mm:
        # The new owner gets the early ticket again (with its wait time) and the late one.
        late.ws.request("matchmaker.add", {"mode": "demo"}, "matchmaker.queued")
        wait_matched([early, late], "after the owner died")
        step("re-queue: %s (queued before the kill) and %s matched by the new owner %.0f ms "
             "after the kill" % (early.name, late.name, (time.monotonic() - t_kill) * 1000))
    orphans = by_node[victim]
    survivors = [p for p in players if p.ws.backend != victim]
    for p in orphans:
        try:
            p.ws.wait_for(lambda f: False, "its socket to close after the kill")
        except ConnectionError:
            pass
    step("the %d sockets on %s closed (%.0f ms after the kill)" %
         (len(orphans), victim, (time.monotonic() - t_kill) * 1000))
    for p in survivors:
        p.ws.request("session.heartbeat", {}, "session.heartbeat")
    check_chat(survivors, channel, "chat after the kill")
    deadline = time.monotonic() + TIMEOUT
    for p in orphans:
        while True:
            try:
                p.reconnect()
                break
            except (Fail, OSError) as e:
                if time.monotonic() > deadline:
                    raise Fail("%s could not reconnect through HAProxy: %s" % (p.name, e))
                time.sleep(0.2)  # retry pacing, not synchronisation: each try is checked
        if p.ws.backend == victim:
            raise Fail("%s reconnected onto the killed node %s" % (p.name, victim))
        q = p.ws.request("matchmaker.add", {"mode": "demo"}, "matchmaker.queued")
        if q.get("status") != "pending" or not q.get("ticket_id"):
            raise Fail("%s: matchmaker.queued looks wrong: %s" % (p.name, q))
    step("the %d players of %s reconnected to %s and queued for a match (%.0f ms after the kill)"
         % (len(orphans), victim, sorted({p.ws.backend for p in orphans}),
            (time.monotonic() - t_kill) * 1000))
    step("ok")


if __name__ == "__main__":
    try:
        main()
    except (Fail, ConnectionError, OSError, KeyError, ValueError) as e:
        print("cluster_check: FAILED: %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(1)
