// The demo receiver's inbox: lists accepted handoffs. Every value is untrusted visitor input and is
// set with textContent only, never as HTML.
const rows = document.getElementById('rows');
const statusEl = document.getElementById('status');
const empty = document.getElementById('empty');
const detail = document.getElementById('detail');
const detailTitle = document.getElementById('detail-title');
let selected = null;
let lastText = '';

const when = (ms) => (Number.isFinite(ms) ? new Date(ms).toLocaleString() : '');
function cell(text) {
  const td = document.createElement('td');
  td.textContent = text == null ? '' : String(text);
  return td;
}
function who(h) {
  const t = h.traits || {};
  const name = [t.firstName, t.lastName].filter(Boolean).join(' ') || t.name || '';
  const parts = [name, t.title, t.email].filter(Boolean);
  return parts.length ? parts.join(' · ') : `anonymous ${String(h.visitorId || '').slice(0, 8)}`;
}
function company(h) {
  const c = h.company || {};
  const t = h.traits || {};
  const name = c.name || t.company || '';
  const size = c.employees || t.employees;
  return size ? `${name} (${size} employees)` : name;
}
function show(record) {
  selected = record.handoffId;
  detailTitle.hidden = false;
  detail.hidden = false;
  detailTitle.textContent = `Payload ${record.handoffId}`;
  detail.textContent = JSON.stringify(record.handoff, null, 2);
  for (const tr of rows.children) tr.classList.toggle('selected', tr.dataset.id === selected);
}
function render(list) {
  rows.textContent = '';
  empty.hidden = list.length > 0;
  for (const rec of [...list].reverse()) {
    const h = rec.handoff || {};
    const tr = document.createElement('tr');
    tr.dataset.id = rec.handoffId;
    const score = h.score ? `${Math.round(h.score.total)} (fit ${Math.round(h.score.fit)}, eng. ${Math.round(h.score.engagement)})` : '';
    const owner = h.routing ? h.routing.owner || h.routing.team || '' : '';
    const model = h.model ? `${h.model.version} · ${String(h.model.hash).slice(0, 10)}` : '';
    tr.append(
      cell(new Date(rec.receivedAt).toLocaleString()),
      cell(who(h)),
      cell(company(h)),
      cell(score),
      cell(h.stage),
      cell(owner),
      cell(when(h.followUpBy)),
      cell(model),
      cell(rec.deliveries),
    );
    tr.addEventListener('click', () => show(rec));
    if (rec.handoffId === selected) tr.classList.add('selected');
    rows.appendChild(tr);
  }
}
async function refresh() {
  try {
    const res = await fetch('/api/handoffs', { cache: 'no-store' });
    const text = await res.text();
    statusEl.textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (text === lastText) return;
    lastText = text;
    const list = JSON.parse(text);
    statusEl.textContent = `${list.length} handoff(s), updated ${new Date().toLocaleTimeString()}`;
    render(list);
  } catch (e) {
    statusEl.textContent = `receiver unreachable (${e.message})`;
  }
}
refresh();
setInterval(refresh, 2000);
