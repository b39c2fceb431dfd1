// Calibrate: learn points from a lead table with outcomes (the engine's `calibrate` binding).
// Choose data, the outcome, columns to leave out (leaky ones flagged by the engine are left out
// by default, with the reason), the split and threshold targets; run with progress and Cancel;
// read the report (honest test AUC beside the current model's, lift and conversion by decile,
// calibration, split, bad rows, warnings); review the rule changes as a diff, then apply them as
// a new version, with the suggested threshold on stages.mql if wanted.
import { h, fmt, table, card, clear } from '../dom.js';
import { saveVersion, listVersions } from './versions.js';

/**
 * The width the learned points are fitted to: the model's `limits.total` (max − max(min, 0)), so
 * the calibrated group alone never reaches past the total and gets clamped; 100 when the model
 * sets no upper limit.
 */
export function pointsRange(model) {
  const total = model?.limits?.total ?? {};
  const max = typeof total.max === 'number' ? total.max : null;
  const floor = Math.max(typeof total.min === 'number' ? total.min : 0, 0);
  return max !== null && max - floor >= 1 ? max - floor : 100;
}

/** Column names from a CSV header line (`,` `;` or tab; double-quoted names unquoted). */
export function headerColumns(text) {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((s) => [s, first.split(s).length]);
  const sep = counts.sort((a, b) => b[1] - a[1])[0][0];
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < first.length; i++) {
    const c = first[i];
    if (quoted) {
      if (c === '"' && first[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { out.push(cur.trim()); cur = ''; } else cur += c;
  }
  out.push(cur.trim());
  return { columns: out.filter((c, i) => c !== '' || i < out.length - 1), separator: sep };
}

const OUTCOME = /^(y|outcome|converted|conversion|won|is_?won|closed_?won|label|target|result|deal_?won|became_?customer)$/i;
const TIME = /(^|_)(created|date|time|timestamp)(_?at)?$|^created$/i;
const SCORE = /(^|_)(lead_?)?score$/i;

const STAGE_LABEL = { parse: 'Reading rows', bin: 'Binning columns', screen: 'Screening for leakage', fit: 'Fitting', evaluate: 'Evaluating' };

/** Runs `calibrate` in a worker of its own, so Cancel can stop it mid-fit (terminate). */
function runInWorker(text, options, onProgress) {
  const worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
  let settle;
  const promise = new Promise((resolve, reject) => {
    settle = { resolve, reject };
    worker.onmessage = ({ data }) => {
      if (data.progress) { onProgress(data.progress); return; }
      worker.terminate();
      if ('error' in data) reject(new Error(data.error));
      else resolve(data.result);
    };
    worker.onerror = (e) => { worker.terminate(); reject(new Error(e.message || 'the calibration worker failed')); };
    worker.postMessage({ id: 1, method: 'calibrate', args: [text, options] });
  });
  return {
    promise,
    cancel: () => {
      worker.terminate();
      const err = new Error('Cancelled.');
      err.cancelled = true;
      settle.reject(err);
    },
  };
}

function kpi(id, value, label, note) {
  return h('div', { class: 'bt-kpi', id }, h('div', { class: 'bt-kpi-value' }, value), h('div', { class: 'bt-kpi-label' }, label), note ? h('div', { class: 'bt-kpi-note' }, note) : null);
}

/** `shift` moves learned scores onto the calibrated group's points (minus the base points). */
function metricsTable(id, m, shift = 0) {
  if (!m?.deciles?.length) return h('p', { class: 'bt-muted' }, 'No test rows.');
  return table([
    { label: 'Decile', class: 'bt-num', get: (d) => String(d.decile) },
    { label: 'Score', class: 'bt-num', get: (d) => `${fmt.num(d.minScore + shift, 0)}–${fmt.num(d.maxScore + shift, 0)}` },
    { label: 'Leads', class: 'bt-num', get: (d) => fmt.int(d.rows) },
    { label: 'Converted', class: 'bt-num', get: (d) => fmt.int(d.positives) },
    { label: 'Conversion', class: 'bt-num', get: (d) => fmt.pct(d.conversionRate) },
    { label: 'Lift', class: 'bt-num', get: (d) => `${fmt.num(d.lift, 2)}×` },
    { label: 'Cumulative recall', class: 'bt-num', get: (d) => fmt.pct(d.cumulativeRecall) },
  ], m.deciles, { rowAttrs: () => ({ dataset: { table: id } }) });
}

function calibrationTable(m) {
  if (!m?.calibration?.length) return h('p', { class: 'bt-muted' }, 'No test rows.');
  return table([
    { label: 'Band', class: 'bt-num', get: (b) => String(b.band) },
    { label: 'Leads', class: 'bt-num', get: (b) => fmt.int(b.rows) },
    { label: 'Predicted', class: 'bt-num', get: (b) => fmt.pct(b.meanPredicted) },
    { label: 'Observed', class: 'bt-num', get: (b) => fmt.pct(b.observedRate) },
  ], m.calibration);
}

export async function render(root, ctx) {
  const file = h('input', { type: 'file', id: 'bt-cal-file', accept: '.csv,.txt,.tsv' });
  const outcome = h('select', { class: 'bt-select', id: 'bt-cal-outcome' });
  const positives = h('input', { class: 'bt-input', id: 'bt-cal-positive', placeholder: 'yes, y, true, 1, won, converted', style: 'width:220px' });
  const timeCol = h('select', { class: 'bt-select', id: 'bt-cal-time' });
  const scoreCol = h('select', { class: 'bt-select', id: 'bt-cal-current' });
  const split = h('select', { class: 'bt-select', id: 'bt-cal-split' },
    h('option', { value: 'auto' }, 'Automatic: by time when a time column is chosen, else seeded stratified'),
    h('option', { value: 'stratified' }, 'Seeded stratified (random 70/30)'),
    h('option', { value: 'time' }, 'By time: train on older rows, test on newer (row order if no time column)'));
  const excludeLeaky = h('input', { type: 'checkbox', id: 'bt-cal-exclude-leaky', checked: true });
  const capacity = h('input', { class: 'bt-input', type: 'number', id: 'bt-cal-capacity', min: 0, step: 'any', placeholder: 'e.g. 50', style: 'width:90px' });
  const leadsPerWeek = h('input', { class: 'bt-input', type: 'number', id: 'bt-cal-leads-week', min: 0, step: 'any', placeholder: 'from time column', style: 'width:130px' });
  const precision = h('input', { class: 'bt-input', type: 'number', id: 'bt-cal-precision', min: 0, max: 100, step: 'any', placeholder: 'e.g. 30', style: 'width:90px' });
  const columnsBox = h('div', { id: 'bt-cal-columns', class: 'bt-cal-columns' }, h('p', { class: 'bt-muted' }, 'Choose a CSV to list its columns.'));
  const status = h('div', { id: 'bt-cal-status', 'aria-live': 'polite' });
  const out = h('div', { id: 'bt-cal-result' });

  let text = '';
  let columns = [];
  /** column → { excluded, postOutcome, leak: reasons[] | null } */
  let colState = new Map();
  let running = null;

  function option(value, label, selected) {
    return h('option', { value, selected }, label);
  }

  function renderColumns() {
    clear(columnsBox);
    const special = new Set([outcome.value, timeCol.value, scoreCol.value].filter(Boolean));
    const rows = columns.filter((c) => !special.has(c));
    if (!rows.length) { columnsBox.append(h('p', { class: 'bt-muted' }, 'Choose a CSV to list its columns.')); return; }
    columnsBox.append(table([
      { label: 'Column', get: (c) => c },
      { label: 'Leave out', get: (c) => {
        const s = colState.get(c);
        const forced = s.leak && excludeLeaky.checked;
        const box = h('input', { type: 'checkbox', dataset: { column: c, role: 'exclude' }, checked: s.excluded || forced || s.postOutcome, disabled: forced || s.postOutcome, 'aria-label': `Leave out ${c}` });
        box.addEventListener('change', () => { s.excluded = box.checked; });
        return box;
      } },
      { label: 'Recorded after the outcome', get: (c) => {
        const s = colState.get(c);
        const box = h('input', { type: 'checkbox', dataset: { column: c, role: 'post-outcome' }, checked: s.postOutcome, 'aria-label': `${c} is recorded after the outcome` });
        box.addEventListener('change', () => { s.postOutcome = box.checked; renderColumns(); });
        return box;
      } },
      { label: 'Flag', get: (c) => {
        const s = colState.get(c);
        if (!s.leak) return '';
        return h('span', { class: 'bt-neg', dataset: { leak: c } }, `Possible leakage: ${s.leak.join('; ')}${excludeLeaky.checked ? ' (left out while “Leave out leaky columns” is on)' : ''}`);
      } },
    ], rows, { rowAttrs: (c) => ({ dataset: { column: c } }) }));
  }

  function pickSelect(select, pattern, { optional, none }) {
    const found = columns.find((c) => pattern.test(c));
    select.replaceChildren(...(optional ? [option('', none, !found)] : found ? [] : [option('', none, true)]), ...columns.map((c) => option(c, c, c === found)));
  }

  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    text = await f.text();
    ({ columns } = headerColumns(text));
    colState = new Map(columns.map((c) => [c, { excluded: false, postOutcome: false, leak: null }]));
    pickSelect(outcome, OUTCOME, { optional: false, none: '— choose the outcome column —' });
    pickSelect(timeCol, TIME, { optional: true, none: '(none: no dates)' });
    pickSelect(scoreCol, SCORE, { optional: true, none: '(none)' });
    clear(out);
    renderColumns();
  });
  for (const s of [outcome, timeCol, scoreCol]) s.addEventListener('change', renderColumns);
  excludeLeaky.addEventListener('change', renderColumns);

  function options() {
    const o = { outcomeColumn: outcome.value, excludeLeaky: excludeLeaky.checked };
    const pos = positives.value.split(',').map((v) => v.trim()).filter(Boolean);
    if (pos.length) o.positiveValues = pos;
    if (timeCol.value) o.timeColumn = timeCol.value;
    if (scoreCol.value) o.currentScoreColumn = scoreCol.value;
    if (split.value !== 'auto') o.split = split.value;
    const exclude = [...colState].filter(([c, s]) => s.excluded && !s.postOutcome && c !== outcome.value).map(([c]) => c);
    const post = [...colState].filter(([c, s]) => s.postOutcome && c !== outcome.value).map(([c]) => c);
    if (exclude.length) o.exclude = exclude;
    if (post.length) o.postOutcomeColumns = post;
    const num = (el) => (el.value.trim() === '' ? null : Number(el.value));
    const cap = num(capacity);
    const lpw = num(leadsPerWeek);
    const prec = num(precision);
    if (cap !== null) o.capacityPerWeek = cap;
    if (lpw !== null) o.leadsPerWeek = lpw;
    if (prec !== null) o.targetPrecision = prec / 100;
    o.pointsRange = pointsRange(ctx.state.model);
    return o;
  }

  const cancel = h('button', { class: 'bt-btn', type: 'button', id: 'bt-cal-cancel', hidden: true, onclick: () => running?.cancel() }, 'Cancel');
  const run = h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-cal-run', onclick: async () => {
    clear(out);
    if (!text) { status.replaceChildren(h('p', { class: 'bt-muted' }, 'Choose a CSV first.')); return; }
    if (!outcome.value) { status.replaceChildren(h('div', { class: 'bt-problems' }, 'Choose the outcome column (converted yes/no).')); return; }
    const opts = options();
    if (opts.capacityPerWeek !== undefined && !opts.timeColumn && opts.leadsPerWeek === undefined) {
      status.replaceChildren(h('div', { class: 'bt-problems' }, 'A capacity threshold needs the number of new leads per week, or a time column.'));
      return;
    }
    const progressText = h('span', { id: 'bt-cal-progress' }, 'Starting…');
    status.replaceChildren(h('div', { class: 'bt-row' }, progressText));
    run.disabled = true;
    cancel.hidden = false;
    running = runInWorker(text, opts, (p) => {
      progressText.textContent = `${STAGE_LABEL[p.stage] ?? p.stage}: ${fmt.int(p.done)} of ${fmt.int(p.total)}`;
    });
    try {
      const r = await running.promise;
      status.replaceChildren();
      for (const l of r.leakage ?? []) {
        const s = colState.get(l.column);
        // Newly flagged: pre-ticked (a choice the user made on an earlier flag stays).
        if (s && !s.leak) s.excluded = true;
        if (s) s.leak = l.reasons;
      }
      renderColumns();
      show(r);
    } catch (e) {
      status.replaceChildren(e.cancelled ? h('p', { class: 'bt-muted', id: 'bt-cal-cancelled' }, 'Cancelled; nothing was learned.') : h('div', { class: 'bt-problems' }, e.message));
    } finally {
      running = null;
      run.disabled = false;
      cancel.hidden = true;
    }
  } }, 'Learn points');

  root.append(h('p', { class: 'bt-view-sub' }, 'Learn fit points from a lead table with outcomes (a CRM export). Points are measured on held-out rows before you apply them.'),
    card('Lead table',
      h('div', { class: 'bt-row' }, file, h('label', { for: 'bt-cal-outcome' }, 'Outcome column '), outcome, h('label', { for: 'bt-cal-positive' }, 'Converted values '), positives),
      h('div', { class: 'bt-row' }, h('label', { for: 'bt-cal-time' }, 'Time column '), timeCol, h('label', { for: 'bt-cal-current' }, 'Current model’s score column '), scoreCol),
      h('div', { class: 'bt-row' }, h('label', { for: 'bt-cal-split' }, 'Split '), split)),
    card('Columns',
      h('div', { class: 'bt-row' }, h('label', {}, excludeLeaky, ' Leave out leaky columns (flagged after a run: single-feature AUC suspiciously high, or a name that suggests it is recorded after the outcome)')),
      columnsBox),
    card('Threshold',
      h('div', { class: 'bt-row' },
        h('label', { for: 'bt-cal-capacity' }, 'Sales capacity (leads / week) '), capacity,
        h('label', { for: 'bt-cal-leads-week' }, 'New leads / week '), leadsPerWeek,
        h('label', { for: 'bt-cal-precision' }, 'Target precision (%) '), precision),
      h('div', { class: 'bt-row' }, run, cancel), status),
    out);

  function show(r) {
    clear(out);
    // Learned scores minus the base points: the calibrated group's own points, the number the
    // leads show and stages.mql compares (0 with pointsRange, which the view always passes).
    const shift = -(r.basePoints ?? 0);
    const test = r.evaluation?.test;
    const current = r.evaluation?.current;
    const sp = r.split;
    out.append(h('div', { class: 'bt-kpis' },
      kpi('bt-cal-kpi-rows', fmt.int(r.rows.used), 'rows used', r.rows.badRowCount ? `${fmt.int(r.rows.badRowCount)} bad rows skipped` : null),
      kpi('bt-cal-kpi-base', fmt.pct(r.rows.baseRate), 'base rate', `${fmt.int(r.rows.positives)} converted`),
      kpi('bt-cal-kpi-auc', fmt.num(test?.auc, 3), 'test AUC (learned points)', r.evaluation?.trainAuc != null ? `train ${fmt.num(r.evaluation.trainAuc, 3)}` : null),
      kpi('bt-cal-kpi-current', current ? fmt.num(current.auc, 3) : 'not given', 'current model AUC, same test rows', current ? null : 'choose the current model’s score column to compare')));
    out.append(card('Split',
      h('p', { id: 'bt-cal-split-used' },
        sp.kind === 'time' ? `By time (${sp.by === 'timeColumn' ? `column ${timeCol.value}` : 'row order: no time column'}): ` : `Seeded stratified (seed ${sp.seed}): `,
        `${fmt.int(sp.trainRows)} training rows (${fmt.int(sp.trainPositives)} converted), ${fmt.int(sp.testRows)} test rows (${fmt.int(sp.testPositives)} converted), ${fmt.pct(sp.testFraction)} held out.`)));
    if (r.warnings?.length) out.append(card('Warnings', h('ul', { id: 'bt-cal-warnings' }, r.warnings.map((w) => h('li', {}, w)))));
    if (r.rows.badRowCount) {
      out.append(card(`Bad rows (${fmt.int(r.rows.badRowCount)} skipped${r.rows.badRows.length < r.rows.badRowCount ? `, first ${r.rows.badRows.length} listed` : ''})`,
        table([{ label: 'Line', class: 'bt-num', get: (b) => fmt.int(b.line) }, { label: 'Reason', get: (b) => b.reason }], r.rows.badRows, { rowAttrs: () => ({ dataset: { badRow: '1' } }) })));
    }
    if (r.leakage?.length) out.append(card('Possible leakage', table([{ label: 'Column', get: (x) => x.column }, { label: 'Why', get: (x) => x.reasons.join('; ') }, { label: 'Single-feature AUC', class: 'bt-num', get: (x) => fmt.num(x.singleFeatureAuc, 3) }, { label: 'Left out', get: (x) => (x.excluded ? 'yes' : 'no') }], r.leakage)));
    if (r.excluded?.length) out.append(card('Left out', table([{ label: 'Column', get: (x) => x.column }, { label: 'Why', get: (x) => x.reason }], r.excluded)));
    out.append(h('div', { class: 'bt-grid' },
      card('Lift and conversion by score decile (learned points, test rows)', h('div', { id: 'bt-cal-deciles' }, metricsTable('learned', test, shift))),
      current ? card('Current model by decile (same test rows)', h('div', { id: 'bt-cal-current-deciles' }, metricsTable('current', current))) : null));
    out.append(h('div', { class: 'bt-grid' },
      card('Calibration: predicted vs observed (learned points)', h('div', { id: 'bt-cal-calibration' }, calibrationTable(test))),
      current ? card('Calibration: current model', calibrationTable(current)) : null));
    const rows = r.features.flatMap((f) => f.bins.map((b) => ({ column: f.column, ...b })));
    const group = r.fragment?.group ?? 'calibrated';
    out.append(card('Learned points', h('p', { class: 'bt-muted', id: 'bt-cal-scale' },
      `Every score on this page is the “${group}” group’s points, as the leads will show them and stages.mql reads them: `
      + `0 for a lead in every column’s lowest bin, up to ${fmt.num(r.fragment?.maxPoints ?? 0, 0)} for one in every column’s best bin`
      + (r.basePoints ? ` (the learned scale’s constant ${fmt.num(r.basePoints, 0)} is left out)` : ` (fitted to the model’s total limit of ${fmt.num(pointsRange(ctx.state.model), 0)}, so the learned points are not cut off)`)
      + `; ${fmt.num(r.scale.pdo, 1)} points double the odds of converting.`), table([
      { label: 'Column', get: (x) => x.column }, { label: 'Bin', get: (x) => x.label },
      { label: 'Train rows', class: 'bt-num', get: (x) => fmt.int(x.trainRows) }, { label: 'Points', class: 'bt-num', get: (x) => fmt.num(x.points, 0) },
    ], rows)));
    const basis = { mqlRate: 'MQL rate', capacity: 'sales capacity', precision: 'target precision' };
    if (r.thresholds?.length) out.append(card('Suggested thresholds (test rows)', table([
      { label: 'Basis', get: (t) => `${basis[t.basis] ?? t.basis}${t.achievable ? '' : ' (not reachable)'}` }, { label: `“${group}” score ≥`, class: 'bt-num', get: (t) => fmt.num(t.score + shift, 0) },
      { label: 'MQL rate', class: 'bt-num', get: (t) => fmt.pct(t.mqlRate) }, { label: 'Precision', class: 'bt-num', get: (t) => fmt.pct(t.precision) }, { label: 'Recall', class: 'bt-num', get: (t) => fmt.pct(t.recall) },
      { label: 'MQLs / week', class: 'bt-num', get: (t) => fmt.num(t.mqlsPerWeek) },
    ], r.thresholds, { rowAttrs: (t) => ({ dataset: { basis: t.basis } }) })));
    if (r.fragment?.rules?.length) {
      out.append(h('button', { class: 'bt-btn', type: 'button', id: 'bt-cal-review', onclick: () => review(r) }, `Review ${r.fragment.rules.length} learned rules before applying`));
    }
  }

  async function review(r) {
    const base = ctx.state.model;
    const { model, changes, warnings = [] } = await ctx.call('applyCalibration', base, r.fragment);
    const reviewBox = h('div', { id: 'bt-cal-diff' });
    const crit = r.fragment.stageCriterion;
    const useThreshold = h('input', { type: 'checkbox', id: 'bt-cal-apply-threshold', checked: !!crit, disabled: !crit });
    const note = h('input', { class: 'bt-input', id: 'bt-cal-note', style: 'width:360px', value: `Calibrated from ${file.files[0]?.name ?? 'a lead table'} (test AUC ${fmt.num(r.evaluation?.test?.auc, 3)})` });
    const msg = h('div', { id: 'bt-cal-apply-msg', 'aria-live': 'polite' });
    const changeRows = changes.map((c) => ({ ...c, kind: c.before === null ? 'added' : c.after === null ? 'removed' : 'changed' }));
    reviewBox.append(
      table([
        { label: 'Rule', get: (c) => c.id },
        { label: 'Change', get: (c) => c.kind + (c.whenChanged ? ', condition changed' : '') },
        { label: 'Points before', class: 'bt-num', get: (c) => (c.before === null ? '–' : fmt.num(c.before, 0)) },
        { label: 'Points after', class: 'bt-num', get: (c) => (c.after === null ? '–' : fmt.num(c.after, 0)) },
      ], changeRows, { empty: 'No rule changes.', rowAttrs: (c) => ({ dataset: { change: c.kind } }) }),
      warnings.length ? h('div', { class: 'bt-problems', id: 'bt-cal-apply-warnings' }, h('ul', {}, warnings.map((w) => h('li', {}, w)))) : null,
      h('p', { class: 'bt-muted' }, 'The working model is first kept as a version (“before calibration”), so Versions → Restore brings it back.'),
      h('p', {}, h('label', {}, useThreshold, crit
        ? ` Also set stages.mql to the suggested threshold: ${JSON.stringify(crit)} (now ${JSON.stringify(base.stages?.mql ?? null)})`
        : ' No threshold was suggested; stages.mql stays as it is.')),
      h('div', { class: 'bt-row' }, h('label', { for: 'bt-cal-note' }, 'Version note '), note,
        h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-cal-apply', onclick: async () => {
          const next = structuredClone(model);
          if (useThreshold.checked && crit) next.stages = { ...(next.stages ?? {}), mql: crit };
          // Validated before anything is touched: a result with problems leaves the working
          // model and the versions as they are.
          const { problems } = await ctx.call('validate', next);
          if (problems.length) {
            msg.replaceChildren(h('div', { class: 'bt-problems' }, `The result has problems; nothing was changed: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`));
            return;
          }
          try {
            // Undo: the model being replaced is kept as a version unless it is already the latest.
            let kept = '';
            if (ctx.state.hash && listVersions()[0]?.hash !== ctx.state.hash) {
              const before = await saveVersion(ctx, `Before calibration: ${note.value}`.trim());
              kept = ` The previous working model is version ${before.hash.slice(0, 10)} (before calibration).`;
            } else if (!ctx.state.hash) {
              kept = ' The previous working model had problems, so it could not be kept as a version.';
            }
            const after = await ctx.setModel(next);
            if (after.length) throw new Error(after.map((p) => `${p.path}: ${p.message}`).join('; '));
            const v = await saveVersion(ctx, note.value);
            msg.replaceChildren(h('p', { id: 'bt-cal-applied' }, `Applied and saved as version ${v.hash.slice(0, 10)}.${kept}`));
            ctx.go('versions');
          } catch (e) {
            msg.replaceChildren(h('div', { class: 'bt-problems' }, e.message));
          }
        } }, 'Apply and save as a new version')),
      msg);
    const old = document.getElementById('bt-cal-diff-card');
    const c = card(`Changes to the working model (${changes.length})`, reviewBox);
    c.id = 'bt-cal-diff-card';
    if (old) old.replaceWith(c); else out.append(c);
    c.scrollIntoView({ block: 'nearest' });
  }
}
