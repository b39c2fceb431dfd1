// Model versions in localStorage: author note, time, engine hash; diff two, restore one, export
// the model JSON and the ready-to-paste snippet embed code.
import { h, clear, fmt, table, download, card } from '../dom.js';

const KEY = 'bt:v1:versions';

export function listVersions() {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]');
  } catch {
    return [];
  }
}

/** Saves the working model as a version; refuses an invalid model. */
export async function saveVersion(ctx, note) {
  if (!ctx.state.hash) throw new Error('The model has problems; fix them before saving a version.');
  const versions = listVersions();
  const v = { id: `${Date.now().toString(36)}-${versions.length}`, savedAt: Date.now(), note: String(note ?? '').trim(), hash: ctx.state.hash, model: structuredClone(ctx.state.model) };
  versions.unshift(v);
  localStorage.setItem(KEY, JSON.stringify(versions.slice(0, 200)));
  return v;
}

/** Flattens JSON into path → value (leaves only). */
function flatten(v, path = '', out = new Map()) {
  if (v && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v).map(([k, x]) => [path ? `.${k}` : k, x]);
    if (entries.length === 0) out.set(path, JSON.stringify(v));
    for (const [k, x] of entries) flatten(x, `${path}${k}`, out);
  } else out.set(path, JSON.stringify(v));
  return out;
}

/** Rules are compared by id (so a reorder is not 30 changes); everything else by path. */
export function diffModels(a, b) {
  const keyed = (m) => ({ ...m, rules: Object.fromEntries((m.rules ?? []).map((r, i) => [r.id ?? `#${i}`, r])) });
  const fa = flatten(keyed(a));
  const fb = flatten(keyed(b));
  const out = [];
  for (const [p, v] of fa) {
    if (!fb.has(p)) out.push({ kind: 'removed', path: p, before: v, after: '' });
    else if (fb.get(p) !== v) out.push({ kind: 'changed', path: p, before: v, after: fb.get(p) });
  }
  for (const [p, v] of fb) if (!fa.has(p)) out.push({ kind: 'added', path: p, before: '', after: v });
  const orderA = (a.rules ?? []).map((r) => r.id).join(',');
  const orderB = (b.rules ?? []).map((r) => r.id).join(',');
  if (orderA !== orderB && out.every((d) => !d.path.startsWith('rules.'))) out.push({ kind: 'changed', path: 'rules (order)', before: orderA, after: orderB });
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

/**
 * JSON that is safe inside an inline `<script>`: `<`, `>` and `&` (which could close the script
 * or open a comment) and U+2028/U+2029 are written as \u escapes, so model text such as an
 * endpoint containing `</script>` stays a string.
 */
export function scriptJson(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The embed's consent modes (www/snippet/README.md, "Consent and privacy"), safest first. */
export const CONSENT_MODES = {
  required: 'Opt-in: nothing is loaded, stored or sent until your consent banner calls baton(\'consent\', \'granted\'). Use this where visitors must agree first (GDPR/ePrivacy). Without that call no visitor is ever tracked.',
  granted: 'Tracking starts on every page at once, unless the visitor refused before (baton(\'consent\', \'denied\')). Only where you have a legal basis that needs no opt-in.',
};

/** The snippet embed code (from www/snippet/embed.html) configured for this model. */
export async function embedCode(model, modelUrl, consent = 'required') {
  if (!(consent in CONSENT_MODES)) throw new Error(`unknown consent mode ${consent}`);
  const res = await fetch(new URL('../../snippet/embed.html', import.meta.url));
  const template = await res.text();
  const config = { src: '/snippet/baton.min.js', model: modelUrl, endpoint: model.handoff?.endpoint ?? '/api/handoff', consent };
  // The template ends with `}(window,document,{...});` — swap in this model's config object
  // (a replacer function: `$` in the text must not act as a replacement pattern).
  const code = `}(window,document,${scriptJson(config)});`;
  return template.replace(/\}\(window,document,\{[^}]*\}\);/, () => code);
}

export function modelFileName(model) {
  return `baton-model-${String(model.id ?? 'model').replace(/[^\w.-]/g, '_')}-${String(model.version ?? '0').replace(/[^\w.-]/g, '_')}.json`;
}

export async function render(root, ctx) {
  const body = h('div');
  root.append(h('p', { class: 'bt-view-sub' }, 'Every saved model is a version. Compare two, restore one, and export what the site needs.'), body);
  let a = null;
  let b = null;
  let consentMode = 'required';
  const draw = async () => {
    clear(body);
    const versions = listVersions();
    const model = ctx.state.model;
    const consent = h('select', { class: 'bt-select', id: 'bt-embed-consent' },
      h('option', { value: 'required', selected: consentMode === 'required' }, 'required: wait for the visitor\'s consent'),
      h('option', { value: 'granted', selected: consentMode === 'granted' }, 'granted: track at once'));
    const consentNote = h('p', { class: 'bt-muted', id: 'bt-embed-consent-note' }, CONSENT_MODES[consentMode]);
    const pre = h('pre', { class: 'bt-code', id: 'bt-embed-code', hidden: true });
    const showEmbed = async () => {
      const code = await embedCode(model, `/${modelFileName(model)}`, consentMode);
      pre.textContent = code;
      pre.hidden = false;
      return code;
    };
    consent.addEventListener('change', async () => {
      consentMode = consent.value;
      consentNote.textContent = CONSENT_MODES[consentMode];
      if (!pre.hidden) await showEmbed();
    });
    const exportCard = card('Export the working model',
      h('label', { class: 'bt-embed-consent' }, h('span', {}, 'Consent mode in the embed code'), consent),
      consentNote,
      h('div', { class: 'bt-row' },
        h('button', { class: 'bt-btn', type: 'button', id: 'bt-export-json', onclick: () => download(modelFileName(model), JSON.stringify(model, null, 2)) }, 'Download model JSON'),
        h('button', { class: 'bt-btn bt-btn-primary', type: 'button', id: 'bt-export-embed', onclick: async () => {
          const code = await showEmbed();
          try { await navigator.clipboard.writeText(code); } catch { /* clipboard needs a user gesture and permission; the code is shown anyway */ }
        } }, 'Show embed code')),
      h('p', { class: 'bt-muted' }, 'Host the model JSON on your site at the path named in the snippet, then paste the embed code before </head>.'),
      pre);
    body.append(exportCard);
    const rows = versions.map((v) => v);
    const list = table([
      { label: 'A', get: (v) => h('input', { type: 'radio', name: 'bt-diff-a', checked: a === v.id, onchange: () => { a = v.id; } }) },
      { label: 'B', get: (v) => h('input', { type: 'radio', name: 'bt-diff-b', checked: b === v.id, onchange: () => { b = v.id; } }) },
      { label: 'Saved', get: (v) => fmt.date(v.savedAt) },
      { label: 'Version', get: (v) => String(v.model?.version ?? '') },
      { label: 'Note', get: (v) => v.note || '—' },
      { label: 'Hash', get: (v) => h('span', { class: 'bt-mono' }, v.hash.slice(0, 12)) },
      { label: 'Rules', class: 'bt-num', get: (v) => String(v.model?.rules?.length ?? 0) },
      { label: '', get: (v) => h('span', {},
        h('button', { class: 'bt-btn bt-btn-small', type: 'button', name: 'restore', onclick: async () => { await ctx.setModel(structuredClone(v.model)); await draw(); document.getElementById('bt-versions-status').textContent = `Restored ${v.hash.slice(0, 10)} as the working model.`; } }, 'Restore'),
        ' ',
        h('button', { class: 'bt-btn bt-btn-small', type: 'button', onclick: () => download(modelFileName(v.model), JSON.stringify(v.model, null, 2)) }, 'Export')) },
    ], rows, { empty: 'No versions yet: save one from the model editor.', rowAttrs: (v) => ({ dataset: { hash: v.hash } }) });
    const status = h('div', { class: 'bt-ok', id: 'bt-versions-status' });
    const diffBox = h('div', { id: 'bt-diff' });
    body.append(card(`Versions (${versions.length})`, list, status,
      h('div', { class: 'bt-row', style: 'margin-top:10px' },
        h('button', { class: 'bt-btn', type: 'button', id: 'bt-diff-run', onclick: () => {
          clear(diffBox);
          const va = versions.find((v) => v.id === a);
          const vb = versions.find((v) => v.id === b);
          const left = va?.model ?? versions[1]?.model;
          const right = vb?.model ?? (va ? ctx.state.model : versions[0]?.model);
          if (!left || !right) { diffBox.append(h('p', { class: 'bt-muted' }, 'Pick two versions (A and B).')); return; }
          const d = diffModels(left, right);
          diffBox.append(d.length === 0 ? h('p', {}, 'No differences.') : table([
            { label: '', get: (x) => h('span', { class: `bt-diff-${x.kind.slice(0, 3) === 'cha' ? 'chg' : x.kind === 'added' ? 'add' : 'del'}` }, x.kind) },
            { label: 'Path', get: (x) => h('span', { class: 'bt-mono' }, x.path) },
            { label: 'A', get: (x) => h('span', { class: 'bt-mono' }, x.before) },
            { label: 'B', get: (x) => h('span', { class: 'bt-mono' }, x.after) },
          ], d));
        } }, 'Diff A → B'),
        h('span', { class: 'bt-muted' }, 'Without a choice: the two newest versions.')),
      diffBox));
  };
  await draw();
}
