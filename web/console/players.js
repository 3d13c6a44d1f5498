// Players tab: search (`GET /ops/players?q=&guest=`), one player's record with their
// wallets, items, saves and matches (`GET /ops/players/:id`), the export as a download
// (`GET /ops/players/:id/export`), and erasure (`POST /ops/players/:id/erase` with the
// username typed back).
import * as api from './api.js';
import { fill, listOf, pageNote, summary, table, text } from './table.js';

const $ = (id) => document.getElementById(id);
let current = null;

export async function search(say) {
  const answer = await api.get('/players', { q: $('player-q').value, guest: $('player-guest').value });
  fill($('player-results'), pageNote(answer), table(listOf(answer), { onRow: (p) => say.run(() => open(p.id, say)) }));
  say(`${listOf(answer).length} player(s) found`);
}

function sections(data) {
  const out = [];
  for (const [k, v] of Object.entries(data)) {
    if (Array.isArray(v)) out.push(text('h4', `${k} (${v.length})`), table(v));
    else if (v && typeof v === 'object' && k !== 'player') out.push(text('h4', k), summary(v));
  }
  return out;
}

export async function open(id, say) {
  const answer = await api.get('/players/' + encodeURIComponent(id));
  current = answer.data;
  $('player-detail').hidden = false;
  $('player-title').textContent = `${current.username || ''} (${current.id})`;
  $('erase-username').value = '';
  fill($('player-summary'), summary(current));
  fill($('player-sections'), ...sections(current));
  say(`player ${current.username || current.id}`);
}

async function exportJson(say) {
  if (!current) return;
  const doc = await api.get('/players/' + encodeURIComponent(current.id) + '/export');
  const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `player-${current.id}.json`;
  a.click();
  URL.revokeObjectURL(a.href);
  say('export downloaded');
}

async function erase(say) {
  if (!current) return;
  const username = $('erase-username').value;
  const id = current.id;
  await api.post('/players/' + encodeURIComponent(id) + '/erase', { username });
  current = null;
  $('player-detail').hidden = true;
  await search(say);
  say(`player ${id} erased`);
}

export function init(run) {
  $('player-search-form').addEventListener('submit', (ev) => { ev.preventDefault(); run(search); });
  $('player-export').addEventListener('click', () => run(exportJson));
  $('player-erase').addEventListener('click', () => run(erase));
}

export const load = search;
