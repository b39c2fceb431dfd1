// Leads: a virtualized table (only the visible rows exist in the DOM; the Worker filters, sorts
// and pages 100k+ leads), and the selected lead's ledger and timeline.
import { h, clear, append, fmt, table } from '../dom.js';

const ROW = 30;
const COLUMNS = [
  ['name', 'Lead'], ['company', 'Company'], ['score', 'Score'], ['grade', 'Fit'], ['stage', 'Stage'], ['owner', 'Owner'], ['source', 'Source'], ['slaDueAt', 'SLA'],
];

function tag(stage) {
  return h('span', { class: `bt-tag bt-tag-${stage}` }, stage);
}

function sla(l) {
  if (l.slaDueAt === null || l.slaDueAt === undefined) return '–';
  if (l.slaBreached) return h('span', { class: 'bt-tag bt-tag-breached' }, 'breached');
  return l.touchedAt ? h('span', { class: 'bt-ok' }, 'met') : `due ${fmt.date(l.slaDueAt)}`;
}

/** The SLA cell's full text, for its tooltip (the cell is narrow). */
function slaTitle(l) {
  if (l.slaDueAt === null || l.slaDueAt === undefined) return 'no SLA';
  const due = `due ${fmt.date(l.slaDueAt)} UTC`;
  if (l.slaBreached) return `breached (${due})`;
  return l.touchedAt ? `met: touched ${fmt.date(l.touchedAt)} UTC, ${due}` : due;
}

const pts = (n) => fmt.num(n, 2);
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
const signed = (n) => `${n >= 0 ? '+' : '−'}${pts(Math.abs(n))}`;

/**
 * Every point of the score, in cents as the explanation gives them, so the rows visibly add up:
 * each rule's points (its listed ledger matches plus earlier ones), each group's sum and clamp,
 * the total before its clamp, the clamp, the score.
 */
function scoreParts(ex) {
  const rows = [];
  const listed = new Map();
  for (const e of ex.entries) listed.set(e.ruleId, (listed.get(e.ruleId) ?? 0) + (e.capHit ? 0 : e.countedPoints));
  for (const g of ex.groups) {
    for (const r of ex.rules) {
      if (r.group !== g.group || (r.points === 0 && r.matches === 0)) continue;
      const inLedger = listed.get(r.ruleId) ?? 0;
      const capped = r.capped ? `, ${fmt.int(r.capped)} capped` : '';
      rows.push({ part: 'rule', group: g.group, label: h('span', { class: 'bt-mono' }, r.ruleId), points: r.points,
        detail: `${fmt.int(r.matches)} ${r.matches === 1 ? 'match' : 'matches'}${capped}: ${pts(inLedger)} in the ledger below ${signed(r.earlierPoints)} from earlier matches`,
        data: { rule: r.ruleId, listed: inLedger, earlier: r.earlierPoints } });
    }
    for (const f of ex.fit) {
      if (f.group !== g.group || !f.matched) continue;
      rows.push({ part: 'fit', group: g.group, label: h('span', { class: 'bt-mono' }, f.ruleId), points: f.points, detail: 'fit rule matched', data: { rule: f.ruleId } });
    }
    if (g.clamp) {
      rows.push({ part: 'group-clamp', group: g.group, label: `${g.group}: clamp`, points: g.value - g.raw,
        detail: `the rules add up to ${pts(g.raw)}; the group’s ${g.clamp === 'max' ? 'maximum' : 'minimum'} makes it ${pts(g.value)}`, cls: 'bt-clamp-row' });
    }
    rows.push({ part: 'group', group: g.group, label: h('strong', {}, `${g.group} (group)`), points: g.value,
      detail: g.clamp ? `${pts(g.raw)} ${signed(g.value - g.raw)} clamp` : 'the sum of its rules', cls: 'bt-sum-row' });
  }
  rows.push({ part: 'total-raw', label: h('strong', {}, 'Total before its limit'), points: ex.totalRaw, detail: 'the sum of the groups', cls: 'bt-sum-row' });
  const score = ex.score.total;
  if (ex.totalClamp) {
    rows.push({ part: 'total-clamp', label: 'Total: clamp', points: score - ex.totalRaw,
      detail: `the model’s total ${ex.totalClamp === 'max' ? 'maximum' : 'minimum'} makes ${pts(ex.totalRaw)} into ${pts(score)}`, cls: 'bt-clamp-row' });
  }
  rows.push({ part: 'score', label: h('strong', {}, 'Score'), points: score, detail: ex.totalClamp ? `${pts(ex.totalRaw)} ${signed(score - ex.totalRaw)} clamp` : 'the total', cls: 'bt-sum-row' });
  return h('div', { id: 'bt-score-parts' }, table([
    { label: 'Part', get: (r) => r.label },
    { label: 'How', get: (r) => r.detail },
    { label: 'Points', class: 'bt-num bt-nowrap', get: (r) => pts(r.points) },
  ], rows, { rowAttrs: (r) => ({ class: r.cls, dataset: defined({ part: r.part, group: r.group, points: pts(r.points), ...r.data }) }) }));
}

export async function render(root, ctx) {
  const q = { text: '', stages: [], onlyBreached: false, sort: 'score', descending: true };
  const countEl = h('span', { class: 'bt-muted', id: 'bt-leads-count' });
  const search = h('input', { class: 'bt-input', id: 'bt-leads-search', placeholder: 'Search name, email, company, owner, source…' });
  search.style.minWidth = '300px';
  const stage = h('select', { class: 'bt-select', id: 'bt-leads-stage' }, h('option', { value: '' }, 'All stages'),
    ['anonymous', 'known', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'rejected'].map((s) => h('option', { value: s }, s)));
  const breached = h('input', { type: 'checkbox', id: 'bt-leads-breached' });
  root.append(h('div', { class: 'bt-row' }, search, stage, h('label', {}, breached, ' SLA breached only'), countEl,
    h('span', { class: 'bt-muted bt-hint' }, 'Keyboard: Tab to the list, ↑/↓ to move, Enter to open a lead.')));

  const head = h('div', { class: 'bt-vt-head' });
  const spacer = h('div', { class: 'bt-vt-spacer' });
  const scroller = h('div', { class: 'bt-vt-body', id: 'bt-leads-body', role: 'group', 'aria-label': 'Leads' }, spacer);
  const detail = h('div', { class: 'bt-card bt-detail', id: 'bt-lead-detail' }, h('p', { class: 'bt-muted' }, 'Select a lead to see why it scored what it did.'));
  root.append(h('div', { class: 'bt-leads' }, h('div', { class: 'bt-vt', id: 'bt-leads' }, head, scroller), detail));

  let selected = null;
  let total = 0;
  let seq = 0;
  let pending = false;

  const drawHead = () => {
    clear(head);
    for (const [key, label] of COLUMNS) {
      const arrow = q.sort === key ? (q.descending ? ' ▼' : ' ▲') : '';
      head.append(h('button', { type: 'button', dataset: { sort: key }, onclick: () => {
        if (q.sort === key) q.descending = !q.descending;
        else { q.sort = key; q.descending = key === 'score' || key === 'slaDueAt'; }
        drawHead();
        refresh(true);
      } }, label + arrow));
    }
  };

  async function showDetail(id) {
    selected = id;
    for (const r of spacer.children) {
      r.classList.toggle('bt-selected', r.dataset.id === id);
      r.setAttribute('aria-pressed', String(r.dataset.id === id));
    }
    clear(detail).append(h('p', { class: 'bt-muted' }, 'Loading…'));
    const d = await ctx.call('leadDetail', ctx.model(), ctx.state.asOf, id);
    clear(detail);
    if (!d) { detail.append(h('p', {}, 'Lead not found.')); return; }
    const l = d.lead;
    const o = l.outcome;
    const ex = d.explanation;
    // `append` (dom.js), not the native `Element.append`: it skips null children instead of
    // printing "null".
    append(detail, [
      h('h2', { class: 'bt-card-title' }, l.name ?? l.email ?? l.id),
      h('div', { class: 'bt-muted' }, [l.title, l.company].filter(Boolean).join(' · ')),
      h('div', { class: 'bt-row', style: 'margin-top:8px' }, tag(l.stage), h('span', {}, `score ${fmt.num(l.score)}`), h('span', {}, `fit ${fmt.num(l.fit)} ${l.grade ?? ''}`), h('span', {}, `engagement ${fmt.num(l.engagement)}`)),
      table([{ label: 'Field', get: (r) => r[0] }, { label: 'Value', get: (r) => r[1] }], [
        ['Email', l.email ?? '–'], ['Visitor', l.id], ['Source / campaign', `${l.source} / ${l.campaign}`], ['MQL at', fmt.date(l.mqlAt)],
        ['Owner', l.owner ?? '–'], ['SLA due', fmt.date(l.slaDueAt)], ['First touch', fmt.date(l.touchedAt)],
        ['CRM', o ? Object.entries(o.stages).map(([s, t]) => `${s} ${fmt.day(t)}`).join(', ') : '–'],
        ['Rejection reason', o?.rejectionReason ?? '–'],
      ]),
      h('h3', {}, 'How the score adds up'),
      scoreParts(ex),
      h('h3', {}, 'Ledger'),
      h('p', { class: 'bt-muted' }, 'The most recent matches (the visitor keeps its last 12); older matches are in “earlier” above.'),
      table([
        { label: 'When', get: (e) => fmt.date(e.timestamp) },
        { label: 'Event', get: (e) => e.label },
        { label: 'Rule', get: (e) => h('span', { class: 'bt-mono' }, e.ruleId) },
        { label: 'Group', get: (e) => (e.groupClamped
          ? h('span', { title: `The ${e.group} group hit its limit: it counts less than its rules’ sum (see How the score adds up).` }, e.group, ' ', h('span', { class: 'bt-tag bt-tag-clamped' }, 'clamped'))
          : e.group || '–') },
        { label: 'Raw', class: 'bt-num', get: (e) => fmt.num(e.rawPoints) },
        { label: 'Decay', class: 'bt-num', get: (e) => fmt.num(e.decayFactor, 2) },
        { label: 'Counted', class: 'bt-num', get: (e) => (e.capHit ? h('span', { class: 'bt-muted', title: JSON.stringify(e.capHit) }, 'capped') : fmt.num(e.countedPoints, 2)) },
      ], ex.entries.slice().reverse(), { empty: 'No behaviour points.', rowAttrs: (e) => ({ dataset: { rule: e.ruleId, counted: e.capHit ? 0 : e.countedPoints, groupClamped: e.groupClamped } }) }),
      h('h3', {}, `Timeline (${d.eventsTotal} events)`),
      // The workspace keeps a bounded timeline per lead; say what is not listed rather than hide it.
      (d.timelineOmitted > 0 || d.timeline.length > 100)
        ? h('p', { class: 'bt-muted' }, `Showing ${Math.min(100, d.timeline.length)} of ${d.eventsTotal} events.`)
        : null,
      h('ul', { class: 'bt-timeline' }, d.timeline.slice(0, 100).map((t) => h('li', {}, h('span', { class: 'bt-muted' }, fmt.date(t.at)), h('span', { class: 'bt-tag' }, t.kind), h('span', {}, t.label)))),
    ]);
  }

  async function refresh(reset) {
    if (reset) scroller.scrollTop = 0;
    const my = ++seq;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 10);
    const limit = Math.ceil(scroller.clientHeight / ROW) + 20;
    const res = await ctx.call('leads', ctx.model(), ctx.state.asOf, { ...q, offset: first, limit });
    if (my !== seq) return;
    total = res.total;
    countEl.textContent = `${fmt.int(res.total)} of ${fmt.int(res.all)} leads`;
    spacer.style.height = `${total * ROW}px`;
    // Redrawing replaces the rows: a focused row keeps the focus (by lead id).
    const focused = spacer.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    clear(spacer);
    res.rows.forEach((l, k) => {
      // A real button: Tab reaches it, Enter and Space open the lead.
      const row = h('button', { type: 'button', class: `bt-vt-row${l.id === selected ? ' bt-selected' : ''}`, dataset: { id: l.id, index: first + k }, 'aria-pressed': String(l.id === selected), onclick: () => showDetail(l.id) },
        h('span', { title: l.email ?? l.id }, l.name ?? l.email ?? l.id),
        h('span', { title: l.company ?? '' }, l.company ?? '–'),
        h('span', { class: 'bt-num' }, fmt.num(l.score)),
        h('span', {}, l.grade ?? '–'),
        h('span', {}, tag(l.stage)),
        h('span', { title: l.owner ?? 'no owner' }, l.owner ?? '–'),
        h('span', { title: l.source ?? '' }, l.source),
        h('span', { title: slaTitle(l) }, sla(l)));
      row.style.top = `${(first + k) * ROW}px`;
      spacer.append(row);
    });
    // One row is in the Tab order (the focused, else the selected, else the first); the arrow
    // keys move between rows.
    const rows = [...spacer.children];
    const current = rows.find((r) => r.dataset.id === focused) ?? rows.find((r) => r.dataset.id === selected) ?? rows[0];
    for (const r of rows) r.tabIndex = r === current ? 0 : -1;
    if (focused !== null && current?.dataset.id === focused) current.focus({ preventScroll: true });
  }

  spacer.addEventListener('focusin', (e) => {
    const row = e.target.closest('.bt-vt-row');
    if (!row) return;
    for (const r of spacer.children) r.tabIndex = r === row ? 0 : -1;
  });

  // Up/Down move between rows (scrolling the list; rows outside it are drawn on the way).
  spacer.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const row = e.target.closest('.bt-vt-row');
    if (!row) return;
    e.preventDefault();
    const next = Number(row.dataset.index) + (e.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= total) return;
    const go = () => [...spacer.children].find((r) => Number(r.dataset.index) === next);
    const target = go();
    if (target) {
      target.focus();
      return;
    }
    scroller.scrollTop = next * ROW - scroller.clientHeight / 2;
    refresh(false).then(() => go()?.focus());
  });

  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; refresh(false); });
  });
  let debounce;
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => { q.text = search.value; refresh(true); }, 150); });
  stage.addEventListener('change', () => { q.stages = stage.value ? [stage.value] : []; refresh(true); });
  breached.addEventListener('change', () => { q.onlyBreached = breached.checked; refresh(true); });
  drawHead();
  await refresh(true);
}
