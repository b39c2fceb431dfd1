// Calibrate: learn points from a lead table with outcomes (the engine's `calibrate` binding),
// review them, and add them to the working model.
import { h, fmt, table, card, clear } from '../dom.js';

export async function render(root, ctx) {
  const file = h('input', { type: 'file', id: 'bt-cal-file', accept: '.csv,.txt' });
  const outcome = h('select', { class: 'bt-select', id: 'bt-cal-outcome' });
  const out = h('div', { id: 'bt-cal-result' });
  let text = '';
  file.addEventListener('change', async () => {
    text = await file.files[0].text();
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    const sep = header.includes(';') && !header.includes(',') ? ';' : ',';
    outcome.replaceChildren(...header.split(sep).map((c) => c.trim().replace(/^"|"$/g, '')).map((c) => h('option', { value: c, selected: /^(outcome|converted|won|label)$/i.test(c) }, c)));
  });
  const run = h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-cal-run', onclick: async () => {
    clear(out);
    if (!text) { out.append(h('p', { class: 'bt-muted' }, 'Choose a CSV first.')); return; }
    out.append(h('p', { class: 'bt-muted' }, 'Fitting…'));
    try {
      const r = await ctx.call('calibrate', text, { outcomeColumn: outcome.value });
      show(r);
    } catch (e) {
      clear(out).append(h('div', { class: 'bt-problems' }, e.message));
    }
  } }, 'Learn points');
  root.append(h('p', { class: 'bt-view-sub' }, 'Learn fit points from a lead table with outcomes (a CRM export). Points are measured on held-out rows before you apply them.'),
    card('Lead table', h('div', { class: 'bt-row' }, file, h('label', {}, 'Outcome column '), outcome, run)), out);

  function show(r) {
    clear(out);
    const test = r.evaluation?.test;
    out.append(h('div', { class: 'bt-kpis' },
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.rows.used)), h('div', { class: 'bt-kpi-label' }, 'rows used')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(r.rows.baseRate)), h('div', { class: 'bt-kpi-label' }, 'base rate')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.num(test?.auc, 3)), h('div', { class: 'bt-kpi-label' }, 'test AUC')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.num(r.evaluation?.current?.auc, 3)), h('div', { class: 'bt-kpi-label' }, 'current model AUC'))));
    if (r.leakage?.length) out.append(card('Possible leakage', table([{ label: 'Column', get: (x) => x.column }, { label: 'Why', get: (x) => x.reasons.join('; ') }, { label: 'Excluded', get: (x) => (x.excluded ? 'yes' : 'no') }], r.leakage)));
    const rows = r.features.flatMap((f) => f.bins.map((b) => ({ column: f.column, ...b })));
    out.append(card('Learned points', table([
      { label: 'Column', get: (x) => x.column }, { label: 'Bin', get: (x) => x.label },
      { label: 'Train rows', class: 'bt-num', get: (x) => fmt.int(x.trainRows) }, { label: 'Points', class: 'bt-num', get: (x) => fmt.num(x.points, 0) },
    ], rows)));
    if (r.thresholds?.length) out.append(card('Suggested thresholds', table([
      { label: 'Basis', get: (t) => t.basis }, { label: 'Score ≥', class: 'bt-num', get: (t) => fmt.num(t.score, 0) },
      { label: 'MQL rate', class: 'bt-num', get: (t) => fmt.pct(t.mqlRate) }, { label: 'Precision', class: 'bt-num', get: (t) => fmt.pct(t.precision) }, { label: 'Recall', class: 'bt-num', get: (t) => fmt.pct(t.recall) },
    ], r.thresholds)));
    if (r.fragment?.rules?.length) {
      out.append(h('button', { class: 'bt-btn', type: 'button', id: 'bt-cal-apply', onclick: async () => {
        const { model } = await ctx.call('applyCalibration', ctx.state.model, r.fragment);
        await ctx.setModel(model);
        ctx.go('model');
      } }, `Add ${r.fragment.rules.length} learned rules to the working model`));
    }
  }
}
