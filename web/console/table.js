// Renders ops API answers without knowing their columns: a list becomes a table whose columns
// are the keys of its rows, an object a two-column table. Text is always set with
// textContent (never parsed as HTML), so stored player text cannot run in the console.

const kColumnsMax = 10;
const kCellCharsMax = 120;

function cellText(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > kCellCharsMax ? s.slice(0, kCellCharsMax) + '…' : s;
}

/** Replaces the children of `el` with `nodes`. */
export function fill(el, ...nodes) {
  el.replaceChildren(...nodes);
  return el;
}

export function text(tag, s, cls) {
  const e = document.createElement(tag);
  e.textContent = s;
  if (cls) e.className = cls;
  return e;
}

/**
 * A table of `rows` (objects). `onRow(row)` makes rows clickable; `actions` is a list of
 * {label, run(row)} shown as buttons in a last column.
 */
export function table(rows, { onRow, actions, columns } = {}) {
  if (!Array.isArray(rows) || rows.length === 0) return text('p', 'Nothing to show.', 'empty');
  const cols = columns || [];
  if (!columns) {
    for (const r of rows) {
      for (const k of Object.keys(r || {})) {
        if (!cols.includes(k) && cols.length < kColumnsMax) cols.push(k);
      }
    }
  }
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const c of cols) head.appendChild(text('th', c));
  if (actions) head.appendChild(text('th', ''));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    if (r && r.id !== undefined) tr.dataset.id = String(r.id);
    for (const c of cols) tr.appendChild(text('td', cellText(r ? r[c] : '')));
    if (onRow) {
      tr.className = 'clickable';
      tr.addEventListener('click', () => onRow(r));
    }
    if (actions) {
      const td = tr.insertCell();
      for (const a of actions) {
        const b = text('button', a.label);
        b.addEventListener('click', (ev) => { ev.stopPropagation(); a.run(r); });
        td.appendChild(b);
      }
    }
  }
  return t;
}

/** A key/value table of an object's scalar members. */
export function summary(obj) {
  const rows = [];
  for (const [k, v] of Object.entries(obj || {})) {
    if (!Array.isArray(v)) rows.push({ field: k, value: v });
  }
  return table(rows, { columns: ['field', 'value'] });
}

/** The list of an ops answer: `{"data":[…]}` or `{"data":{"<key>":[…]}}`. */
export function listOf(answer) {
  const d = answer && answer.data;
  if (Array.isArray(d)) return d;
  if (d && typeof d === 'object') {
    for (const v of Object.values(d)) if (Array.isArray(v)) return v;
  }
  return [];
}

/** "showing a-b of total" for an ops page (rest.md §1.4), or "". */
export function pageNote(answer) {
  const p = answer && answer.page;
  if (!p) return text('span', '');
  const n = listOf(answer).length;
  const about = p.total_exact === false ? 'about ' : '';  // capped count: an estimate
  return text('p', `showing ${p.offset + (n ? 1 : 0)}–${p.offset + n} of ${about}${p.total}`, 'pager');
}
