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
const pts = (x) => (Number.isFinite(x) ? x.toFixed(2) : '?');
/** Why the lead scored what it did, line by line from the payload's parts (all in cents, they
 * add up to the total). Payloads of earlier versions carry no explanation: nothing to show. */
function why(h) {
  const x = h.explanation;
  if (!h.score || !x || typeof x !== 'object') return '';
  const out = [`Score ${pts(h.score.total)} (fit ${pts(h.score.fit)}, engagement ${pts(h.score.engagement)})`];
  const ledger = Array.isArray(h.ledger) ? h.ledger : [];
  for (const g of Array.isArray(x.groups) ? x.groups : []) {
    const clamp = g.clamp ? `, clamped at its ${g.clamp} from ${pts(g.raw)}` : '';
    out.push(`  ${g.group}: ${pts(g.value)}${clamp}`);
    for (const f of Array.isArray(x.fit) ? x.fit : []) {
      if (f.group === g.group) out.push(`    fit ${f.ruleId}: ${pts(f.points)}`);
    }
    for (const r of Array.isArray(x.rules) ? x.rules : []) {
      if (r.group !== g.group) continue;
      const listed = ledger.filter((e) => e.ruleId === r.ruleId).length;
      const capped = r.capped ? `, ${r.capped} capped` : '';
      out.push(`    ${r.ruleId}: ${pts(r.points)} (${r.matches} match(es)${capped}; ${listed} in the ledger, ${pts(r.earlierPoints)} from earlier ones)`);
    }
  }
  if (x.otherPoints) out.push(`  rules not listed: ${pts(x.otherPoints)}`);
  if (x.totalClamp) out.push(`  total clamped at its ${x.totalClamp} from ${pts(x.totalRaw)}`);
  return out.join('\n') + '\n\n';
}
function show(record) {
  selected = record.handoffId;
  detailTitle.hidden = false;
  detail.hidden = false;
  detailTitle.textContent = `Payload ${record.handoffId}`;
  detail.textContent = why(record.handoff || {}) + JSON.stringify(record.handoff, null, 2);
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
