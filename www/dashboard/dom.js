// DOM helpers. Every piece of text goes in through textContent / createTextNode: imported data
// (names, titles, UTM values, reasons) is untrusted and must never be parsed as HTML.

/** Creates an element. `attrs`: `class`, `on<event>` handlers, `dataset`, properties or attributes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') el[k] = v;
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, anything else as a text node. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export const fmt = {
  int: (n) => (n ?? 0).toLocaleString('en-US'),
  num: (n, d = 1) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(d)),
  pct: (r) => (r === null || r === undefined || Number.isNaN(r) ? '–' : `${(r * 100).toFixed(1)}%`),
  date: (ms) => (ms === null || ms === undefined ? '–' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ')),
  day: (ms) => (ms === null || ms === undefined ? '–' : new Date(ms).toISOString().slice(0, 10)),
  dur: (ms) => {
    if (ms === null || ms === undefined) return '–';
    const m = ms / 60000;
    if (m < 90) return `${Math.round(m)} min`;
    if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
    return `${(m / 1440).toFixed(1)} d`;
  },
};

/** A simple table from column specs `{ label, get(row) → text|Node, class }`. */
export function table(columns, rows, { empty = 'Nothing to show.', rowAttrs } = {}) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.label))));
  const body = h('tbody');
  if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'bt-empty-cell' }, empty)));
  for (const r of rows) body.append(h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map((c) => h('td', { class: c.class }, c.get(r)))));
  return h('table', { class: 'bt-table' }, head, body);
}

export function kpi(label, value, note) {
  return h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, value), h('div', { class: 'bt-kpi-label' }, label), note ? h('div', { class: 'bt-kpi-note' }, note) : null);
}

export function card(title, ...children) {
  return h('section', { class: 'bt-card' }, title ? h('h2', { class: 'bt-card-title' }, title) : null, ...children);
}

/** A horizontal bar (share of `max`), text beside it. */
export function bar(value, max, label) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  const fill = h('div', { class: 'bt-bar-fill' });
  fill.style.width = `${pct}%`;
  return h('div', { class: 'bt-bar' }, h('div', { class: 'bt-bar-track' }, fill), h('span', { class: 'bt-bar-label' }, label));
}

/** Offers `text` as a file download. */
export function download(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
