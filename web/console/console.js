// The operator console (issue 15): sign-in with the ops secret, then one tab per area. Each
// tab module exports init(run) (wires its forms once) and load(say) (fetches and draws).
// `#status[data-state]` is loading (until the session check answers) | signed_out | signed_in |
// busy | error (the Chromium test reads it).
import * as api from './api.js';
import * as audit from './audit.js';
import * as boards from './boards.js';
import * as chat from './chat.js';
import * as live from './live.js';
import * as notify from './notify.js';
import * as players from './players.js';
import * as store from './store.js';

const $ = (id) => document.getElementById(id);
const tabs = { players, live, boards, chat, store, notify, audit };
let session = false;

function state(s, label) {
  $('status').dataset.state = s;
  if (label) $('status').textContent = label;
}

function say(msg, isError) {
  $('message').textContent = msg;
  $('message').className = isError ? 'error' : '';
}

/** Runs an async step, reporting its failure in the message bar; never throws. */
async function run(step) {
  state('busy');
  try {
    await step(say);
    state(session ? 'signed_in' : 'signed_out');
  } catch (e) {
    say(e.message || String(e), true);
    if (e.status === 403 && session) showSignIn();
    else state('error');
  }
}
say.run = run;

function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) {
    b.classList.toggle('active', b.dataset.tab === name);
  }
  for (const el of document.querySelectorAll('.tab')) el.hidden = el.id !== 'tab-' + name;
  if (name !== 'players') run(tabs[name].load);
}

function showSignIn() {
  session = false;
  state('signed_out', 'Not signed in');
  $('signin').hidden = false;
  $('tabs').hidden = true;
  $('views').hidden = true;
  $('signout').hidden = true;
}

function showConsole() {
  session = true;
  state('signed_in', 'Signed in');
  $('signin').hidden = true;
  $('tabs').hidden = false;
  $('views').hidden = false;
  $('signout').hidden = false;
  showTab('players');
}

function init() {
  for (const t of Object.values(tabs)) t.init(run);
  for (const b of document.querySelectorAll('#tabs button')) {
    b.addEventListener('click', () => showTab(b.dataset.tab));
  }
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(async () => {
      await api.signIn($('secret').value, $('label').value);
      $('secret').value = '';
      showConsole();
      say('signed in');
    });
  });
  $('signout').addEventListener('click', () => run(async () => {
    await api.signOut();
    showSignIn();
  }));
  api.hasSession().then((yes) => (yes ? showConsole() : showSignIn()));
}

init();
