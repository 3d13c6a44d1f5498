#!/usr/bin/env python3
"""Issue 16 number: the latency the cross-node match proxy adds to input -> state (run by
tools/cluster/netns_bench.sh proxy, inside the load balancer's namespace).

  proxy_latency.py --lb 127.0.0.1:8080 --metrics n1=HOST:PORT,... --metrics-token T
                   [--pids n1=PID,...] [--play 20] [--interval 0.3]

Six players register and connect through HAProxy (two per node, leastconn). Two matches of
mode "demo" (lua/demo/match.lua: 10 Hz ticks; match.input sets a player's heading, every
tick moves it 4 units, match.state carries every position and the tick number) are played
one after the other, by two players each:
  local    both players on the node that hosts the match (every player local);
  proxied  one player on the match's node, the other on another node (its inputs cross the
           bus to the match's node and its frames come back through the proxy).
The match's node is the one whose asobi_matches_live gauge rose (/metrics with the token);
a placement that does not give the wanted layout is left and queued again (6 tries).
While playing, every --interval s (+-50 ms, so inputs fall at every phase of the tick) both
players send match.input reversing their heading at the same instant; each player's
input -> state latency is the time until its first match.state showing the new heading.
Reported per match: each player's p50/p99, the paired difference per input (second player
minus first; proxied minus local), and the arrival-time difference of the same tick's
match.state at the two players. The control match gives the measurement's own noise.
Exits 1 with a reason on failure.
"""
import argparse
import os
import random
import select
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_check as cc  # noqa: E402  (Player, Ws, wait_matched, position, Fail)


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q / 100.0 * len(v)))]


def live_matches(metrics, token):
    out = {}
    for node, addr in metrics.items():
        req = urllib.request.Request("http://%s/metrics" % addr,
                                     headers={"authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=5) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("asobi_matches_live "):
                    out[node] = int(float(line.split()[1]))
    return out


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tick_of(payload):
    t = payload.get("tick")
    if t is None:
        t = (payload.get("state") or {}).get("tick")
    return t


def frames(players, deadline):
    """(player, frame, arrival monotonic s) of every frame read before `deadline`."""
    out = []
    now = time.monotonic()
    for p in players:
        f = p.ws._parse()
        while f is not None:
            out.append((p, f, now))
            f = p.ws._parse()
    if out:
        return out
    ready, _, _ = select.select([p.ws.s for p in players], [], [], max(0.0, deadline - now))
    t = time.monotonic()
    for p in players:
        if p.ws.s not in ready:
            continue
        p.ws.s.settimeout(1.0)
        chunk = p.ws.s.recv(65536)
        if not chunk:
            raise ConnectionError("%s: EOF" % p.name)
        p.ws.buf += chunk
        f = p.ws._parse()
        while f is not None:
            out.append((p, f, t))
            f = p.ws._parse()
    return out


def play(a, b, seconds, interval):
    """Both players reverse heading together every ~interval s; returns (lat a, lat b, paired
    b - a, state arrival b - a), in ms."""
    lat = {a: [], b: []}
    paired = []
    arrivals = {}
    last_x = {a: None, b: None}
    heading = {a: 1, b: 1}
    pending = {}
    sent_at = {}
    end = time.monotonic() + seconds
    next_send = time.monotonic() + 0.5
    order = [a, b]
    while time.monotonic() < end or pending:
        now = time.monotonic()
        if now > end + 2:
            break  # an input whose effect never showed: not counted
        if not pending and now >= next_send and now < end:
            order.reverse()  # alternate who sends first
            for p in order:
                # Always a reversal (a player oscillates a few units around its spawn point,
                # far from the walls), so the first state moving the new way shows the input.
                heading[p] = -heading[p]
                p.ws.send("match.input", {"move_x": heading[p], "move_y": 0})
                sent_at[p] = time.monotonic()
                pending[p] = heading[p]
            next_send = now + interval + random.uniform(-0.05, 0.05)
        for p, f, t in frames([a, b], min(next_send, now + 0.05)):
            if f.get("type") != "match.state":
                continue
            payload = f.get("payload") or {}
            tk = tick_of(payload)
            if tk is not None:
                arrivals.setdefault(tk, {})[p] = t
            x = cc.position(payload, p.ws.player_id)
            if x is None:
                continue
            prev = last_x[p]
            last_x[p] = x
            if p in pending and prev is not None and (x - prev) * pending[p] > 0:
                lat[p].append((t - sent_at[p]) * 1e3)
                del pending[p]
                if not pending and len(lat[a]) == len(lat[b]):
                    paired.append(lat[b][-1] - lat[a][-1])
        if pending and time.monotonic() - max(sent_at.values()) > 1.5:
            pending.clear()  # lost sample (e.g. clamped at a wall); the pair is dropped
            n = min(len(lat[a]), len(lat[b]))
            lat[a], lat[b] = lat[a][:n], lat[b][:n]
    hop = [(ts[b] - ts[a]) * 1e3 for ts in arrivals.values() if a in ts and b in ts]
    return lat[a], lat[b], paired, hop


def place(pair, metrics, token):
    """Queues the pair for "demo"; returns the node that hosts their match."""
    before = live_matches(metrics, token)
    for p in pair:
        p.ws.request("matchmaker.add", {"mode": "demo"}, "matchmaker.queued")
    cc.wait_matched(list(pair), "matchmaking")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        now = live_matches(metrics, token)
        up = [n for n in now if now[n] > before.get(n, 0)]
        if len(up) == 1:
            return up[0]
        time.sleep(0.05)
    raise cc.Fail("no node's asobi_matches_live rose after match.matched")


def leave(pair, metrics, token):
    for p in pair:
        p.ws.request("match.leave", {}, "match.left")
    end = time.monotonic() + 10
    while any(live_matches(metrics, token).values()):
        if time.monotonic() > end:
            raise cc.Fail("matches still live 10 s after both players left")
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lb", required=True)
    ap.add_argument("--metrics", required=True, help="name=host:port,... of every node")
    ap.add_argument("--metrics-token", required=True)
    ap.add_argument("--pids", default="", help="name=pid,...: CPU over each match's play")
    ap.add_argument("--play", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=0.3)
    a = ap.parse_args()
    metrics = dict(kv.split("=", 1) for kv in a.metrics.split(","))
    pids = dict((k, int(v)) for k, v in (kv.split("=") for kv in a.pids.split(",") if kv))
    run = os.urandom(4).hex()
    players = [cc.Player(a.lb, i, run) for i in range(2 * len(metrics))]
    by_node = {}
    for p in players:
        by_node.setdefault(p.ws.backend, []).append(p)
    if any(len(by_node.get(n, [])) < 2 for n in metrics):
        raise cc.Fail("want 2 players per node, got %s" %
                      {n: [p.name for p in ps] for n, ps in by_node.items()})
    print("proxy_latency: players %s" % {n: [p.name for p in ps] for n, ps in sorted(by_node.items())},
          flush=True)
    results = {}
    for layout in ("local", "proxied"):
        for attempt in range(6):
            # local: a pair of one node; proxied: one player of each of two nodes. The same
            # pair queues again until the match lands where the layout needs it (placement
            # goes to the least-loaded node, and a burst is spread over the nodes in turn).
            nodes = sorted(metrics)
            n1 = nodes[0]
            n2 = nodes[1]
            pair = (by_node[n1][0], by_node[n1][1]) if layout == "local" else (by_node[n1][0],
                                                                                 by_node[n2][0])
            host = place(pair, metrics, token=a.metrics_token)
            local = [p for p in pair if p.ws.backend == host]
            want = 2 if layout == "local" else 1
            if len(local) == want:
                break
            print("proxy_latency: %s: match landed on %s (players on %s): queue again" %
                  (layout, host, [p.ws.backend for p in pair]), flush=True)
            leave(pair, metrics, a.metrics_token)
        else:
            raise cc.Fail("%s: no placement gave the layout in 6 tries" % layout)
        if layout == "proxied" and pair[0].ws.backend != host:
            pair = (pair[1], pair[0])  # first = local, second = proxied
        cpu0 = {n: cpu_s(pid) for n, pid in pids.items()}
        me0, w0, load0 = time.process_time(), time.monotonic(), os.getloadavg()[0]
        la, lb, paired, hop = play(pair[0], pair[1], a.play, a.interval)
        wall = time.monotonic() - w0
        cpu = {n: (cpu_s(pid) - cpu0[n]) / wall * 100 for n, pid in pids.items()}
        cpu["client"] = (time.process_time() - me0) / wall * 100
        leave(pair, metrics, a.metrics_token)
        results[layout] = (paired, hop)
        print("proxy_latency: %s match on %s: %s on %s, %s on %s; %d inputs each" %
              (layout, host, pair[0].name, pair[0].ws.backend, pair[1].name, pair[1].ws.backend,
               len(la)), flush=True)
        print("  input -> state ms: first p50 %.2f p99 %.2f; second p50 %.2f p99 %.2f" %
              (pct(la, 50), pct(la, 99), pct(lb, 50), pct(lb, 99)))
        print("  paired (second - first) per input ms: p50 %.2f p99 %.2f" %
              (pct(paired, 50), pct(paired, 99)))
        print("  same tick's match.state, arrival second - first ms: p50 %.2f p99 %.2f (%d ticks)" %
              (pct(hop, 50), pct(hop, 99), len(hop)))
        print("  cpu %% of one core over %.1f s: %s; load average %.2f -> %.2f" %
              (wall, ", ".join("%s %.0f%%" % kv for kv in sorted(cpu.items())), load0,
               os.getloadavg()[0]), flush=True)
        if len(la) < 10:
            raise cc.Fail("%s: only %d inputs measured" % (layout, len(la)))
    lp, lh = results["local"]
    pp, ph = results["proxied"]
    print("proxy_latency: the proxy adds %.2f ms at p50 to input -> state (paired difference, "
          "proxied %.2f vs control %.2f); state frames arrive %.2f ms later at p50 (control %.2f)"
          % (pct(pp, 50) - pct(lp, 50), pct(pp, 50), pct(lp, 50), pct(ph, 50), pct(lh, 50)),
          flush=True)


if __name__ == "__main__":
    try:
        main()
    except (cc.Fail, ConnectionError, OSError, KeyError, ValueError) as e:
        print("proxy_latency: FAILED: %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(1)
