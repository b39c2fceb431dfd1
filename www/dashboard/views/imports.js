// Imports: events (JSON lines, JSON arrays, CSV with a column mapping), CRM outcomes, and the
// handoffs the demo receiver got. All parsing happens in the Worker; bad rows come back with
// their row number and reason, and are shown as text.
import { h, clear, fmt, table, card, download } from '../dom.js';
import { SAMPLE_SEED, SAMPLE_VISITORS } from '../app.js';

const TARGETS = ['timestamp', 'anonymousId', 'userId', 'type', 'event', 'messageId', 'properties.path', 'properties.url', 'traits.email', 'traits.title', 'context.campaign.source'];

/** The listed bad rows as text, one a line: `row<TAB>reason` (tabs and line breaks in a reason
 * become spaces, so each row stays one line). */
function badRowsText(title, r) {
  const lines = [`# ${title}: bad rows (row, reason)`];
  const omitted = r.errorsOmitted ?? 0;
  if (omitted) lines.push(`# ${omitted} more bad rows were counted but not listed`);
  for (const e of r.errors) lines.push(`${e.row}\t${String(e.reason).replace(/[\t\r\n]+/g, ' ')}`);
  return `${lines.join('\n')}\n`;
}

function reportView(title, r) {
  if (r.cancelled) return h('div', { class: 'bt-problems' }, `${title}: cancelled. Rows already read were kept.`);
  const clock = r.clockSkipped ?? 0;
  const malformed = r.rejected - clock;
  const box = h('div', { class: 'bt-import-report', dataset: { imported: r.imported, rejected: r.rejected, malformed, clockSkipped: clock } },
    h('div', { class: 'bt-kpis' },
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.rows)), h('div', { class: 'bt-kpi-label' }, 'rows read')),
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value bt-pos' }, fmt.int(r.imported)), h('div', { class: 'bt-kpi-label' }, 'imported')),
      h('div', { class: 'bt-kpi', title: 'Rows that could not be read as an event.' }, h('div', { class: `bt-kpi-value ${malformed ? 'bt-neg' : ''}` }, fmt.int(malformed)), h('div', { class: 'bt-kpi-label' }, 'bad rows')),
      clock ? h('div', { class: 'bt-kpi', title: 'Well-formed rows the clock check skipped: a time more than a day ahead of now, or seconds sent for milliseconds. Fix the sender and import them again.' }, h('div', { class: 'bt-kpi-value bt-neg' }, fmt.int(clock)), h('div', { class: 'bt-kpi-label' }, 'skipped by the clock check')) : null,
      h('div', { class: 'bt-kpi' }, h('div', { class: 'bt-kpi-value' }, fmt.int(r.duplicates)), h('div', { class: 'bt-kpi-label' }, 'duplicates'))));
  if (r.byReason?.length) {
    box.append(h('ul', { class: 'bt-import-reasons' }, r.byReason.map((c) => h('li', { dataset: { count: c.count, clock: c.clock } },
      h('strong', {}, `${fmt.int(c.count)} ×`), ' ', c.reason, c.clock ? h('span', { class: 'bt-muted' }, ' (clock check)') : null))));
  }
  if (r.errors?.length) {
    box.append(h('div', { class: 'bt-row' }, h('button', { type: 'button', class: 'bt-btn', dataset: { role: 'download-bad-rows' }, onclick: () => download(`${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-bad-rows.txt`, badRowsText(title, r), 'text/plain') },
      `Download the ${fmt.int(r.errors.length)} listed bad rows (text)`)));
    box.append(table([
      { label: 'Row', class: 'bt-num bt-nowrap', get: (e) => String(e.row) },
      { label: 'Reason', get: (e) => e.reason },
    ], r.errors.slice(0, 200)));
    if (r.errors.length > 200 || r.errorsOmitted) box.append(h('p', { class: 'bt-muted' }, `${fmt.int(r.errors.length + r.errorsOmitted - Math.min(200, r.errors.length))} more bad rows not listed.`));
  }
  return box;
}

function share(loaded, total) {
  if (!total) return '0%';
  const pct = (loaded / total) * 100;
  if (pct > 0 && pct < 1) return '<1%';
  return `${Math.floor(pct)}%`;
}

/** The last event import's outcome, from `ctx.state.eventImport` (it outlives this view). */
export function drawEventsResult(box, ctx) {
  clear(box);
  const imp = ctx.state.eventImport;
  if (!imp) return;
  if (imp.status === 'running') {
    box.append(h('p', { class: 'bt-muted', id: 'bt-events-running' }, `Importing ${imp.file}… You can switch views meanwhile: the import goes on, and its report will be here. Escape or Cancel stops it.`));
    return;
  }
  if (imp.status === 'failed') {
    box.append(h('div', { class: 'bt-problems' }, `${imp.file}: ${imp.error}`));
    return;
  }
  if (imp.status === 'done') {
    box.append(reportView('Events', imp.report), h('p', { class: 'bt-muted' }, `${imp.file} · ${imp.seconds.toFixed(1)} s`));
    return;
  }
  if (imp.status === 'undone') {
    box.append(h('div', { class: 'bt-ok bt-import-undone', id: 'bt-import-undone' },
      `Removed the ${fmt.int(imp.removed)} events the cancelled import of ${imp.file} had kept. The data is as it was before that import.`));
    return;
  }
  // Cancelled (or being undone).
  const pct = share(imp.loaded, imp.total);
  const rows = imp.report?.rows ?? 0;
  const bad = imp.report?.rejected ?? 0;
  const head = imp.kept > 0
    ? `Import of ${imp.file} cancelled at ${pct}: kept ${fmt.int(imp.kept)} events from the first ${pct} of the file (${fmt.int(rows)} rows read, ${fmt.int(bad)} bad). They are in the data now, mixed with what was there before.`
    : `Import of ${imp.file} cancelled at ${pct}: nothing was added (${fmt.int(rows)} rows read, none new).`;
  const note = h('div', { class: 'bt-problems bt-import-cancelled', id: 'bt-import-cancelled', dataset: { kept: imp.kept } }, head);
  if (imp.kept > 0) {
    const undo = h('button', { class: 'bt-btn', type: 'button', id: 'bt-import-undo', disabled: imp.status === 'undoing' || ctx.state.importing, onclick: () => ctx.undoEventImport() },
      imp.status === 'undoing' ? `Removing ${fmt.int(imp.kept)} events…` : `Remove these ${fmt.int(imp.kept)} events`);
    note.append(h('div', { class: 'bt-row', style: 'margin:8px 0 0' }, undo,
      h('span', { class: 'bt-muted' }, 'Rebuilds the data without this import (your other files are read again), as if it had never run.')));
  }
  if (imp.undoError) note.append(h('div', { class: 'bt-error', id: 'bt-import-undo-error' }, imp.undoError));
  box.append(note);
  if (imp.report?.errors?.length) box.append(h('h3', {}, 'Bad rows in the part read'), reportView('Events', imp.report));
}

export async function render(root, ctx) {
  root.append(h('p', { class: 'bt-view-sub' }, 'Your data stays in this browser tab: files are read and parsed locally, in a background worker.'));

  // Events.
  const evResult = h('div', { id: 'bt-events-result' });
  const evFile = h('input', { type: 'file', id: 'bt-events-file', accept: '.jsonl,.ndjson,.json,.csv,.txt' });
  const evFormat = h('select', { class: 'bt-select', id: 'bt-events-format' }, ['auto', 'jsonl', 'json', 'csv'].map((f) => h('option', { value: f }, f)));
  const mappingBox = h('div', { id: 'bt-csv-mapping' });
  let headers = [];
  const mappingSelects = new Map();
  async function prepareMapping() {
    clear(mappingBox);
    mappingSelects.clear();
    const file = evFile.files[0];
    if (!file) return;
    const isCsv = evFormat.value === 'csv' || (evFormat.value === 'auto' && /\.csv$/i.test(file.name));
    if (!isCsv) return;
    const head = await file.slice(0, 64 * 1024).text();
    const line = head.split(/\r?\n/)[0].replace(/^\uFEFF/, '');
    const sep = line.includes(';') && !line.includes(',') ? ';' : ',';
    headers = line.split(sep).map((s) => s.trim().replace(/^"|"$/g, ''));
    const grid = h('div', { class: 'bt-grid bt-grid-tight' });
    for (const t of TARGETS) {
      const guess = headers.find((c) => c.toLowerCase().replace(/[^a-z]/g, '') === t.split('.').pop().toLowerCase());
      const sel = h('select', { class: 'bt-select', name: `map-${t}` }, h('option', { value: '' }, '(not mapped)'), headers.map((c) => h('option', { value: c, selected: c === guess }, c)));
      mappingSelects.set(t, sel);
      grid.append(h('label', { class: 'bt-field' }, h('span', {}, t), sel));
    }
    mappingBox.append(h('h3', {}, 'Column mapping'), h('p', { class: 'bt-muted' }, 'Which column holds each event field. Unmapped columns named like email, url or traits.title are used as they are.'), grid);
  }
  evFile.addEventListener('change', prepareMapping);
  evFormat.addEventListener('change', prepareMapping);
  const evButton = h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-events-import', onclick: async () => {
    const file = evFile.files[0];
    if (!file || ctx.state.importing) return;
    let mapping = null;
    if (mappingSelects.size) {
      const columns = {};
      for (const [t, sel] of mappingSelects) if (sel.value) columns[t] = sel.value;
      mapping = { columns };
    }
    const format = mappingSelects.size ? 'csv' : evFormat.value;
    // The outcome lands in ctx.state.eventImport and is drawn by the bt-data-change listener.
    await ctx.importEventFile(file, format, mapping);
  } }, 'Import events');
  const events = card('Events',
    h('p', { class: 'bt-muted' }, 'Segment or RudderStack exports (JSON lines or a JSON array), or CSV with a column mapping.'),
    h('div', { class: 'bt-row' }, evFile, evFormat, evButton), mappingBox, evResult);

  // CRM outcomes.
  const ocResult = h('div', { id: 'bt-outcomes-result' });
  const ocFile = h('input', { type: 'file', id: 'bt-outcomes-file', accept: '.csv,.txt' });
  const outcomes = card('CRM outcomes',
    h('p', { class: 'bt-muted' }, 'CSV with lead id or email, stage (SAL, SQL, opportunity, won, lost, rejected), date, owner, rejection reason, amount. One row per stage change, or one row per lead with a date column per stage.'),
    h('div', { class: 'bt-row' }, ocFile, h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-outcomes-import', onclick: async () => {
      const file = ocFile.files[0];
      if (!file) return;
      clear(ocResult);
      const r = await ctx.call('importOutcomes', await file.text());
      ocResult.append(reportView('Outcomes', r));
      await ctx.refreshSummary();
    } }, 'Import outcomes')), ocResult);

  // Handoffs.
  const hoResult = h('div', { id: 'bt-handoffs-result' });
  const hoFile = h('input', { type: 'file', id: 'bt-handoffs-file', accept: '.jsonl,.ndjson,.json,.txt' });
  const handoffs = card('Received handoffs',
    h('p', { class: 'bt-muted' }, 'Handoff payloads as JSON lines, or straight from the demo receiver.'),
    h('div', { class: 'bt-row' }, hoFile,
      h('button', { class: 'bt-btn', type: 'button', id: 'bt-handoffs-import', onclick: async () => {
        const file = hoFile.files[0];
        if (!file) return;
        clear(hoResult);
        hoResult.append(reportView('Handoffs', await ctx.call('importHandoffs', await file.text())));
        await ctx.refreshSummary();
      } }, 'Import file'),
      h('button', { class: 'bt-btn', type: 'button', id: 'bt-handoffs-fetch', onclick: async () => {
        clear(hoResult);
        try {
          const res = await fetch('/api/handoffs');
          if (!res.ok) throw new Error(`the receiver answered ${res.status}`);
          const data = await res.json();
          const items = Array.isArray(data) ? data : data.handoffs ?? data.items ?? data.received ?? [];
          hoResult.append(reportView('Handoffs', await ctx.call('importHandoffs', items.map((x) => JSON.stringify(x)).join('\n'))));
        } catch (e) {
          hoResult.append(h('div', { class: 'bt-problems' }, `Could not fetch from the demo receiver: ${e.message}`));
        }
        await ctx.refreshSummary();
      } }, 'Fetch from demo receiver')), hoResult);

  const clearStatus = h('div', { class: 'bt-error', id: 'bt-clear-status' });
  const clearButton = h('button', { class: 'bt-btn bt-btn-danger', type: 'button', id: 'bt-clear-data', onclick: async () => {
    clearStatus.textContent = '';
    try {
      await ctx.clearData();
    } catch (e) {
      clearStatus.textContent = e.message;
    }
  } }, 'Clear all data');
  const sampleButton = h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-load-sample', onclick: async () => { await ctx.loadSample(); ctx.go('leads'); } }, 'Load sample data');
  const sample = card('Sample data',
    h('p', { class: 'bt-muted' }, `A seeded generator: ${SAMPLE_VISITORS} visitors from several sources, CRM outcomes with rejection reasons and slow follow-ups.`),
    h('div', { class: 'bt-row' },
      sampleButton,
      h('button', { class: 'bt-btn', type: 'button', onclick: async () => {
        const s = await ctx.call('sampleData', SAMPLE_SEED, SAMPLE_VISITORS, ctx.state.asOf);
        download('sample-events.jsonl', s.eventsJsonl, 'application/x-ndjson');
        download('sample-outcomes.csv', s.outcomesCsv, 'text/csv');
      } }, 'Download sample files'),
      clearButton),
    clearStatus);

  root.append(h('div', { class: 'bt-grid' }, events, outcomes), h('div', { class: 'bt-grid' }, handoffs, sample));

  // Import state changes while this view is up (or after it was left and drawn again).
  const sync = () => {
    drawEventsResult(evResult, ctx);
    const busy = ctx.state.importing;
    for (const b of [evButton, clearButton, sampleButton]) b.disabled = busy;
    clearButton.title = busy ? 'An import is running: cancel it (Escape) or wait for it to finish.' : '';
  };
  const onChange = () => {
    if (!root.isConnected) document.removeEventListener('bt-data-change', onChange);
    else sync();
  };
  document.addEventListener('bt-data-change', onChange);
  sync();
}
