// Audit log tab: `GET /ops/audit`, newest first.
import * as api from './api.js';
import { fill, listOf, pageNote, table } from './table.js';

export async function load(say) {
  const answer = await api.get('/audit');
  fill(document.getElementById('audit'), pageNote(answer), table(listOf(answer)));
  say('audit log loaded');
}

export function init() {}
