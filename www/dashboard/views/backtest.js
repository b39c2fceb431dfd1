// Backtest: replay history under the working model and a candidate; MQL volume and conversion
// deltas, weekly volume against sales capacity, and a threshold slider (MQL count, precision,
// recall against CRM outcomes).
import { h, fmt, card, clear } from '../dom.js';
import { lines, chartBox } from './charts.js';

/** The candidate's `score <name> gte` MQL test the sweep varies (as the backtest picks it: on
 * `total` when there is one, else the first on another score, e.g. a calibration's group;
 * depth first, not inside a `not`). */
function scoreCriterion(model) {
  const found = [];
  const walk = (c) => {
    if (!c || typeof c !== 'object') return;
    for (const key of ['all', 'any']) if (Array.isArray(c[key])) c[key].forEach(walk);
    const tests = Object.keys(c).filter((k) => !['score', 'all', 'any', 'not'].includes(k));
    if (typeof c.score === 'string' && typeof c.gte === 'number' && tests.length === 1) found.push(c);
  };
  walk(model.stages?.mql);
  return found.find((c) => c.score === 'total') ?? found[0];
}

function delta(v, digits = 0, pct = false) {
  if (v === null || v === undefined) return h('span', {}, '–');
  const text = pct ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} pts` : `${v >= 0 ? '+' : ''}${Number(v).toFixed(digits)}`;
  return h('span', { class: v > 0 ? 'bt-pos' : v < 0 ? 'bt-neg' : '' }, text);
}

export async function render(root, ctx) {
  const current = ctx.model();
  const candidate = structuredClone(current);
  const ta = h('textarea', { class: 'bt-textarea', id: 'bt-candidate-json', spellcheck: false, style: 'min-height:160px' }, JSON.stringify(candidate, null, 2));
  const crit = scoreCriterion(candidate);
  const threshold = h('input', { class: 'bt-input', type: 'number', id: 'bt-candidate-threshold', value: crit?.gte ?? '', disabled: !crit, title: crit ? `The MQL criterion's "${crit.score}" score threshold` : 'The MQL criterion has no score ≥ test' });
  const thresholdLabel = h('label', { id: 'bt-candidate-threshold-label' }, crit && crit.score !== 'total' ? `MQL "${crit.score}" score threshold ` : 'MQL score threshold ');
  threshold.addEventListener('change', () => {
    try {
      const m = JSON.parse(ta.value);
      const c = scoreCriterion(m);
      if (c) c.gte = Number(threshold.value);
      ta.value = JSON.stringify(m, null, 2);
    } catch { /* the run reports invalid JSON */ }
  });
  const capacity = h('input', { class: 'bt-input', type: 'number', id: 'bt-capacity', min: 1, value: 10 });
  const positive = h('select', { class: 'bt-select', id: 'bt-positive' }, ['sal', 'sql', 'opportunity', 'won'].map((s) => h('option', { value: s, selected: s === 'sql' }, s)));
  const out = h('div', { id: 'bt-backtest-result' });
  const run = h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-backtest-run', onclick: async () => {
    clear(out);
    let cand;
    try { cand = JSON.parse(ta.value); } catch (e) { out.append(h('div', { class: 'bt-problems' }, `Candidate is not valid JSON: ${e.message}`)); return; }
    out.append(h('p', { class: 'bt-muted' }, 'Replaying…'));
    try {
      const bt = await ctx.call('backtest', current, cand, ctx.state.asOf, { capacityPerWeek: Number(capacity.value), positive: positive.value });
      show(bt);
    } catch (e) {
      clear(out).append(h('div', { class: 'bt-problems' }, e.message));
    }
  } }, 'Run backtest');
  root.append(h('p', { class: 'bt-view-sub' }, 'Replay the imported history under the working model and a candidate, and compare against what sales did.'),
    card('Candidate model',
      h('div', { class: 'bt-row' }, thresholdLabel, threshold, h('label', {}, 'Sales capacity / week '), capacity, h('label', {}, 'Good lead = reached '), positive, run),
      h('details', {}, h('summary', {}, 'Edit the candidate as JSON'), ta)),
    out);

  function show(bt) {
    clear(out);
    out.append(h('div', { class: 'bt-kpis' },
      h('div', { class: 'bt-kpi', id: 'bt-kpi-mqls', dataset: { current: String(bt.current.mqls), candidate: String(bt.candidate.mqls) } }, h('div', { class: 'bt-kpi-value' }, `${fmt.int(bt.current.mqls)} → ${fmt.int(bt.candidate.mqls)}`), h('div', { class: 'bt-kpi-label' }, 'MQLs'), h('div', { class: 'bt-kpi-note' }, delta(bt.mqlDelta))),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, `${fmt.pct(bt.current.conversion)} → ${fmt.pct(bt.candidate.conversion)}`), h('div', { class: 'bt-kpi-label' }, `MQL → ${bt.positive}`), h('div', { class: 'bt-kpi-note' }, delta(bt.conversionDelta, 1, true))),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, `${fmt.pct(bt.current.recall)} → ${fmt.pct(bt.candidate.recall)}`), h('div', { class: 'bt-kpi-label' }, `share of ${fmt.int(bt.positives)} good leads caught`)),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, `+${fmt.int(bt.newlyQualified)} / −${fmt.int(bt.noLongerQualified)}`), h('div', { class: 'bt-kpi-label' }, 'newly / no longer MQL'))));
    const weekly = chartBox('bt-weekly-chart');
    const sweepBox = chartBox('bt-sweep-chart');
    const slider = h('input', { type: 'range', class: 'bt-slider', id: 'bt-threshold-slider', min: 0, max: bt.sweep.thresholds.length - 1, step: 1 });
    const readout = h('div', { class: 'bt-kpis', id: 'bt-threshold-readout' });
    out.append(h('div', { class: 'bt-grid' }, card('MQLs per week', weekly), card(bt.sweep.score === 'total' ? 'Threshold sweep (candidate, score at the MQL decision)' : `Threshold sweep (candidate, "${bt.sweep.score}" score at the MQL decision)`, sweepBox, slider, readout, h('p', { class: 'bt-muted' }, 'Each lead counts at the highest threshold its score reached while the rest of the candidate’s MQL criterion held, before sales first touched it: the MQLs the backtest makes with that threshold. Later behaviour and decay do not count.'))));
    const cap = bt.capacity?.perWeek ?? 0;
    // uPlot's time axis counts seconds.
    lines(weekly, { x: Float64Array.from(bt.weeks, (ms) => ms / 1000), xTime: true, yLabel: 'MQLs', series: [
      { label: 'current', values: bt.current.mqlsPerWeek },
      { label: 'candidate', values: bt.candidate.mqlsPerWeek },
      { label: 'capacity', values: new Float64Array(bt.weeks.length).fill(cap), color: '#c0392b', dash: [6, 4] },
    ] });
    lines(sweepBox, { x: bt.sweep.thresholds, xLabel: bt.sweep.score === 'total' ? 'score threshold' : `"${bt.sweep.score}" score threshold`, yLabel: 'leads per week', series: [
      { label: 'leads / week', values: bt.sweep.perWeek },
      { label: 'precision', values: bt.sweep.precision, scale: 'r' },
      { label: 'recall', values: bt.sweep.recall, scale: 'r' },
      { label: 'capacity', values: new Float64Array(bt.sweep.thresholds.length).fill(cap), color: '#c0392b', dash: [6, 4] },
    ] });
    const capIdx = bt.capacity?.threshold === null || bt.capacity?.threshold === undefined ? Math.floor(bt.sweep.thresholds.length / 2) : bt.sweep.thresholds.indexOf(bt.capacity.threshold);
    slider.value = String(Math.max(0, capIdx));
    const readAt = () => {
      const i = Number(slider.value);
      const s = bt.sweep;
      readout.replaceChildren(
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value', id: 'bt-readout-threshold', dataset: { threshold: String(s.thresholds[i]) } }, fmt.num(s.thresholds[i])), h('div', { class: 'bt-kpi-label' }, 'threshold')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value', id: 'bt-readout-count', dataset: { count: String(s.count[i]) } }, fmt.int(s.count[i])), h('div', { class: 'bt-kpi-label' }, `MQLs (${fmt.num(s.perWeek[i])}/week)`)),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(s.precision[i])), h('div', { class: 'bt-kpi-label' }, 'precision')),
        h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.pct(s.recall[i])), h('div', { class: 'bt-kpi-label' }, 'recall')));
    };
    slider.addEventListener('input', readAt);
    readAt();
    if (bt.capacity) out.append(h('p', { class: 'bt-muted', id: 'bt-capacity-note', dataset: { threshold: String(bt.capacity.threshold) } }, bt.capacity.threshold === null ? `No threshold keeps volume under ${cap} per week.` : `At ${cap} leads per week, the threshold is ${fmt.num(bt.capacity.threshold)}: ${fmt.int(bt.sweep.count[bt.sweep.thresholds.indexOf(bt.capacity.threshold)])} MQLs over ${fmt.int(bt.weeks.length)} weeks (precision ${fmt.pct(bt.capacity.precision)}, recall ${fmt.pct(bt.capacity.recall)}).`));
  }
}
