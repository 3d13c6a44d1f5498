// Store tab: item definitions and store listings (`GET /ops/economy/items`,
// `/ops/economy/listings`), created with POST and edited with PUT on the same paths
// (docs/decisions.md "Console edit routes").
import * as api from './api.js';
import { fill, listOf, pageNote, table } from './table.js';

const $ = (id) => document.getElementById(id);

function editItem(i) {
  $('item-id').value = i ? i.id : '';
  $('item-slug').value = i ? i.slug : '';
  $('item-name').value = i ? i.name : '';
  $('item-category').value = i ? i.category : '';
  $('item-rarity').value = i ? i.rarity || '' : '';
  $('item-stackable').checked = i ? i.stackable !== false : true;
}

function editListing(l) {
  $('listing-id').value = l ? l.id : '';
  $('listing-item').value = l ? l.item_def_id : '';
  $('listing-currency').value = l ? l.currency : '';
  $('listing-price').value = l ? l.price : '';
  $('listing-active').checked = l ? l.active !== false : true;
}

async function saveItem(say) {
  const id = $('item-id').value;
  const body = { slug: $('item-slug').value, name: $('item-name').value,
                 category: $('item-category').value, stackable: $('item-stackable').checked };
  if ($('item-rarity').value) body.rarity = $('item-rarity').value;
  if (id) await api.put('/economy/items/' + encodeURIComponent(id), body);
  else await api.post('/economy/items', body);
  say(`item ${body.slug} saved`);
  await load(say);
}

async function saveListing(say) {
  const id = $('listing-id').value;
  const body = { item_def_id: $('listing-item').value, currency: $('listing-currency').value,
                 price: Number($('listing-price').value), active: $('listing-active').checked };
  if (id) await api.put('/economy/listings/' + encodeURIComponent(id), body);
  else await api.post('/economy/listings', body);
  say('listing saved');
  await load(say);
}

export async function load(say) {
  const items = await api.get('/economy/items');
  fill($('items'), pageNote(items), table(listOf(items), { onRow: editItem }));
  const listings = await api.get('/economy/listings');
  fill($('listings'), pageNote(listings), table(listOf(listings), { onRow: editListing }));
  say('store loaded');
}

export function init(run) {
  $('item-form').addEventListener('submit', (ev) => { ev.preventDefault(); run(saveItem); });
  $('listing-form').addEventListener('submit', (ev) => { ev.preventDefault(); run(saveListing); });
  $('item-new').addEventListener('click', () => editItem(null));
  $('listing-new').addEventListener('click', () => editListing(null));
}
