// asobi browser client: sign in (guest device or account), open /ws, queue with the
// matchmaker, draw match.state on a canvas and send keyboard input as match.input.
// Query parameters for automated runs: ?auto=1 signs in as a guest and queues at once;
// &mode=<name> picks the mode; &move=right holds "right" from the first state on.
// Mode "arena" (lua/arena): the mouse aims, a held click shoots, the between-round vote is
// shown as buttons and the round results and final standings as tables.
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
  lastSendMs: 0,
  sendTimer: null,
  vote: null,           // the open match.vote_start payload
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
    // The server closes a socket after 60 s without inbound frames (--ws-idle-timeout-ms);
    // a player who stands still through an arena intermission must keep it.
    const beat = setInterval(() => fire("session.heartbeat", {}), 20000);
    ws.addEventListener("close", () => clearInterval(beat));
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
  "match.round_start": (p) => {
    hideScores();
    hud("Round " + p.round + " of " + p.of + " — modifier " + p.modifier);
    status($("status").dataset.phase, $("status").textContent, { round: p.round });
  },
  "match.round_over": (p) => {
    showRoundScores(p);
    status($("status").dataset.phase, $("status").textContent,
           { roundsOver: p.round, roundWinner: p.winner || "" });
  },
  "match.kill": (p) => log("kill: " + label(p.killer) + " got " + label(p.victim)),
  "match.modifier_chosen": (p) => log("next round's modifier: " + p.modifier),
  "match.results": (p) => showStandings(p.standings || []),
  "match.vote_start": (p) => onVoteStart(p),
  "match.vote_tally": (p) => onVoteTally(p),
  "match.vote_result": (p) => onVoteResult(p),
  "match.vote_vetoed": (p) => {
    voteNote("vetoed by " + label(p.vetoed_by));
    voteState("vetoed");
  },
  "module.message": (p) => onNote(p.message || {}),
  "game.message": () => {},  // the legacy twin of module.message
  "session.heartbeat": () => {},
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
  // Arena warmup states come before the spawn of the round: measure moves within a round.
  if (me && (app.startX === null || (state.phase && state.phase !== "round"))) app.startX = me.x;
  if (app.frames === 1 && params.get("move") === "right") setInput(1, 0);
  const moved = me && app.startX !== null && me.x - app.startX > 10;
  const extra = {
    frames: app.frames,
    players: draw(state, players),
    myX: me ? Math.round(me.x) : "",
    moved: moved ? 1 : 0,
  };
  if (state.phase !== undefined) {
    extra.gamePhase = state.phase;
    hud(phaseText(state));
  }
  if (state.you && state.you.cooldown_ms > 0) extra.fired = 1;  // our own shot is cooling down
  if (Array.isArray(state.projectiles) && state.projectiles.length > 0) extra.shots = 1;
  status("playing", "Playing — " + Object.keys(players).length + " players", extra);
}

function label(id) {
  if (!id) return "nobody";
  if (id === app.playerId) return "you";
  return id.startsWith("bot_") ? id.split("_")[1] : id.slice(0, 8);
}

function hud(text) { $("hud").textContent = text; }

function phaseText(state) {
  const left = Math.ceil((state.phase_left_ms || 0) / 1000) + " s";
  if (state.phase === "round") {
    return "Round " + state.round + "/" + state.rounds + " — " + state.modifier + " — " + left;
  }
  if (state.phase === "intermission") return "Intermission — next round in " + left;
  if (state.phase === "warmup") return "Warmup — first round in " + left;
  return state.phase === "results" ? "Match over" : String(state.phase);
}

function draw(state, players) {
  const canvas = $("arena");
  const ctx = canvas.getContext("2d");
  const arena = state.arena || { w: 800, h: 600 };
  const sx = canvas.width / arena.w, sy = canvas.height / arena.h;
  ctx.fillStyle = "#1b2027";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const s of state.projectiles || []) {
    ctx.fillStyle = "#fff59d";
    ctx.fillRect(s.x * sx - 2, s.y * sy - 2, 4, 4);
  }
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
    if (p.alive === false) ctx.fillStyle = "#666";
    const text = (self ? "you" : id.startsWith("bot_") ? id.split("_")[1] : id.slice(0, 6)) +
                 (p.score !== undefined ? " " + p.score : "") +
                 (p.kills !== undefined ? " " + p.kills + "k" : "") +
                 (p.hp !== undefined ? " " + p.hp + "hp" : "");
    ctx.fillText(text, p.x * sx + 12, p.y * sy - 10);
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
  app.input.move_x = x;
  app.input.move_y = y;
  sendInput();
}

// Sends the input now, or (mouse moves) at most every 50 ms.
function sendInput() {
  const now = Date.now();
  if (now - app.lastSendMs >= 50) {
    app.lastSendMs = now;
    fire("match.input", app.input);
  } else if (!app.sendTimer) {
    app.sendTimer = setTimeout(() => { app.sendTimer = null; sendInput(); },
                               50 - (now - app.lastSendMs));
  }
}

// Mouse position over the canvas in the state's arena units.
function aimAt(ev) {
  const canvas = $("arena");
  const r = canvas.getBoundingClientRect();
  const arena = (app.state && app.state.arena) || { w: 800, h: 600 };
  app.input.aim_x = Math.round((ev.clientX - r.left) / r.width * arena.w);
  app.input.aim_y = Math.round((ev.clientY - r.top) / r.height * arena.h);
}

function onMouse(ev, kind) {
  aimAt(ev);
  if (kind === "down" && ev.button === 0) app.input.shoot = true;
  if (kind === "up" || kind === "leave") app.input.shoot = false;
  if (kind !== "move") app.lastSendMs = 0;  // presses go out at once
  sendInput();
}

// ---- Votes and scores (arena) ---------------------------------------------------------------

function voteState(v) {
  $("vote").dataset.state = v;
  status($("status").dataset.phase, $("status").textContent, { vote: v });
}
function voteNote(text) { $("vote-note").textContent = text; }

function onVoteStart(p) {
  app.vote = p;
  $("vote").hidden = false;
  $("vote-title").textContent = "Vote (" + Math.round(p.window_ms / 1000) + " s):";
  const box = $("vote-buttons");
  box.textContent = "";
  for (const o of p.options || []) {
    const b = document.createElement("button");
    b.textContent = o.label || o.id;
    b.dataset.option = o.id;
    b.onclick = guard(() => castVote(p.vote_id, o.id, b));
    box.appendChild(b);
  }
  voteNote("");
  voteState("open");
  status($("status").dataset.phase, $("status").textContent, { voteId: p.vote_id });
}

async function castVote(voteId, optionId, button) {
  try {
    await request("vote.cast", { vote_id: voteId, option_id: optionId });
  } catch (e) {
    voteNote("not counted: " + e.message);
    return;
  }
  for (const b of $("vote-buttons").children) b.classList.toggle("chosen", b === button);
  voteNote("you voted " + optionId);
  voteState("cast");
  status($("status").dataset.phase, $("status").textContent, { myVote: optionId });
}

function onVoteTally(p) {
  const parts = Object.entries(p.tallies || {}).map(([k, v]) => k + " " + v);
  voteNote(parts.join(", ") + " — " + Math.ceil((p.time_remaining_ms || 0) / 1000) + " s left");
}

function onVoteResult(p) {
  for (const b of $("vote-buttons").children) b.disabled = true;
  voteNote("result: " + (p.winner || "none") + " (" + p.total_votes + " votes)");
  voteState("result");
  status($("status").dataset.phase, $("status").textContent, { voteWinner: p.winner || "" });
}

function onNote(m) {
  if (m.kind === "reward") {
    log("reward: " + m.coins + " coins, place " + m.place + ", score " + m.score);
    status($("status").dataset.phase, $("status").textContent,
           { coins: m.coins, place: m.place, score: m.score });
  } else if (m.kind) {
    log("note: " + JSON.stringify(m).slice(0, 200));
  }
}

function table(head, rows) {
  const t = document.createElement("table");
  const tr = t.insertRow();
  for (const h of head) {
    const th = document.createElement("th");
    th.textContent = h;
    tr.appendChild(th);
  }
  for (const r of rows) {
    const row = t.insertRow();
    for (const c of r) row.insertCell().textContent = String(c);
  }
  return t;
}

function hideScores() { $("scores").hidden = true; $("vote").hidden = true; }

function showRoundScores(p) {
  const players = playersOf(app.state || {});
  const rows = Object.entries(players)
    .map(([id, q]) => [label(id), q.round_kills || 0, q.kills || 0])
    .sort((a, b) => b[1] - a[1]);
  const box = $("scores");
  box.textContent = "Round " + p.round + " over — winner " + label(p.winner) + " (" +
                    p.winner_kills + " kills)";
  box.appendChild(table(["player", "round kills", "kills"], rows));
  box.hidden = false;
}

function showStandings(standings) {
  const box = $("scores");
  box.textContent = "Final standings";
  box.appendChild(table(["player", "place", "kills", "deaths", "rounds won", "score"],
    standings.map((r) => [label(r.player_id), r.place, r.kills, r.deaths, r.rounds_won,
                          r.score])));
  box.hidden = false;
  const mine = standings.find((r) => r.player_id === app.playerId);
  status($("status").dataset.phase, $("status").textContent,
         { results: 1, finalScore: mine ? mine.score : "" });
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
  app.vote = null;
  hideScores();
  hud("");
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
  const canvas = $("arena");
  canvas.addEventListener("mousemove", (e) => onMouse(e, "move"));
  canvas.addEventListener("mousedown", (e) => onMouse(e, "down"));
  window.addEventListener("mouseup", (e) => { if (app.input.shoot) onMouse(e, "up"); });
  canvas.addEventListener("mouseleave", (e) => onMouse(e, "leave"));
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
