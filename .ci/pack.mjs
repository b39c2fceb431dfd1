// Assembles the npm package `baton` in pkg/npm/ from the wasm build matrix outputs, then packs it
// into target/npm/baton-<version>.tgz.
//
//   node .ci/build.mjs && node .ci/pack.mjs
//
// One package, three builds of the same engine (all with the `analytics` feature), picked by
// conditional `exports`:
//   node/      pkg/node (wasm-pack --target nodejs): loads its wasm synchronously with `fs`, so
//              Node needs no flag and no `init()`. It is CommonJS; `index.mjs` re-exports the same
//              instance for `import`, so ESM and CJS callers in one process share one engine.
//   web/       www/pkg-dashboard (--target web): browsers and bundlers. The wasm is fetched from
//              `new URL('baton_bg.wasm', import.meta.url)`, which webpack 5, Vite, Parcel and plain
//              browsers resolve on their own; one `await init()` before first use. `baton/auto`
//              does that with a top-level await for pages and bundlers that allow it.
//   bundler/   pkg/bundler (--target bundler): `import * as wasm from './baton_bg.wasm'`, for
//              bundlers with WebAssembly ESM integration turned on (webpack `asyncWebAssembly`,
//              vite-plugin-wasm). Opt-in subpath `baton/bundler`: no bundler does it by default.
// `baton` and `baton/auto` export the same names everywhere, plus `init`/`initSync` (no-ops in
// Node), so one piece of code runs in Node, bundlers and browsers. The node and bundler wasm are
// byte-identical and ship once.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { FREE_GUARD } from './free-guard.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'pkg', 'npm');
const tarballDir = join(root, 'target', 'npm');

/** The matrix entries the package is made of, by name in wasm-pack.toml. */
const PARTS = { node: 'node', web: 'dashboard', bundler: 'bundler' };
/** Generated files we ship per build; `baton_bg.wasm.d.ts` describes raw wasm exports (all `any`). */
const SHIP = ['baton.js', 'baton_bg.js', 'baton.d.ts', 'baton_bg.wasm'];

function fail(message) {
  console.error(`[pack] ${message}`);
  process.exit(1);
}

const matrix = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8')).build ?? [];
const cargo = parse(readFileSync(join(root, 'Cargo.toml'), 'utf8')).package;

function buildDir(name) {
  const entry = matrix.find((b) => b.name === name);
  if (!entry) fail(`wasm-pack.toml has no [[build]] named "${name}"`);
  if (!(entry.features ?? []).includes('analytics')) fail(`build "${name}" must carry the analytics feature`);
  const dir = join(root, entry['out-dir']);
  if (!existsSync(join(dir, 'baton_bg.wasm'))) fail(`${entry['out-dir']} is not built: run \`node .ci/build.mjs ${name}\``);
  return dir;
}

/** `export class|function|interface|type X` names declared by a generated .d.ts. */
function declaredNames(dts) {
  const values = new Set();
  const types = new Set();
  for (const m of dts.matchAll(/^export (?:declare )?(class|function|interface|type|enum) (\w+)/gm)) {
    (m[1] === 'class' || m[1] === 'function' ? values : types).add(m[2]);
  }
  return { values, types };
}

rmSync(out, { recursive: true, force: true });
for (const [part, name] of Object.entries(PARTS)) {
  const from = buildDir(name);
  mkdirSync(join(out, part), { recursive: true });
  for (const f of SHIP) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(out, part, f));
  if (existsSync(join(from, 'snippets'))) fail(`${name}: wasm-bindgen snippets/ are not packed yet`);
}
// wasm-bindgen emits byte-identical wasm for the nodejs and bundler targets: ship it once. The
// bundler copy must stay beside `baton_bg.js` (its imports resolve relative to the wasm), so the
// Node build, which only reads bytes from a path, reads the bundler's copy. Only when the bytes
// match and the generated path is the one line we expect; otherwise both copies ship.
const nodeWasm = join(out, 'node', 'baton_bg.wasm');
const nodeJs = join(out, 'node', 'baton.js');
const wasmPathLine = 'const wasmPath = `${__dirname}/baton_bg.wasm`;';
const nodeSource = readFileSync(nodeJs, 'utf8');
if (
  readFileSync(nodeWasm).equals(readFileSync(join(out, 'bundler', 'baton_bg.wasm'))) &&
  nodeSource.split(wasmPathLine).length === 2
) {
  writeFileSync(nodeJs, nodeSource.replace(wasmPathLine, 'const wasmPath = `${__dirname}/../bundler/baton_bg.wasm`;'));
  rmSync(nodeWasm);
}

// The Node build is CommonJS; the package is `"type": "module"`, so its folder says so itself.
writeFileSync(join(out, 'node', 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');

// What the engine exports, read from the builds themselves so the wrappers never drift from Rust.
const nodeExports = Object.keys(createRequire(import.meta.url)(join(out, 'node', 'baton.js'))).filter(
  (k) => !k.startsWith('__'),
);
const webDts = readFileSync(join(out, 'web', 'baton.d.ts'), 'utf8');
const web = declaredNames(webDts);
// The web build adds its loader; `InitOutput` lists raw wasm exports typed `any`: not public API.
const LOADER_TYPES = new Set(['InitInput', 'SyncInitInput', 'InitOutput']);
const webValues = [...web.values].filter((n) => n !== 'initSync' && n !== '__wbg_init');
const types = [...web.types].filter((n) => !LOADER_TYPES.has(n) && !web.values.has(n)); // an interface merged into a class (Tracker) goes out with the class
for (const part of ['node', 'bundler']) {
  const d = declaredNames(readFileSync(join(out, part, 'baton.d.ts'), 'utf8'));
  const missing = [...webValues, ...types].filter((n) => !d.values.has(n) && !d.types.has(n));
  if (missing.length) fail(`${part} build lacks ${missing.join(', ')}: rebuild the whole matrix`);
}
if (nodeExports.sort().join() !== webValues.sort().join()) {
  fail(`node build exports [${nodeExports}] but web build declares [${webValues}]`);
}
if (!webValues.includes('Engine')) fail('no Engine export: is this the baton crate?');

const banner = '// Generated by .ci/pack.mjs from the wasm-bindgen output beside it. Do not edit.\n';

// --- use after free() ----------------------------------------------------------------------
// Every entry of the package patches the generated classes once (they are shared by all of its
// entries) with .ci/free-guard.mjs (the Node part's baton.js carries the same guard from
// .ci/build.mjs; patching twice does nothing). The generated shape this relies on is checked
// below, so a wasm-bindgen upgrade that changes it fails the pack instead of shipping an
// unguarded package.
for (const part of ['node', 'web', 'bundler']) {
  const generated = readFileSync(join(out, part, part === 'bundler' ? 'baton_bg.js' : 'baton.js'), 'utf8');
  if (!generated.includes('this.__wbg_ptr = 0;') || !generated.includes('const ptr = this.__destroy_into_raw();')) {
    fail(`${part}: wasm-bindgen's classes no longer keep their pointer in __wbg_ptr; update FREE_GUARD in .ci/free-guard.mjs`);
  }
}
const valueList = webValues.join(', ');
const typeList = types.join(', ');
const typeExports = types.length ? `export type { ${typeList} } from './baton.js';\n` : '';

const INIT_DOC = `/**
 * Loads the WebAssembly module; resolves once the engine can be used. Call it once before any
 * other export in browsers and bundlers (later calls return the same promise). In Node it
 * resolves at once: the Node build loads its wasm synchronously.
 *
 * \`wasm\` overrides where the module comes from (default: \`baton_bg.wasm\` next to the package's
 * \`web/baton.js\`, which webpack 5, Vite and Parcel rewrite to an asset URL).
 *
 * \`\`\`js
 * import init, { Engine } from 'baton';
 * await init();
 * const engine = new Engine(model);
 * \`\`\`
 */`;
const INIT_SYNC_DOC = `/**
 * Instantiates the engine synchronously from wasm bytes or a compiled \`WebAssembly.Module\`
 * (in a worker, or where the bytes are already at hand), given as they are or as
 * \`{ module }\` (wasm-bindgen's own shape). A no-op in Node.
 *
 * \`\`\`js
 * initSync(await (await fetch(wasmUrl)).arrayBuffer());
 * \`\`\`
 */`;

// --- web: explicit init() ---------------------------------------------------------------
// Every export is guarded: used before `init()` has resolved, it throws an Error naming what was
// called, instead of wasm-bindgen's "Cannot read properties of undefined". The guard is a Proxy
// over each class (construction and static calls; instances only exist once loaded), so
// `instanceof` and the types are the generated ones. `init()` fetches the wasm itself to check it
// is WebAssembly: a dev server answering its HTML fallback (Vite's dependency optimizer moves the
// module away from the wasm) gets an error saying what came back, and how to fix it.
const webClasses = webValues.filter((n) => /^[A-Z]/.test(n));
const webFunctions = webValues.filter((n) => !/^[A-Z]/.test(n));
/** The call that guards every class of an entry against use after free(), `at(n)` naming it. */
const guardCall = (at) => `${FREE_GUARD}guardFree([${webClasses.map((n) => `['${n}', ${at(n)}]`).join(', ')}]);\n`;
writeFileSync(
  join(out, 'web', 'index.js'),
  `${banner}import load, { initSync as loadSync, ${valueList} } from './baton.js';
${guardCall((n) => n)}
let ready = null;
let loaded = false;

function ensure(what) {
  if (!loaded) {
    throw new Error(\`baton: call \\\`await init()\\\` (or \\\`initSync(bytes)\\\`) before using \${what}: the WebAssembly module is not loaded yet\`);
  }
}

function guardClass(cls, name) {
  return new Proxy(cls, {
    construct(target, args, newTarget) {
      ensure(\`new \${name}()\`);
      return Reflect.construct(target, args, newTarget === guarded.get(name) ? target : newTarget);
    },
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver === guarded.get(name) ? target : receiver);
      if (typeof value !== 'function' || key === 'constructor' || !Object.hasOwn(target, key)) return value;
      return function (...args) {
        ensure(\`\${name}.\${String(key)}()\`);
        return value.apply(target, args);
      };
    },
  });
}
const guarded = new Map();
${webClasses.map((n) => `guarded.set('${n}', guardClass(${n}, '${n}'));`).join('\n')}
${webClasses.map((n) => `const ${n}_ = guarded.get('${n}');`).join('\n')}
${webFunctions.map((n) => `function ${n}_(...args) {\n  ensure('${n}()');\n  return ${n}(...args);\n}`).join('\n')}
export { ${webValues.map((n) => `${n}_ as ${n}`).join(', ')} };

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Fetches the wasm and checks it is WebAssembly, for a URL (or path) given or the default. */
async function fetchWasm(url) {
  const response = await fetch(url);
  const type = response.headers.get('content-type') ?? '';
  if (response.ok && type.split(';')[0].trim() === 'application/wasm') return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.ok && MAGIC.every((b, i) => bytes[i] === b)) return bytes;
  const start = new TextDecoder().decode(bytes.subarray(0, 40)).replace(/\\s+/g, ' ').trim();
  const html = /^<!doctype|^<html/i.test(start);
  throw new Error(
    \`baton: \${url} is not WebAssembly: the server answered \${response.status} \${type || '(no content-type)'}\` +
      \`, starting with \${JSON.stringify(start)}.\` +
      (html
        ? " With the Vite dev server, add \`optimizeDeps: { exclude: ['baton'] }\` to vite.config (its dependency optimizer moves baton's JavaScript away from baton_bg.wasm); otherwise pass the wasm's URL: \`init(url)\`."
        : ' Pass the URL the wasm is served at: \`init(url)\`.'),
  );
}

export function init(wasm) {
  if (!ready) {
    const source =
      wasm === undefined
        ? fetchWasm(new URL('baton_bg.wasm', import.meta.url))
        : typeof wasm === 'string' || wasm instanceof URL
          ? fetchWasm(wasm)
          : wasm;
    ready = Promise.resolve(source)
      .then((module_or_path) => load({ module_or_path }))
      .then(
        () => {
          loaded = true;
        },
        (err) => {
          ready = null; // a failed fetch may be retried, e.g. with an explicit URL
          throw err;
        },
      );
  }
  return ready;
}

export function initSync(module) {
  // wasm-bindgen's own shape, \`{ module }\`, as well as the bytes or the compiled Module.
  if (module !== null && typeof module === 'object' && Object.getPrototypeOf(module) === Object.prototype) module = module.module;
  loadSync({ module });
  loaded = true;
}

export default init;
`,
);
// wasm-bindgen declares `[Symbol.dispose]()` on every class: the package names the lib it needs,
// so consumers compiling with an older `lib` (and without skipLibCheck) still type-check.
const needsLib = '/// <reference lib="esnext.disposable" />\n';
const webIndexDts = `${needsLib}${banner}import type { InitInput, SyncInitInput } from './baton.js';
export { ${valueList} } from './baton.js';
${typeExports}export type { InitInput, SyncInitInput };

${INIT_DOC}
export function init(wasm?: InitInput | Promise<InitInput>): Promise<void>;
export default init;

${INIT_SYNC_DOC}
export function initSync(module: SyncInitInput | { module: SyncInitInput }): void;
`;
writeFileSync(join(out, 'web', 'index.d.ts'), webIndexDts);

// --- web: auto (top-level await) --------------------------------------------------------
writeFileSync(
  join(out, 'web', 'auto.js'),
  `${banner}// Loads the wasm on import with a top-level await: nothing to call, for pages and bundlers
// that allow top-level await and resolve \`new URL(..., import.meta.url)\`.
import { init } from './index.js';
await init();
export * from './index.js';
export { default } from './index.js';
`,
);
writeFileSync(join(out, 'web', 'auto.d.ts'), `${needsLib}${banner}export * from './index.js';\nexport { default } from './index.js';\n`);

// --- bundler: the generated module, guarded, typed through a wrapper that names its lib ------
writeFileSync(
  join(out, 'bundler', 'index.js'),
  `${banner}import { ${webClasses.join(', ')} } from './baton.js';
${guardCall((n) => n)}export * from './baton.js';
`,
);
writeFileSync(
  join(out, 'bundler', 'index.d.ts'),
  `${needsLib}${banner}export { ${valueList} } from './baton.js';\n${typeExports}`,
);

// --- node: CommonJS + ESM over the same instance -----------------------------------------
// The Tracker is the browser snippet (localStorage, page lifecycle, retry timers that would keep
// a Node process alive): in Node the name is there, so code shared with the browser still
// imports, but constructing one throws, saying what to use instead.
const BROWSER_ONLY_TRACKER = `
class Tracker {
  constructor() {
    throw new Error('baton: Tracker is browser-only (it needs localStorage, the page lifecycle and fetch retries); in Node, score with Engine and verify posted handoffs with verifyHandoff');
  }
}
`;
writeFileSync(
  join(out, 'node', 'index.cjs'),
  `${banner}'use strict';
const engine = require('./baton.js');
${guardCall((n) => `engine.${n}`)}
// The Node build instantiated its wasm synchronously when it was required: nothing to wait for.
function init() {
  return Promise.resolve();
}
function initSync() {}

${webValues.includes('Tracker') ? BROWSER_ONLY_TRACKER : ''}
module.exports = { ${webValues.map((n) => `${n}: ${n === 'Tracker' ? 'Tracker' : `engine.${n}`}`).join(', ')}, init, initSync };
`,
);
writeFileSync(
  join(out, 'node', 'index.mjs'),
  `${banner}import engine from './index.cjs';

export const { ${valueList}, init, initSync } = engine;
export default init;
`,
);
const nodeInitDts = `${INIT_DOC}
export function init(wasm?: unknown): Promise<void>;

${INIT_SYNC_DOC}
export function initSync(module?: unknown): void;
`;
writeFileSync(
  join(out, 'node', 'index.d.cts'),
  `${needsLib}${banner}export { ${valueList} } from './baton.js';\n${typeExports}\n${nodeInitDts}`,
);
writeFileSync(
  join(out, 'node', 'index.d.mts'),
  `${needsLib}${banner}export { ${valueList} } from './baton.js';\n${typeExports}\n${nodeInitDts}export default init;\n`,
);

// --- schemas, readme, license, manifest -----------------------------------------------------
const schemaDir = join(root, 'tests', 'fixtures', 'schema');
const schemas = existsSync(schemaDir) ? readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')) : [];
if (!schemas.length) console.warn('[pack] warning: no JSON Schemas in tests/fixtures/schema/ yet');
mkdirSync(join(out, 'schema'), { recursive: true });
for (const f of schemas) copyFileSync(join(schemaDir, f), join(out, 'schema', f));
copyFileSync(join(root, 'tests', 'packaging', 'README-npm.md'), join(out, 'README.md'));
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(join(root, 'tests', 'packaging', f), join(out, f));
mkdirSync(join(out, 'examples'), { recursive: true });
copyFileSync(join(root, 'tests', 'packaging', 'receiver-example.mjs'), join(out, 'examples', 'receiver.mjs'));
// `import wasmPath from 'baton/baton_bg.wasm'` (esbuild's file loader) gives the file's path.
writeFileSync(
  join(out, 'web', 'wasm-path.d.ts'),
  `${banner}/** The path of the engine's wasm file, as a bundler's file loader gives it (esbuild \`--loader:.wasm=file\`). */\ndeclare const path: string;\nexport default path;\n`,
);
// A placeholder repository (an \`.invalid\` host) is left out rather than published.
const repository = /^https?:\/\/[^/]*\.invalid(\/|$)/.test(cargo.repository ?? '') ? undefined : cargo.repository;
if (!repository) console.warn('[pack] warning: Cargo.toml has no real repository URL; package.json gets none');

const node = { import: { types: './node/index.d.mts', default: './node/index.mjs' }, require: { types: './node/index.d.cts', default: './node/index.cjs' } };
const manifest = {
  name: 'baton',
  version: cargo.version,
  description: cargo.description,
  license: cargo.license,
  repository,
  keywords: ['lead-scoring', 'handoff', 'webassembly', 'wasm', 'marketing'],
  type: 'module',
  engines: { node: '>=20' },
  // Conditions are matched in order: Node (without a bundler) → the Node build; everything else
  // (browsers, bundlers targeting browsers, Deno, workers) → the web build.
  exports: {
    '.': { node, default: { types: './web/index.d.ts', default: './web/index.js' } },
    './auto': { node, default: { types: './web/auto.d.ts', default: './web/auto.js' } },
    './bundler': { types: './bundler/index.d.ts', default: './bundler/index.js' },
    './baton_bg.wasm': { types: './web/wasm-path.d.ts', default: './web/baton_bg.wasm' },
    './examples/receiver.mjs': './examples/receiver.mjs',
    ...Object.fromEntries(schemas.map((f) => [`./schema/${f}`, `./schema/${f}`])),
    './package.json': './package.json',
  },
  // For tools that predate `exports`.
  main: './node/index.cjs',
  module: './web/index.js',
  types: './web/index.d.ts',
  files: ['node/', 'web/', 'bundler/', 'schema/', 'examples/', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE'],
  sideEffects: ['./web/auto.js', './web/index.js', './bundler/index.js', './bundler/baton.js', './node/*'],
};
writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

mkdirSync(tarballDir, { recursive: true });
const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', tarballDir], { cwd: out, encoding: 'utf8' });
if (packed.status !== 0) fail(`npm pack failed:\n${packed.stderr}`);
const [info] = JSON.parse(packed.stdout);
const tarball = join(tarballDir, info.filename);
console.log(`[pack] ${tarball}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} KB packed, ${(info.unpackedSize / 1024).toFixed(1)} KB unpacked`);
console.log(`[pack] exports: ${webValues.join(', ')}; types: ${types.join(', ') || '(none)'}`);
