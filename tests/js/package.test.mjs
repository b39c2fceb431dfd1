// Packaging tests: pack the npm package `baton` (.ci/pack.mjs → target/npm/*.tgz), install the
// tarball into small consumer apps in temp dirs (tests/packaging/*), and check that every way of
// loading it scores the same fixture to the same result as the repository's own Node build:
// Node ESM, Node CommonJS, the `baton/bundler` build, an esbuild bundle in headless Chromium and a
// plain <script type="module"> page. Then `tsc --noEmit` on typed consumers (and a file that must
// fail), and every ```js example of the package README run against the installed tarball.
//
// Needs the wasm matrix built (`node .ci/build.mjs`) and root devDependencies (esbuild,
// typescript, playwright-core) installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startServer } from '../../www/server.mjs';
import { launchBrowser, newPage } from '../browser/harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const apps = join(root, 'tests', 'packaging');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
/** Every child process (npm, node, tsc) is bounded in time. */
const CHILD_TIMEOUT_MS = 120_000;

const fixture = JSON.parse(readFileSync(join(apps, 'fixture.json'), 'utf8'));
const model = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'models', fixture.model), 'utf8'));
const input = { model, events: fixture.events, asOf: Date.parse(fixture.asOf) };

const temps = [];
let tarball;
let manifest;
let expected;

function run(cmd, args, cwd, extra = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, ...extra });
  if (r.error) throw r.error;
  return r;
}

function ok(r, what) {
  assert.equal(r.status, 0, `${what} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The scenario every consumer runs, here on the repository's Node build: the reference. */
function scenario({ Engine, verifyHandoff }) {
  const engine = new Engine(input.model);
  const handoffs = [];
  for (const event of input.events) handoffs.push(...engine.ingest(event, Date.parse(event.timestamp)).handoffs);
  return JSON.parse(
    JSON.stringify({
      modelHash: engine.modelHash,
      score: engine.score(input.asOf),
      explanation: engine.explain(input.asOf),
      handoffs,
      verified: handoffs.map((h) => verifyHandoff(h, input.model)),
    }),
  );
}

/** A temp dir holding one consumer app with the packed tarball installed (offline: no deps). */
function consumer(app) {
  const dir = mkdtempSync(join(tmpdir(), `baton-${app}-`));
  temps.push(dir);
  cpSync(join(apps, app), dir, { recursive: true });
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${app}`, private: true }));
  ok(run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir), `npm install in ${app}`);
  return dir;
}

before(() => {
  ok(run(process.execPath, [join(root, '.ci', 'pack.mjs')], root), 'node .ci/pack.mjs');
  manifest = JSON.parse(readFileSync(join(root, 'pkg', 'npm', 'package.json'), 'utf8'));
  tarball = join(root, 'target', 'npm', `baton-${manifest.version}.tgz`);
  assert.ok(existsSync(tarball), `${tarball} was not packed`);
  // The reference: the matrix's Node build as pack.mjs copied it (pkg/npm/node/baton.js, beside
  // the package.json that marks it CommonJS), called directly, without exports map or wrappers.
  expected = scenario(createRequire(import.meta.url)(join(root, 'pkg', 'npm', 'node', 'baton.js')));
});

after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

test('the fixture is worth comparing: points, a handoff, and a verified payload', () => {
  assert.ok(expected.score.total > 0, `score ${JSON.stringify(expected.score)}`);
  assert.ok(expected.explanation.entries.length > 0);
  assert.ok(expected.handoffs.length >= 1, 'the fixture visitor must reach the handoff stage');
  for (const v of expected.verified) assert.equal(v.ok, true, JSON.stringify(v));
});

test('the tarball holds the three builds, the declarations, the schemas and the README', () => {
  const listed = ok(run('tar', ['-tzf', tarball], root), 'tar -tzf').stdout.split('\n');
  const files = new Set(listed.map((f) => f.replace(/^package\//, '')).filter(Boolean));
  for (const f of [
    'package.json', 'README.md',
    'node/baton.js', 'node/index.cjs', 'node/index.mjs', 'node/index.d.cts', 'node/index.d.mts',
    'web/baton.js', 'web/baton_bg.wasm', 'web/index.js', 'web/index.d.ts', 'web/auto.js', 'web/auto.d.ts',
    'bundler/baton.js', 'bundler/baton_bg.js', 'bundler/baton_bg.wasm', 'bundler/baton.d.ts', 'bundler/index.d.ts',
    'schema/model.schema.json', 'schema/handoff.schema.json',
    'LICENSE-MIT', 'LICENSE-APACHE', 'examples/receiver.mjs', 'web/wasm-path.d.ts',
  ]) {
    assert.ok(files.has(f), `${f} missing from the tarball: ${[...files].join(', ')}`);
  }
  // The Node build reads the bundler build's (identical) wasm instead of shipping a second copy.
  assert.equal([...files].filter((f) => f.endsWith('.wasm')).length, 2, [...files].join(', '));
  // Raw wasm export declarations are all `any`; they are not API and stay out.
  assert.ok(![...files].some((f) => f.endsWith('baton_bg.wasm.d.ts')));
  // No `any` in the public declarations (wasm-bindgen's own loader types, `InitOutput`, list raw
  // wasm exports as `any`; they are not re-exported). Every offender is listed at once.
  const offenders = [];
  for (const f of [...files].filter((x) => /\.d\.[cm]?ts$/.test(x))) {
    const text = readFileSync(join(root, 'pkg', 'npm', f), 'utf8').split('export type InitInput')[0];
    text.split('\n').forEach((l, i) => {
      if (!/^\s*(\/\/|\*|\/\*)/.test(l) && /:\s*any\b|<any>|\bany\[\]|\|\s*any\b/.test(l)) offenders.push(`${f}:${i + 1}: ${l.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], `\`any\` in the public API:\n${offenders.join('\n')}`);
});

test('exports map: Node gets the Node build, everything else the web build', () => {
  const dot = manifest.exports['.'];
  assert.deepEqual(Object.keys(dot), ['node', 'default']);
  assert.equal(dot.node.import.default, './node/index.mjs');
  assert.equal(dot.node.require.default, './node/index.cjs');
  assert.equal(dot.default.default, './web/index.js');
  assert.equal(manifest.exports['./schema/handoff.schema.json'], './schema/handoff.schema.json');
  // `import wasmPath from 'baton/baton_bg.wasm'` (the README's esbuild recipe) is typed.
  assert.deepEqual(manifest.exports['./baton_bg.wasm'], { types: './web/wasm-path.d.ts', default: './web/baton_bg.wasm' });
  assert.doesNotMatch(JSON.stringify(manifest.repository ?? ''), /\.invalid/, 'a placeholder repository URL is published');
  for (const target of [dot.node.import, dot.node.require, dot.default]) {
    assert.ok(Object.keys(target)[0] === 'types', 'types must come first in each condition');
  }
});

test('Node ESM consumer: import with no flags', () => {
  const dir = consumer('node-esm');
  const r = ok(run(process.execPath, ['app.mjs'], dir), 'node app.mjs');
  assert.deepEqual(JSON.parse(r.stdout), expected);
});

test('Node CommonJS consumer: require', () => {
  const dir = consumer('node-cjs');
  const r = ok(run(process.execPath, ['app.cjs'], dir), 'node app.cjs');
  assert.deepEqual(JSON.parse(r.stdout), expected);
  // ESM and CJS in one process share one instance (no dual-package hazard).
  const same = run(
    process.execPath,
    ['--input-type=module', '-e', "import { Engine } from 'baton'; import { createRequire } from 'node:module'; const r = createRequire(process.cwd() + '/x.cjs'); console.log(r('baton').Engine === Engine)"],
    dir,
  );
  assert.equal(ok(same, 'dual import').stdout.trim(), 'true');
});

test('baton/bundler: the WebAssembly ESM-integration build', () => {
  const dir = consumer('bundler-esm');
  const r = ok(run(process.execPath, ['--experimental-wasm-modules', '--no-warnings', 'app.mjs'], dir), 'node app.mjs');
  assert.deepEqual(JSON.parse(r.stdout), expected);
});

test('packed schemas resolve through the exports map', () => {
  const dir = consumer('node-esm');
  for (const name of ['model', 'handoff']) {
    const r = run(
      process.execPath,
      ['--input-type=module', '-e', `import { createRequire } from 'node:module'; const r = createRequire(process.cwd() + '/x.js'); console.log(r.resolve('baton/schema/${name}.schema.json'))`],
      dir,
    );
    const path = ok(r, 'resolve schema').stdout.trim();
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'schema', `${name}.schema.json`), 'utf8')));
  }
});

async function inChromium(dir, path) {
  const srv = await startServer({ port: 0, root: dir });
  const browser = await launchBrowser();
  try {
    const page = await newPage(browser);
    await page.goto(`${srv.url}${path}`);
    const out = page.locator('#result[data-state]');
    await out.waitFor({ timeout: 20_000 });
    const text = await out.textContent();
    assert.equal(await out.getAttribute('data-state'), 'done', text);
    assert.deepEqual(page.errors, []);
    return JSON.parse(text);
  } finally {
    await browser.close();
    await srv.close();
  }
}

test('esbuild browser bundle in headless Chromium', async () => {
  const dir = consumer('browser-esbuild');
  await build({
    absWorkingDir: dir,
    entryPoints: ['main.js'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outdir: 'dist',
    loader: { '.wasm': 'file' },
    logLevel: 'silent',
  });
  // The browser condition won: no Node build (fs, __dirname) in the bundle.
  const bundle = readFileSync(join(dir, 'dist', 'main.js'), 'utf8');
  assert.doesNotMatch(bundle, /readFileSync/);
  assert.ok(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.wasm')));
  assert.deepEqual(await inChromium(dir, '/index.html'), expected);
});

test('plain <script type="module"> page with an import map and baton/auto', async () => {
  const dir = consumer('browser-plain');
  assert.deepEqual(await inChromium(dir, '/index.html'), expected);
});

/** Every value and type name the package's public declarations export. */
function publicNames() {
  const dts = readFileSync(join(root, 'pkg', 'npm', 'web', 'index.d.ts'), 'utf8');
  const names = new Set(['init', 'initSync']);
  for (const m of dts.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim());
  }
  return names;
}

/**
 * The built package's real results as literals of the declared interfaces: tsc rejects a missing
 * key, an extra key (excess property check) and a wrong type, at any depth.
 */
function resultsAsTypedLiterals() {
  const { Engine, verifyHandoff } = createRequire(import.meta.url)(join(root, 'pkg', 'npm', 'node', 'baton.js'));
  const engine = new Engine(input.model);
  let outcome;
  let handoff;
  for (const event of input.events) {
    outcome = engine.ingest(event, Date.parse(event.timestamp));
    if (outcome.handoffs.length) handoff = outcome.handoffs[0];
  }
  const forged = structuredClone(handoff);
  forged.score.total += 1;
  forged.ledger[0].ruleId = 'nope';
  const values = {
    score: ['Score', engine.score(input.asOf)],
    explanation: ['Explanation', engine.explain(input.asOf)],
    outcome: ['IngestOutcome', outcome],
    handoff: ['Handoff', handoff],
    verified: ['VerifyResult', verifyHandoff(handoff, input.model)],
    refused: ['VerifyResult', verifyHandoff(forged, input.model)],
    problems: ['Problem[]', Engine.validate({ version: 1, rules: [{ id: 'x', when: { path: '' } }] })],
    nextChange: ['NextChange | null', engine.nextChange(input.asOf)],
    events: ['BatonEvent[]', input.events],
  };
  // Every example model must be a `Model` literal: the model type matches real documents.
  const modelsDir = join(root, 'tests', 'fixtures', 'models');
  for (const f of readdirSync(modelsDir).filter((n) => n.endsWith('.json'))) {
    values[`model_${f.replace(/\W/g, '_')}`] = ['Model', JSON.parse(readFileSync(join(modelsDir, f), 'utf8'))];
  }
  assert.ok(values.refused[1].mismatches.length >= 2 && values.problems[1].length >= 2);
  const names = [...new Set(Object.values(values).map(([t]) => t.replace(/\[\]| \| null/g, '')))];
  let text = `import type { ${names.join(', ')} } from 'baton';\n`;
  for (const [name, [type, value]] of Object.entries(values)) {
    text += `export const ${name}: ${type} = ${JSON.stringify(value, null, 1)};\n`;
  }
  return text;
}

test('tsc --noEmit: typed consumers that use every export type-check', () => {
  const dir = consumer('typed');
  writeFileSync(join(dir, 'results.ts'), resultsAsTypedLiterals());
  const source = readFileSync(join(dir, 'consumer.ts'), 'utf8');
  const unused = [...publicNames()].filter((n) => !new RegExp(`\\b${n}\\b`).test(source));
  assert.deepEqual(unused, [], 'consumer.ts must use every export');
  for (const project of ['tsconfig.json', 'tsconfig.node.json']) {
    ok(run(tsc, ['--noEmit', '-p', project], dir), `tsc -p ${project}`);
  }
});

test('tsc --noEmit: a wrong call is a type error', () => {
  const dir = consumer('typed');
  const r = run(tsc, ['--noEmit', '-p', 'tsconfig.wrong.json'], dir);
  assert.notEqual(r.status, 0, 'wrong.ts type-checked: the declarations are too loose');
  const out = r.stdout + r.stderr;
  // One error per deliberate mistake, each on its marked line.
  const marked = readFileSync(join(dir, 'wrong.ts'), 'utf8')
    .split('\n')
    .map((l, i) => (l.includes('// wrong:') ? i + 1 : 0))
    .filter(Boolean);
  assert.ok(marked.length >= 4);
  for (const line of marked) assert.match(out, new RegExp(`wrong\\.ts\\(${line},`), `no error on line ${line}:\n${out}`);
});

const readmes = [
  ['package README', (dir) => join(dir, 'node_modules', 'baton', 'README.md'), 3, 5],
  ['repository README', () => fileURLToPath(new URL('../../README.md', import.meta.url)), 1, 2],
];
for (const [name, path, minBlocks, minPromised] of readmes) test(`every \`\`\`js example in the ${name} runs against the installed tarball`, () => {
  const dir = consumer('node-esm');
  const readme = readFileSync(path(dir), 'utf8');
  const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assert.ok(blocks.length >= minBlocks, `only ${blocks.length} js examples found`);
  let promised = 0;
  blocks.forEach((code, i) => {
    const file = join(dir, `readme-${name.split(' ')[0]}-${i + 1}.mjs`);
    writeFileSync(file, code);
    const r = run(process.execPath, [file], dir);
    assert.equal(r.status, 0, `README example ${i + 1} failed:\n${code}\n${r.stderr}`);
    // `// → text` promises a line of output: every promise must be printed, in order.
    const printed = r.stdout.split('\n');
    let at = 0;
    for (const [, line] of code.matchAll(/\/\/ → (.+)$/gm)) {
      const found = printed.indexOf(line.trim(), at);
      assert.ok(found >= 0, `README example ${i + 1} promises "${line}" but printed:\n${r.stdout}`);
      at = found + 1;
      promised += 1;
    }
  });
  assert.ok(promised >= minPromised, `only ${promised} promised outputs`);
});

/** The fenced blocks of one language in the package README. */
function readmeBlocks(dir, lang) {
  const readme = readFileSync(join(dir, 'node_modules', 'baton', 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((m) => m[1]);
}

test('every ```ts example in the package README type-checks against the installed tarball', () => {
  const dir = consumer('typed');
  const blocks = readmeBlocks(dir, 'ts');
  assert.ok(blocks.length >= 3, `only ${blocks.length} ts examples found`);
  const files = blocks.map((code, i) => {
    const file = `readme-${i + 1}.ts`;
    // Each block is its own module (a block with no import/export would be a global script).
    writeFileSync(join(dir, file), `${code}\nexport {};\n`);
    return file;
  });
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
  writeFileSync(join(dir, 'tsconfig.readme.json'), JSON.stringify({ ...config, files }));
  const r = run(tsc, ['--noEmit', '-p', 'tsconfig.readme.json'], dir);
  assert.equal(r.status, 0, `README ts examples do not type-check:\n${r.stdout}${r.stderr}\n${files.map((f, i) => `--- ${f}\n${blocks[i]}`).join('\n')}`);
});

test('every ```html example in the package README loads in headless Chromium without an error', async () => {
  const dir = consumer('browser-plain');
  const blocks = readmeBlocks(dir, 'html');
  assert.ok(blocks.length >= 1);
  for (const [i, code] of blocks.entries()) {
    // The example as written, then a probe that waits for it and reports on the same import.
    writeFileSync(
      join(dir, `readme-${i + 1}.html`),
      `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="result"></pre>\n${code}
<script type="module">
  const out = document.querySelector('#result');
  try {
    const { Engine } = await import('baton/auto');
    out.textContent = JSON.stringify(new Engine({ version: '1', rules: [] }).modelHash);
    out.dataset.state = 'done';
  } catch (err) {
    out.textContent = String(err && err.stack ? err.stack : err);
    out.dataset.state = 'error';
  }
</script>
`,
    );
    assert.equal(typeof (await inChromium(dir, `/readme-${i + 1}.html`)), 'string');
  }
});

test('the web build used before init() throws an Error naming what was called; a non-wasm answer is named', () => {
  const dir = consumer('node-esm');
  const probe = `
    import { readFileSync } from 'node:fs';
    import init, { Engine, CompiledModel, verifyHandoff, initSync } from './node_modules/baton/web/index.js';
    const out = [];
    const attempt = (f) => { try { f(); out.push('no error'); } catch (e) { out.push(e instanceof Error, e.message); } };
    attempt(() => new Engine({ version: '1', rules: [] }));
    attempt(() => Engine.validate({ version: '1', rules: [] }));
    attempt(() => verifyHandoff({}, {}));
    try { await init('data:text/html,<!doctype html><html><body>app</body></html>'); out.push('no error'); } catch (e) { out.push(e.message); }
    initSync(readFileSync('./node_modules/baton/web/baton_bg.wasm'));
    const engine = new Engine({ version: '1', rules: [] });
    out.push(engine instanceof Engine, Engine.validate({ version: '1', rules: [] }).length, typeof new CompiledModel({ version: '1', rules: [] }).hash);
    console.log(JSON.stringify(out));
  `;
  const r = ok(run(process.execPath, ['--input-type=module', '-e', probe], dir), 'web build probe');
  const [e1, m1, e2, m2, e3, m3, html, isEngine, problems, hash] = JSON.parse(r.stdout);
  assert.deepEqual([e1, e2, e3], [true, true, true]);
  assert.match(m1, /^baton: call `await init\(\)` .*before using new Engine\(\)/);
  assert.match(m2, /before using Engine\.validate\(\)/);
  assert.match(m3, /before using verifyHandoff\(\)/);
  assert.match(html, /is not WebAssembly: the server answered 200 text\/html/);
  assert.match(html, /starting with "<!doctype html>/);
  assert.match(html, /optimizeDeps: \{ exclude: \['baton'\] \}/);
  assert.deepEqual([isEngine, problems, hash], [true, 0, 'string']);
});

test('use after free() throws an Error naming the class and method; free() twice, and `using` with free(), are fine', () => {
  const dir = consumer('node-esm');
  // What \`using\` compiles to where Node has no syntax for it yet (TypeScript's downlevel emit):
  // \`[Symbol.dispose]()\` at the end of the block, after the explicit free().
  const probe = (imports, setup = '') => `
    ${imports}
    ${setup}
    const out = [];
    const attempt = (f) => { try { const r = f(); out.push(r === undefined ? 'ok' : 'ok:' + typeof r); } catch (e) { out.push((e instanceof Error) + ' ' + e.message); } };
    const model = { version: '1', rules: [] };
    const compiled = new CompiledModel(model);
    const engine = Engine.fromModel(compiled);
    engine.free();
    attempt(() => engine.score(0));
    attempt(() => engine.modelHash);
    attempt(() => engine.free());
    attempt(() => engine[Symbol.dispose]());
    compiled.free();
    attempt(() => Engine.fromModel(compiled));
    attempt(() => compiled.hash);
    const replay = new BatchReplay(model);
    replay.free();
    attempt(() => replay.pushNdjson(''));
    attempt(() => { const scoped = new Engine(model); try { scoped.score(0); scoped.free(); } finally { scoped[Symbol.dispose](); } });
    const live = new Engine(model);
    attempt(() => live.score(0));
    attempt(() => Engine.fromModel({}));
    attempt(() => Engine.fromModelWithState(live, '{}'));
    console.log(JSON.stringify(out));
  `;
  const expected = [
    "true baton: Engine.score() was called after free(): this Engine's memory is released; create a new one",
    "true baton: Engine.modelHash was read after free(): this Engine's memory is released; create a new one",
    'ok',
    'ok',
    "true baton: Engine.fromModel(): its CompiledModel argument was used after free(): that handle's memory is released; pass a live CompiledModel",
    "true baton: CompiledModel.hash was read after free(): this CompiledModel's memory is released; create a new one",
    "true baton: BatchReplay.pushNdjson() was called after free(): this BatchReplay's memory is released; create a new one",
    'ok',
    'ok:object',
    'true baton: Engine.fromModel(): expected a CompiledModel argument (made by `new CompiledModel()`)',
    'true baton: Engine.fromModelWithState(): expected a CompiledModel argument (made by `new CompiledModel()`)',
  ];
  const entries = [
    ['node (import)', [process.execPath, '--input-type=module', '-e', probe("import { Engine, CompiledModel, BatchReplay } from 'baton';")]],
    ['node (require)', [process.execPath, '--input-type=commonjs', '-e', probe("const { Engine, CompiledModel, BatchReplay } = require('baton');")]],
    ['web', [process.execPath, '--input-type=module', '-e', probe("import { Engine, CompiledModel, BatchReplay, initSync } from './node_modules/baton/web/index.js'; import { readFileSync } from 'node:fs';", "initSync({ module: readFileSync('./node_modules/baton/web/baton_bg.wasm') });")]],
    ['bundler', [process.execPath, '--experimental-wasm-modules', '--no-warnings', '--input-type=module', '-e', probe("import { Engine, CompiledModel, BatchReplay } from 'baton/bundler';")]],
  ];
  for (const [name, [cmd, ...args]] of entries) {
    const r = ok(run(cmd, args, dir), `${name} probe`);
    assert.deepEqual(JSON.parse(r.stdout), expected, name);
  }
});

test('Node: Tracker is there by name but browser-only, and does not keep the process alive', () => {
  const dir = consumer('node-esm');
  const probe = `
    import { Tracker } from 'baton';
    try { new Tracker({ version: '1', rules: [] }); console.log('constructed'); } catch (e) { console.log(e.message); }
  `;
  const r = ok(run(process.execPath, ['--input-type=module', '-e', probe], dir, { timeout: 20_000 }), 'tracker probe');
  assert.match(r.stdout, /^baton: Tracker is browser-only/);
});

test('the shipped receiver example accepts a genuine handoff once and refuses forged ones', () => {
  const dir = consumer('node-esm');
  const probe = `
    import { receive } from 'baton/examples/receiver.mjs';
    import { Engine } from 'baton';
    import { readFileSync } from 'node:fs';
    const { model, events } = JSON.parse(readFileSync('input.json', 'utf8'));
    const engine = new Engine(model);
    const handoffs = [];
    for (const e of events) handoffs.push(...engine.ingest(e, Date.parse(e.timestamp)).handoffs);
    const models = new Map([[engine.modelHash, model]]);
    const seen = new Set();
    const accepted = [];
    const post = (body) => receive(typeof body === 'string' ? body : JSON.stringify(body), models, seen, (p, open) => accepted.push([p.handoffId, open]));
    const forged = structuredClone(handoffs[0]);
    forged.score.total += 50;
    const other = structuredClone(handoffs[0]);
    other.model.hash = 'f'.repeat(32);
    console.log(JSON.stringify({
      genuine: post(handoffs[0]), again: post(handoffs[0]), forged: post(forged), other: post(other), junk: post('{'), accepted,
    }));
  `;
  const out = JSON.parse(ok(run(process.execPath, ['--input-type=module', '-e', probe], dir), 'receiver probe').stdout);
  assert.deepEqual(out.genuine, { status: 200, lines: ['accepted'] });
  assert.deepEqual(out.again, { status: 200, lines: ['already received'] });
  assert.equal(out.forged.status, 422);
  assert.ok(out.forged.lines.some((l) => l.startsWith('score.total: ')), out.forged.lines.join('\n'));
  assert.equal(out.other.status, 422);
  assert.match(out.other.lines[0], /^model\.hash: /);
  assert.equal(out.junk.status, 400);
  assert.equal(out.accepted.length, 1);
  assert.ok(out.accepted[0][1].includes('stage'), 'the demo model counts visits: the stage is left open');
});
