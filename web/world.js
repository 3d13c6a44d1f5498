// asobi island page: signs in as a guest (or a throw-away account), joins a world of mode
// `island` (lua/island) with world.find_or_create, keeps one entity table per zone from
// world.tick (websocket.md §10.5 client contract: keyframes replace, gaps ask world.resync,
// stale frames are dropped), draws the zones around the player with a camera that follows it,
// and sends the arrow/WASD keys as world.input {dx, dy}.
// Query parameters: ?auto=1 joins at once; &mode=<world mode> (island); &zone_size=<units>
// (island: 100; world.joined carries grid_size only).
// #status data-*: phase, playerId, worldId, zone ("x,y" of the player's own entity), x, y,
// frames, others (other players' entities in view); window.worldPlayers() returns
// {id: {x, y}} of every player entity in view.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const api = (path) => location.origin + "/api/v1" + path;
const ZONE = Number(params.get("zone_size") || 100);

const app = {
  ws: null, cid: 0, pending: new Map(), playerId: null, worldId: null, grid: 1,
  zones: new Map(),  // "x,y" -> {expected, entities: Map(id -> entity)}
  frames: 0, input: { dx: 0, dy: 0 },
};

function log(line) {
  const el = $("log");
  el.textContent = (new Date().toISOString().slice(11, 23) + " " + line + "\n" +
                    el.textContent).slice(0, 6000);
}

function status(phase, text, extra) {
  const el = $("status");
  el.dataset.phase = phase;
  if (text !== null) el.textContent = text;
  for (const [k, v] of Object.entries(extra || {})) el.dataset[k] = String(v);
}

// ---- Sign-in (rest.md §2.7 guest devices; a throw-away account when guests are off) --------

async function post(path, body) {
  const resp = await fetch(api(path), {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  let json = {};
  try { json = await resp.json(); } catch (e) { /* empty */ }
  return { status: resp.status, json };
}

function randomB64(n) {
  const a = new Uint8Array(n);
  crypto.getRandomValues(a);
  return btoa(String.fromCharCode(...a));
}

async function signIn() {
  const device = { device_id: randomB64(16), device_secret: randomB64(32) };
  const r = await post("/auth/guest", device);
  if (r.status === 200) return r.json;
  const a = new Uint8Array(6);
  crypto.getRandomValues(a);
  const quick = { username: "w_" + Array.from(a, (b) => b.toString(16).padStart(2, "0")).join(""),
                  password: randomB64(18) };
  const reg = await post("/auth/register", quick);
  if (reg.status !== 200) throw new Error("register failed: " + JSON.stringify(reg.json));
  return reg.json;
}

// ---- WebSocket ----------------------------------------------------------------------------

function request(type, payload) {
  const cid = String(++app.cid);
  return new Promise((resolve, reject) => {
    app.pending.set(cid, { resolve, reject });
    app.ws.send(JSON.stringify({ type, payload, cid }));
    setTimeout(() => { if (app.pending.delete(cid)) reject(new Error(type + " timed out")); },
               10000);
  });
}

function fire(type, payload) {
  if (app.ws && app.ws.readyState === WebSocket.OPEN) app.ws.send(JSON.stringify({ type, payload }));
}

function connect(token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") +
                             location.host + "/ws");
    app.ws = ws;
    ws.onopen = () => request("session.connect", { token }).then(resolve, reject);
    ws.onmessage = (ev) => onFrame(ev.data);
    const beat = setInterval(() => fire("session.heartbeat", {}), 20000);
    ws.onclose = (ev) => {
      clearInterval(beat);
      log("socket closed " + ev.code + " " + ev.reason);
      status("error", "Disconnected (" + ev.code + ")");
    };
    ws.onerror = () => reject(new Error("websocket error"));
  });
}

function onFrame(text) {
  if (typeof text !== "string") return;  // this page never asks for the binary wire
  let msg;
  try { msg = JSON.parse(text); } catch (e) { return; }
  if (msg.cid !== undefined && app.pending.has(msg.cid)) {
    const p = app.pending.get(msg.cid);
    app.pending.delete(msg.cid);
    if (msg.type === "error") p.reject(new Error(msg.payload.reason)); else p.resolve(msg.payload);
    return;
  }
  if (msg.type === "world.tick") onTick(msg.payload || {});
  else if (msg.type === "world.finished") status("finished", "World over", {});
  else if (msg.type === "error") log("error " + (msg.payload || {}).reason);
}

// ---- World state --------------------------------------------------------------------------

function onTick(t) {
  if (!Array.isArray(t.zone) || !Array.isArray(t.updates)) return;
  const key = t.zone[0] + "," + t.zone[1];
  let z = app.zones.get(key);
  if (t.kf === true) {
    z = { expected: t.frame_seq + 1, entities: new Map() };
    app.zones.set(key, z);
  } else if (t.frame_seq !== undefined) {
    if (!z) return;  // no keyframe yet: one is on its way
    if (t.frame_seq < z.expected) return;  // stale
    if (t.frame_seq > z.expected) {
      fire("world.resync", { zone: t.zone });
      return;
    }
    z.expected = t.frame_seq + 1;
  } else if (!z) {
    return;  // an ungated leave frame for a zone we never saw
  }
  for (const u of t.updates) {
    if (u.op === "a") z.entities.set(u.id, Object.assign({}, u));
    else if (u.op === "r") z.entities.delete(u.id);
    else if (u.op === "u" && z.entities.has(u.id)) Object.assign(z.entities.get(u.id), u);
  }
  if (t.frame_seq === undefined && z.entities.size === 0) app.zones.delete(key);
  app.frames += 1;
  render();
}

// Every entity in view, newest zone table wins for an id seen in two zones.
function allEntities() {
  const out = new Map();
  for (const z of app.zones.values()) for (const [id, e] of z.entities) out.set(id, e);
  return out;
}

window.worldPlayers = () => {
  const out = {};
  for (const [id, e] of allEntities()) if (e.type === "player") out[id] = { x: e.x, y: e.y };
  return out;
};

function render() {
  const canvas = $("world");
  const ctx = canvas.getContext("2d");
  const ents = allEntities();
  const me = ents.get(app.playerId);
  const cx = me ? me.x : ZONE / 2, cy = me ? me.y : ZONE / 2;
  const scale = 2.5;  // pixels per world unit
  const ox = canvas.width / 2 - cx * scale, oy = canvas.height / 2 - cy * scale;
  ctx.fillStyle = "#1b2027";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // The world's edge and the zone borders.
  ctx.strokeStyle = "#556";
  ctx.setLineDash([6, 6]);
  for (let i = 0; i <= app.grid; i += 1) {
    ctx.beginPath();
    ctx.moveTo(ox + i * ZONE * scale, oy);
    ctx.lineTo(ox + i * ZONE * scale, oy + app.grid * ZONE * scale);
    ctx.moveTo(ox, oy + i * ZONE * scale);
    ctx.lineTo(ox + app.grid * ZONE * scale, oy + i * ZONE * scale);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.fillStyle = "#556";
  ctx.font = "11px sans-serif";
  for (const key of app.zones.keys()) {
    const [zx, zy] = key.split(",").map(Number);
    ctx.fillText("zone " + key, ox + zx * ZONE * scale + 4, oy + zy * ZONE * scale + 12);
  }
  let others = 0;
  for (const [id, e] of ents) {
    if (typeof e.x !== "number" || typeof e.y !== "number") continue;
    const self = id === app.playerId;
    if (e.type === "player" && !self) others += 1;
    ctx.fillStyle = self ? "#4fc3f7" : e.type === "player" ? "#a5d6a7"
                  : e.type === "tree" ? "#8d6e63" : "#ef7d57";
    ctx.beginPath();
    ctx.arc(ox + e.x * scale, oy + e.y * scale, self ? 9 : 7, 0, 2 * Math.PI);
    ctx.fill();
    if (e.type === "player") {
      ctx.fillStyle = "#ddd";
      ctx.fillText((self ? "you" : id.slice(0, 6)) + (e.wood ? " " + e.wood + " wood" : ""),
                   ox + e.x * scale + 10, oy + e.y * scale - 8);
    }
  }
  const extra = { frames: app.frames, others };
  if (me) {
    extra.x = Math.round(me.x);
    extra.y = Math.round(me.y);
    extra.zone = Math.floor(me.x / ZONE) + "," + Math.floor(me.y / ZONE);
    $("hud").textContent = "x " + extra.x + ", y " + extra.y + " — zone " + extra.zone + " — " +
                           others + " other players in view";
  }
  status("in_world", null, extra);
}

// ---- Input --------------------------------------------------------------------------------

const keys = new Set();
function onKey(ev, down) {
  const k = ev.key;
  if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "a", "d", "w", "s"].includes(k)) return;
  ev.preventDefault();
  if (down) keys.add(k); else keys.delete(k);
  const dx = (keys.has("ArrowRight") || keys.has("d") ? 1 : 0) -
             (keys.has("ArrowLeft") || keys.has("a") ? 1 : 0);
  const dy = (keys.has("ArrowDown") || keys.has("s") ? 1 : 0) -
             (keys.has("ArrowUp") || keys.has("w") ? 1 : 0);
  if (dx === app.input.dx && dy === app.input.dy) return;
  app.input = { dx, dy };
  fire("world.input", app.input);
}

// ---- Flow ---------------------------------------------------------------------------------

async function play() {
  $("play").disabled = true;
  status("signing_in", "Signing in…");
  const tokens = await signIn();
  status("connecting", "Connecting…");
  const s = await connect(tokens.access_token);
  app.playerId = s.player_id;
  const mode = params.get("mode") || "island";
  const w = await request("world.find_or_create", { mode });
  app.worldId = w.world_id;
  app.grid = w.grid_size || 1;
  log("joined world " + w.world_id + " (" + w.player_count + " players)");
  status("in_world", "In world " + w.world_id.slice(0, 8) + " (" + mode + ")",
         { playerId: app.playerId, worldId: app.worldId });
}

function guarded() {
  play().catch((e) => { status("error", e.message); log(e.stack || e.message); });
}

$("play").onclick = guarded;
window.addEventListener("keydown", (e) => onKey(e, true));
window.addEventListener("keyup", (e) => onKey(e, false));
if (params.get("auto") === "1") guarded();
