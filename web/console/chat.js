// Chat tab: channels (`GET /ops/chat/channels`), a channel's messages
// (`GET /ops/chat/channels/:id/messages`) and removing one
// (`DELETE /ops/chat/messages/:id`, docs/decisions.md "Console edit routes").
import * as api from './api.js';
import { fill, listOf, pageNote, table } from './table.js';

const $ = (id) => document.getElementById(id);

async function openChannel(id, say) {
  const answer = await api.get('/chat/channels/' + encodeURIComponent(id) + '/messages');
  $('channel-title').textContent = id;
  fill($('messages'), pageNote(answer), table(listOf(answer), {
    actions: [{
      label: 'Remove',
      run: (m) => say.run(async () => {
        await api.del('/chat/messages/' + encodeURIComponent(m.id));
        say(`message ${m.id} removed`);
        await openChannel(id, say);
      }),
    }],
  }));
}

export async function load(say) {
  const answer = await api.get('/chat/channels');
  fill($('channels'), pageNote(answer), table(listOf(answer), {
    onRow: (c) => say.run(() => openChannel(c.channel_id || c.id, say)),
  }));
  say('chat channels loaded');
}

export function init() {}
