// Notifications tab: send one to a player (`POST /ops/notifications`, docs/decisions.md
// "Console edit routes") and list recent ones (`GET /ops/notifications`).
import * as api from './api.js';
import { fill, listOf, pageNote, table } from './table.js';

const $ = (id) => document.getElementById(id);

async function send(say) {
  const raw = $('notify-content').value.trim();
  const body = { player_id: $('notify-player').value.trim(), type: $('notify-type').value,
                 subject: $('notify-subject').value, content: raw ? JSON.parse(raw) : {} };
  await api.post('/notifications', body);
  say('notification sent');
  await load(say);
}

export async function load(say) {
  const answer = await api.get('/notifications');
  fill($('notifications'), pageNote(answer), table(listOf(answer)));
  say('notifications loaded');
}

export function init(run) {
  $('notify-form').addEventListener('submit', (ev) => { ev.preventDefault(); run(send); });
}
