// The console's calls to the server: the console session (POST/GET/DELETE /console/session)
// and the ops API (rest.md §3.14). Every call after sign-in carries the session cookie (sent
// by the browser) and `x-csrf-token` with the value of the `asobi_console_csrf` cookie.

/** Prefix of every ops route. */
export const OPS = '/ops';

let csrf = '';

function csrfFromCookie() {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'asobi_console_csrf') return decodeURIComponent(v.join('='));
  }
  return '';
}

/** An error from the server's envelope (rest.md §1.3): `error` is the reason string. */
export class ApiError extends Error {
  constructor(status, reason, message) {
    super(`${status} ${reason}${message ? ': ' + message : ''}`);
    this.status = status;
    this.reason = reason;
  }
}

async function call(method, path, body) {
  const headers = { 'x-csrf-token': csrf || csrfFromCookie() };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
  if (!r.ok) {
    throw new ApiError(r.status, (json && json.error) || 'http_' + r.status,
                       json && json.message);
  }
  return json;
}

/** Signs in with the ops secret; the server sets the session and CSRF cookies. */
export async function signIn(secret, label) {
  const body = { secret };
  if (label) body.label = label;
  const r = await call('POST', '/console/session', body);
  csrf = (r && r.data && r.data.csrf_token) || (r && r.csrf_token) || csrfFromCookie();
  return r;
}

/** True when the browser holds a live console session. */
export async function hasSession() {
  try {
    await call('GET', '/console/session');
    csrf = csrfFromCookie();
    return true;
  } catch (_) {
    return false;
  }
}

export async function signOut() {
  await call('DELETE', '/console/session');
  csrf = '';
}

/** GET an ops route (`path` after /ops, query object optional). */
export function get(path, query) {
  let q = '';
  if (query) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== '' && v != null) p.set(k, v);
    q = p.toString() ? '?' + p.toString() : '';
  }
  return call('GET', OPS + path + q);
}

export const post = (path, body) => call('POST', OPS + path, body || {});
export const put = (path, body) => call('PUT', OPS + path, body || {});
export const del = (path) => call('DELETE', OPS + path);
