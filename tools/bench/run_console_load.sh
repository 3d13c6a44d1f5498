#!/bin/bash
# Issue 15 console numbers (bench/README.md "Issue 15: console page load"): starts asobi on the
# worktree's PostgreSQL (tools/dev-db.sh) with the bench games and the ops secret, seeds
# 100,000 players (4,000 of them with access tokens), starts 1,000 live 4-player matches with
# `asobi-bench matchmaking` (they play, idle, for PLAY seconds), then
#   1. scrapes /metrics over a quiet WINDOW_S (baseline tick lateness per shard),
#   2. replays console page loads (every ops read the console makes, in its order, one
#      keep-alive connection, the ops secret as Bearer) for WINDOW_S and scrapes again,
# and prints each ops read's p50/p99/max request time (client-side on loopback: server time
# plus one loopback round trip) and each shard's tick lateness p99 before and while browsing. A read that does not answer 200
# (503 when the server is overloaded) is counted as `non-200` on its line.
#
# Usage: tools/bench/run_console_load.sh
# Environment:
#   BUILD=build   PORT=18615   SHARDS=2 (not pinned)   WINDOW_S=30   PLAY=200
#   PAGE_GAP_MS=0 pause between two page loads (0: back to back, about 15 page loads a second,
#                 far more than one operator; 1000: an operator clicking through once a second)
#   ASOBI_DB_*    the database (set -a; . .dev/pg/env; set +a after tools/dev-db.sh start)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18615}; shards=${SHARDS:-2}
window=${WINDOW_S:-30}; play=${PLAY:-200}
secret=console-bench-secret-0123456789abcdef
: "${ASOBI_DB_HOST:?set the ASOBI_DB_* variables (tools/dev-db.sh)}"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER PGDATABASE=$ASOBI_DB_NAME
tokens=/tmp/asobi_console_tokens.txt; token_rows=/tmp/asobi_console_token_rows.csv
python3 - "$tokens" "$token_rows" <<'PY'
import base64, hashlib, sys, uuid
with open(sys.argv[1], "w") as t, open(sys.argv[2], "w") as rows:
    for i in range(4000):
        raw = hashlib.sha256(f"asobi console bench {i}".encode()).digest()
        pid = uuid.UUID(int=(0x01930000000070008000 << 48) + i)
        t.write(f"{base64.b64encode(raw).decode()} {pid}\n")
        stored = base64.b64encode(hashlib.sha256(raw).digest()).decode()
        rows.write(f"{uuid.UUID(int=(0x01940000000070008000 << 48) + i)},{pid},{stored}\n")
PY
if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then
  echo "port $port is taken by another server (SO_REUSEPORT would split the load): set PORT" >&2
  exit 2
fi
"$build/src/server/asobi" --port "$port" --shards "$shards" --no-pin \
  --ws-connect-limit 1000000 --ws-rate-limit 100000 --log-level warn --conn-per-ip-max 0 \
  --game-dir tools/bench/games --match-max 5000 --matchmaker-queue-max 20000 \
  --rate-limits api=100000/1000 --ops-secret "$secret" --console &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do  # ready and migrated (the seed needs the tables)
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 &&
    [[ -n $(psql -tAc "SELECT to_regclass('ops_audit_entries')" 2>/dev/null) ]] && break
  sleep 0.1
done
psql -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO players (id, username, display_name, inserted_at, updated_at)
  SELECT ('01930000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'consolebench' || i,
         'Console Bench ' || i, now() - (i || ' seconds')::interval, now()
  FROM generate_series(0, 99999) i ON CONFLICT DO NOTHING;
CREATE TEMP TABLE bench_tokens (id uuid, user_id uuid, token text);
\copy bench_tokens FROM '$token_rows' CSV
INSERT INTO player_tokens (id, user_id, token, context, inserted_at)
  SELECT id, user_id, token, 'access', now() FROM bench_tokens ON CONFLICT (id) DO UPDATE
  SET inserted_at = now();
ANALYZE players;
SQL
echo "players: $(psql -tAc 'SELECT count(*) FROM players')"
"$build/tools/bench/asobi-bench" matchmaking --port "$port" --token-file "$tokens" -n 4000 \
  --mode bench4 --play "$play" --input-rate 0 --threads 2 >/tmp/asobi_console_mm.log 2>&1 &
bench=$!
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
for _ in $(seq 600); do
  live=$(metric asobi_matches_live); [[ ${live:-0} -ge 1000 ]] && break
  sleep 0.2
done
echo "live matches: $(metric asobi_matches_live)"
scrape() { curl -s "http://127.0.0.1:$port/metrics"; }
sleep 5
m0=$(scrape); sleep "$window"; m1=$(scrape)
python3 - "$port" "$secret" "$window" "${PAGE_GAP_MS:-0}" >/tmp/asobi_console_reads.txt <<'PY'
import http.client, json, sys, time
port, secret, window = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
gap_s = float(sys.argv[4]) / 1e3  # pause between page loads (an operator reading the page)
c = http.client.HTTPConnection("127.0.0.1", port)
H = {"Authorization": "Bearer " + secret}
times, errors = {}, {}
def get(name, path):
    t = time.perf_counter()
    c.request("GET", "/ops" + path, headers=H)
    r = c.getresponse(); body = r.read()
    times.setdefault(name, []).append((time.perf_counter() - t) * 1e3)
    if r.status != 200:  # counted, not fatal: an overloaded server answers 503 not_ready
        errors[name] = errors.get(name, 0) + 1
        return {}
    return json.loads(body)
def first_id(doc):
    d = doc.get("data")
    if isinstance(d, dict):
        d = next((v for v in d.values() if isinstance(v, list)), [])
    return (d[0].get("id") or d[0].get("match_id")) if d else None
end, loads, i = time.time() + window, 0, 0
while time.time() < end:
    i = (i * 7919 + 13) % 100000
    found = get("players?q=", f"/players?q=consolebench{i}")
    pid = first_id(found)
    if pid:
        get("players/:id", f"/players/{pid}")
        get("players/:id/export", f"/players/{pid}/export")
    get("players (page 50)", "/players?page=50")
    matches = get("matches", "/matches")
    mid = first_id(matches)
    if mid: get("matches/:id", f"/matches/{mid}")
    for name in ["stats", "worlds", "matchmaker", "leaderboards", "tournaments", "chat/channels",
                 "economy/items", "economy/listings", "notifications", "audit"]:
        get(name, "/" + name)
    loads += 1
    if gap_s: time.sleep(gap_s)
print(f"page loads: {loads} in {window:.0f} s")
def pct(v, p): v = sorted(v); return v[min(len(v) - 1, int(p / 100 * len(v)))]
for name, v in times.items():
    e = f"  non-200 {errors[name]}" if name in errors else ""
    print(f"  {name:22s} n={len(v):5d}  p50 {pct(v,50):7.2f} ms  p99 {pct(v,99):7.2f} ms  max {max(v):7.2f} ms{e}")
PY
m2=$(scrape)
cat /tmp/asobi_console_reads.txt
python3 - <<EOF
import re
def parse(text):
    b = {}
    for line in text.splitlines():
        m = re.match(r'asobi_match_tick_lateness_seconds_bucket\{shard="(\d+)",le="([^"]+)"\} (\d+)', line)
        if m: b[(m.group(1), m.group(2))] = int(m.group(3))
        m = re.match(r'asobi_match_tick_lateness_seconds_sum\{shard="(\d+)"\} ([0-9.]+)', line)
        if m: b[(m.group(1), 'sum')] = float(m.group(2))
    return b
b0, b1, b2 = parse("""$m0"""), parse("""$m1"""), parse("""$m2""")
def p99(a, z, shard):
    les = sorted((float('inf') if k == '+Inf' else float(k), k) for s, k in z
                 if s == shard and k != 'sum')
    n = z[(shard, '+Inf')] - a.get((shard, '+Inf'), 0)
    for le, k in les:
        if z[(shard, k)] - a.get((shard, k), 0) >= 0.99 * n: return le * 1e3, n
def mean(a, z, shard):  # exact, from _sum / _count over the interval (ms)
    n = z[(shard, '+Inf')] - a.get((shard, '+Inf'), 0)
    return (z.get((shard, 'sum'), 0) - a.get((shard, 'sum'), 0)) * 1e3 / n if n else 0.0
for shard in sorted({s for s, _ in b2}):
    q, nq = p99(b0, b1, shard); w, nw = p99(b1, b2, shard)
    print(f"shard {shard}: tick lateness p99 <= {q:g} ms quiet ({nq} ticks), <= {w:g} ms browsing ({nw} ticks); "
          f"mean {mean(b0, b1, shard):.3f} ms quiet, {mean(b1, b2, shard):.3f} ms browsing")
EOF
echo "load average: $(cat /proc/loadavg)"
kill $bench 2>/dev/null || true; wait $bench 2>/dev/null || true
