// asobi browser client: sign in (guest device or account), open /ws, queue with the
// matchmaker, draw match.state on a canvas and send keyboard input as match.input.
// Query parameters for automated runs: ?auto=1 signs in as a guest and queues at once;
// &mode=<name> picks the mode; &move=right holds "right" from the first state on.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const api = (path) => location.origin + "/api/v1" + path;

const app = {
  token: null,
  playerId: null,
  ws: null,
  cid: 0,
  pending: new Map(),   // cid -> {resolve, reject}
  ticketId: null,
  matchId: null,
  frames: 0,
  state: null,
  startX: null,
  input: { move_x: 0, move_y: 0 },
};

function log(line) {
  const el = $("log");
  el.textContent = (new Date().toISOString().slice(11, 23) + " " + line + "\n" +
                    el.textContent).slice(0, 6000);
}

function status(phase, text, extra) {
  const el = $("status");
  el.dataset.phase = phase;
  el.textContent = text;
  for (const [k, v] of Object.entries(extra || {})) el.dataset[k] = String(v);
}

function show(section) {
  for (const id of ["signin", "lobby", "game"]) $(id).hidden = id !== section;
}

// ---- REST ---------------------------------------------------------------------------------

async function post(path, body) {
  const resp = await fetch(api(path), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  let json = {};
  try { json = await resp.json(); } catch (e) { /* empty or not JSON */ }
  return { status: resp.status, json };
}

function randomB64(bytes) {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return btoa(String.fromCharCode(...a));
}

function randomName() {
  const a = new Uint8Array(6);
  crypto.getRandomValues(a);
  return "p_" + Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Guest device sign-in (rest.md §2.7); when the server has guests off, a throw-away account.
async function signInGuest() {
  let device = JSON.parse(localStorage.getItem("asobi.guest_device") || "null");
  if (!device) {
    device = { device_id: randomB64(16), device_secret: randomB64(32) };
    localStorage.setItem("asobi.guest_device", JSON.stringify(device));
  }
  const r = await post("/auth/guest", device);
  if (r.status === 200) return r.json;
  log("guest sign-in unavailable (" + r.status + "), using a throw-away account");
  let quick = JSON.parse(localStorage.getItem("asobi.quick_account") || "null");
  if (quick) {
    const l = await post("/auth/login", quick);
    if (l.status === 200) return l.json;
  }
  quick = { username: randomName(), password: randomB64(18) };
  const reg = await post("/auth/register", quick);
  if (reg.status !== 200) throw new Error("register failed: " + JSON.stringify(reg.json));
  localStorage.setItem("asobi.quick_account", JSON.stringify(quick));
  return reg.json;
}

async function signInAccount(username, password) {
  const reg = await post("/auth/register", { username, password });
  if (reg.status === 200) return reg.json;
  const l = await post("/auth/login", { username, password });
  if (l.status === 200) return l.json;
  const err = (l.json.error && l.json.error.code) || l.status;
  throw new Error("sign-in failed: " + err);
}

// ---- WebSocket ----------------------------------------------------------------------------

function request(type, payload) {
  const cid = String(++app.cid);
  return new Promise((resolve, reject) => {
    app.pending.set(cid, { resolve, reject });
    app.ws.send(JSON.stringify({ type, payload, cid }));
    setTimeout(() => {
      if (app.pending.delete(cid)) reject(new Error(type + " timed out"));
    }, 10000);
  });
}

function fire(type, payload) {
  if (app.ws && app.ws.readyState === WebSocket.OPEN) {
    app.ws.send(JSON.stringify({ type, payload }));
  }
}

function connect() {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/ws");
    app.ws = ws;
    ws.onopen = async () => {
      try {
        const r = await request("session.connect", { token: app.token });
        app.playerId = r.player_id;
        resolve(r);
      } catch (e) { reject(e); }
    };
    ws.onmessage = (ev) => onFrame(ev.data);
    ws.onclose = (ev) => {
      log("socket closed " + ev.code + " " + ev.reason);
      if ($("status").dataset.phase !== "finished") status("error", "Disconnected (" + ev.code + ")");
    };
    ws.onerror = () => reject(new Error("websocket error"));
  });
}

function onFrame(text) {
  let msg;
  try { msg = JSON.parse(text); } catch (e) { return; }
  if (msg.cid !== undefined && app.pending.has(msg.cid)) {
    const p = app.pending.get(msg.cid);
    app.pending.delete(msg.cid);
    if (msg.type === "error") p.reject(new Error(msg.payload.reason));
    else p.resolve(msg.payload);
    return;
  }
  const handler = pushHandlers[msg.type];
  if (handler) handler(msg.payload || {});
  else if (msg.type !== "match.state") log("push " + msg.type);
}

const pushHandlers = {
  "match.matched": (p) => {
    app.matchId = p.match_id;
    app.ticketId = null;
    $("cancel").disabled = true;
    log("matched " + p.match_id + " with " + (p.players || []).length + " players");
    status("matched", "Matched — waiting for the first state", { matchId: p.match_id });
    show("game");
  },
  "match.state": (p) => onState(p),
  "match.finished": (p) => {
    log("finished: " + JSON.stringify(p.result).slice(0, 300));
    status("finished", "Match over", {});
    $("again").hidden = false;
    app.matchId = null;
  },
  "match.matchmaker_expired": () => {
    status("lobby", "Nobody found in time — try again");
    $("cancel").disabled = true;
  },
  "match.matchmaker_failed": (p) => status("error", "Match could not start: " + p.reason),
  "error": (p) => log("error " + p.reason),
};

// ---- Match --------------------------------------------------------------------------------

function playersOf(state) {
  const ps = state.players || state.entities || {};
  if (Array.isArray(ps)) {
    const out = {};
    ps.forEach((p, i) => { out[p.id || String(i)] = p; });
    return out;
  }
  return ps;
}

function onState(state) {
  app.state = state;
  app.frames += 1;
  const players = playersOf(state);
  const me = players[app.playerId];
  if (me && app.startX === null) app.startX = me.x;
  if (app.frames === 1 && params.get("move") === "right") setInput(1, 0);
  const moved = me && app.startX !== null && me.x - app.startX > 10;
  status("playing", "Playing — " + Object.keys(players).length + " players", {
    frames: app.frames,
    players: draw(state, players),
    myX: me ? Math.round(me.x) : "",
    moved: moved ? 1 : 0,
  });
}

function draw(state, players) {
  const canvas = $("arena");
  const ctx = canvas.getContext("2d");
  const arena = state.arena || { w: 800, h: 600 };
  const sx = canvas.width / arena.w, sy = canvas.height / arena.h;
  ctx.fillStyle = "#1b2027";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const c of state.coins || []) {
    ctx.fillStyle = "#e8c547";
    ctx.beginPath();
    ctx.arc(c.x * sx, c.y * sy, 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  let drawn = 0;
  for (const [id, p] of Object.entries(players)) {
    if (typeof p.x !== "number" || typeof p.y !== "number") continue;
    const self = id === app.playerId;
    ctx.fillStyle = self ? "#4fc3f7" : (id.startsWith("bot_") ? "#ef7d57" : "#a5d6a7");
    ctx.beginPath();
    ctx.arc(p.x * sx, p.y * sy, self ? 11 : 9, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#ddd";
    ctx.font = "11px sans-serif";
    const label = (self ? "you" : id.startsWith("bot_") ? id.split("_")[1] : id.slice(0, 6)) +
                  (p.score !== undefined ? " " + p.score : "");
    ctx.fillText(label, p.x * sx + 12, p.y * sy - 10);
    drawn += 1;
  }
  if (state.remaining_ms !== undefined) {
    ctx.fillStyle = "#9ad";
    ctx.fillText(Math.ceil(state.remaining_ms / 1000) + " s", 8, 16);
  }
  return drawn;
}

function setInput(x, y) {
  if (x === app.input.move_x && y === app.input.move_y) return;
  app.input = { move_x: x, move_y: y };
  fire("match.input", app.input);
}

const keys = new Set();
function onKey(ev, down) {
  const k = ev.key;
  if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "a", "d", "w", "s"].includes(k)) return;
  ev.preventDefault();
  if (down) keys.add(k); else keys.delete(k);
  const x = (keys.has("ArrowRight") || keys.has("d") ? 1 : 0) -
            (keys.has("ArrowLeft") || keys.has("a") ? 1 : 0);
  const y = (keys.has("ArrowDown") || keys.has("s") ? 1 : 0) -
            (keys.has("ArrowUp") || keys.has("w") ? 1 : 0);
  setInput(x, y);
}

// ---- Flow ---------------------------------------------------------------------------------

async function afterSignIn(tokens) {
  app.token = tokens.access_token;
  status("connecting", "Connecting…");
  await connect();
  status("lobby", "Signed in as " + (tokens.username || app.playerId), { playerId: app.playerId });
  show("lobby");
}

async function queue() {
  const mode = $("mode").value;
  app.frames = 0;
  app.startX = null;
  app.input = { move_x: 0, move_y: 0 };
  $("again").hidden = true;
  try {
    const r = await request("matchmaker.add", { mode, properties: {} });
    app.ticketId = r.ticket_id;
    $("cancel").disabled = false;
    status("queued", "Queued for " + mode + " (" + (r.players_needed || "?") + " players)",
           { ticketId: r.ticket_id });
  } catch (e) {
    status("error", "Could not queue: " + e.message);
  }
}

async function cancel() {
  if (!app.ticketId) return;
  try { await request("matchmaker.remove", { ticket_id: app.ticketId }); } catch (e) { /* gone */ }
  app.ticketId = null;
  $("cancel").disabled = true;
  status("lobby", "Queue left");
}

function guard(fn) {
  return async (...args) => {
    try { await fn(...args); } catch (e) { status("error", e.message); log(e.stack || e.message); }
  };
}

function main() {
  $("guest").onclick = guard(async () => {
    status("signing_in", "Signing in…");
    await afterSignIn(await signInGuest());
  });
  $("account").onsubmit = guard(async (ev) => {
    ev.preventDefault();
    status("signing_in", "Signing in…");
    await afterSignIn(await signInAccount($("username").value, $("password").value));
  });
  $("queue").onclick = guard(queue);
  $("cancel").onclick = guard(cancel);
  $("again").onclick = () => { show("lobby"); status("lobby", "Ready"); };
  window.addEventListener("keydown", (e) => onKey(e, true));
  window.addEventListener("keyup", (e) => onKey(e, false));
  const wanted = params.get("mode");
  if (wanted) {
    if (![...$("mode").options].some((o) => o.value === wanted)) {
      $("mode").add(new Option(wanted, wanted));
    }
    $("mode").value = wanted;
  }
  if (params.get("auto") === "1") {
    guard(async () => {
      status("signing_in", "Signing in…");
      await afterSignIn(await signInGuest());
      await queue();
    })();
  }
}

main();
