// Leaderboards & tournaments tab: `GET /ops/leaderboards`, `/ops/leaderboards/:id/entries`,
// `/ops/tournaments[/:id]`.
import * as api from './api.js';
import { fill, listOf, pageNote, summary, table } from './table.js';

const $ = (id) => document.getElementById(id);

export async function load(say) {
  const boards = await api.get('/leaderboards');
  fill($('leaderboards'), table(listOf(boards), {
    onRow: (b) => say.run(async () => {
      const e = await api.get('/leaderboards/' + encodeURIComponent(b.id) + '/entries');
      fill($('board-entries'), pageNote(e), table(listOf(e)));
    }),
  }));
  const tours = await api.get('/tournaments');
  fill($('tournaments'), pageNote(tours), table(listOf(tours), {
    onRow: (t) => say.run(async () => {
      const d = await api.get('/tournaments/' + encodeURIComponent(t.id));
      fill($('tournament-detail'), summary(d.data));
    }),
  }));
  say('leaderboards and tournaments loaded');
}

export function init() {}
