// Matches & worlds tab: live matches (`GET /ops/matches[/:id]`), live worlds with their
// players and phase (`GET /ops/worlds[/:id]`) and the matchmaker queues (`GET /ops/matchmaker`).
import * as api from './api.js';
import { fill, listOf, pageNote, summary, table, text } from './table.js';

const $ = (id) => document.getElementById(id);

function detail(el, answer) {
  const d = answer.data || {};
  const parts = [summary(d)];
  for (const [k, v] of Object.entries(d)) if (Array.isArray(v)) parts.push(text('h4', k), table(v));
  fill(el, ...parts);
}

export async function load(say) {
  const [matches, worlds, mm] = await Promise.allSettled([
    api.get('/matches'), api.get('/worlds'), api.get('/matchmaker')]);
  const show = (el, r, onRow) => {
    if (r.status === 'rejected') fill(el, text('p', r.reason.message, 'empty'));
    else fill(el, pageNote(r.value), table(listOf(r.value), { onRow }));
  };
  show($('matches'), matches, (m) => say.run(async () =>
    detail($('match-detail'), await api.get('/matches/' + encodeURIComponent(m.id)))));
  show($('worlds'), worlds, (w) => say.run(async () =>
    detail($('world-detail'), await api.get('/worlds/' + encodeURIComponent(w.id)))));
  if (mm.status === 'rejected') fill($('matchmaker'), text('p', mm.reason.message, 'empty'));
  else fill($('matchmaker'), Array.isArray(mm.value.data) ? table(mm.value.data) : summary(mm.value.data));
  say('live view refreshed');
}

export function init() {}
