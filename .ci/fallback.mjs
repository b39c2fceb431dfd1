// The snippet's no-WebAssembly fallback: the snippet's own wasm (www/pkg-snippet/baton_bg.wasm)
// translated to JavaScript by binaryen's wasm2js, so a page whose Content-Security-Policy blocks
// WebAssembly (or a browser without it) still runs the same engine. Never a hand-written scorer.
//
// wasm2js cannot take the wasm-bindgen output as it is, so the wasm is adapted first, in its text
// form (binaryen prints it, binaryen reads it back):
// - A second table (wasm-bindgen's externref table, exported as `__wbindgen_externrefs`): wasm2js
//   supports one table only. Its `table.*` instructions become calls to imports backed by a JS
//   array (www/snippet/fallback-runtime.js), which also stands in for the exported table.
// - Multi-value returns (wasm-bindgen's export wrappers return `(i32 i32 i32)`, which JS sees as an
//   array): wasm2js cannot return tuples, so each such function returns one externref built by an
//   import that makes the very array the glue expects.
// - Non-trapping float-to-int, sign-extension and bulk-memory instructions: lowered to MVP by
//   binaryen's own passes (wasm2js's i64 lowering does not handle `i64.trunc_sat_*`).
// Then `wasm2js -Oz`, the module's static imports swapped for an `instantiate(imports)` function,
// the runtime appended, and esbuild's minifier.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minifyJs } from './minify-snippet.mjs';

const FEATURES = [
  '--enable-reference-types',
  '--enable-multivalue',
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-mutable-globals',
];
const LOWER = ['--llvm-nontrapping-fptoint-lowering', '--signext-lowering', '--llvm-memory-copy-fill-lowering'];

/**
 * Writes `<outDir>/baton_fallback.js` from `<outDir>/baton_bg.wasm`. Returns its path.
 * `dev`: no optimisation and no minification (faster, larger).
 */
export function buildFallback({ root, outDir, dev = false }) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  const tmp = mkdtempSync(join(tmpdir(), 'baton-fallback-'));
  try {
    const wat = join(tmp, 'baton.wat');
    run(bin('wasm-dis'), [...FEATURES, join(outDir, 'baton_bg.wasm'), '-o', wat]);
    const adapted = adapt(readFileSync(wat, 'utf8'));
    writeFileSync(wat, adapted.text);
    const lowered = join(tmp, 'lowered.wasm');
    run(bin('wasm-opt'), [...FEATURES, ...LOWER, wat, '-o', lowered]);
    const js = join(tmp, 'baton.js');
    run(bin('wasm2js'), ['--enable-reference-types', '--enable-mutable-globals', ...(dev ? [] : ['-Oz']), lowered, '-o', js]);
    let code = asFactory(readFileSync(js, 'utf8'));
    const runtime = readFileSync(join(root, 'www', 'snippet', 'fallback-runtime.js'), 'utf8');
    code += `\nconst TABLE_SIZE = ${adapted.tableSize};\nconst TUPLES = ${JSON.stringify(adapted.tuples)};\n${runtime}`;
    if (!dev) code = minifyJs(code, { format: 'esm', target: 'es2020', legalComments: 'none' });
    const out = join(outDir, 'baton_fallback.js');
    writeFileSync(out, code);
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** The externref table and the multi-value returns rewritten into imports (see the top). */
function adapt(text) {
  const exported = text.match(/\n \(export "__wbindgen_externrefs" \(table (\$\S+)\)\)/);
  if (!exported) throw new Error('fallback: no exported `__wbindgen_externrefs` table in the wasm');
  const table = exported[1];
  const esc = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const decl = text.match(new RegExp(`\\n \\(table ${esc} (\\d+) (?:\\d+ )?externref\\)`));
  if (!decl) throw new Error(`fallback: table ${table} is not an externref table`);
  text = text.replace(exported[0], '').replace(decl[0], '');
  text = text.replace(new RegExp(`\\((table\\.(?:get|set|grow|size|fill)) ${esc}(?=[\\s)])`, 'g'), (_, op) => `(call $__${op.replace('.', '_')}`);
  const left = text.match(new RegExp(`\\((?:table\\.\\w+|call_indirect|table) ${esc}(?=[\\s)])`));
  if (left) throw new Error(`fallback: unhandled use of the externref table: ${left[0]}`);

  const tuples = new Map();
  let current = null;
  const lines = text.split('\n').map((line) => {
    if (line.startsWith(' (func ')) {
      current = null;
      const m = line.match(/^ \(func (\$\S+)(?: \(type \$\S+\))?(.*) \(result ([a-z0-9]+(?: [a-z0-9]+)+)\)$/);
      if (!m) return line;
      const types = m[3].split(' ');
      current = `$__tuple_${types.join('_')}`;
      tuples.set(current, types);
      return ` (func ${m[1]}${m[2]} (result externref)`;
    }
    if (line.startsWith(' (import ') && /\(result [a-z0-9]+ [a-z0-9]+/.test(line)) {
      throw new Error(`fallback: an import returns several values: ${line.trim()}`);
    }
    if (line.includes('tuple.')) {
      if (current && /^\s*\(tuple\.make \d+$/.test(line)) return line.replace(/\(tuple\.make \d+/, `(call ${current}`);
      throw new Error(`fallback: unhandled multi-value code: ${line.trim()}`);
    }
    return line;
  });
  const imports = [
    ` (import "__externrefs" "get" (func $__table_get (param i32) (result externref)))`,
    ` (import "__externrefs" "set" (func $__table_set (param i32 externref)))`,
    ` (import "__externrefs" "grow" (func $__table_grow (param externref i32) (result i32)))`,
    ` (import "__externrefs" "size" (func $__table_size (result i32)))`,
    ` (import "__externrefs" "fill" (func $__table_fill (param i32 externref i32)))`,
    ...[...tuples].map(([name, types]) => ` (import "__tuples" "${name.slice(1)}" (func ${name} (param ${types.join(' ')}) (result externref)))`),
  ];
  const start = lines.findIndex((l) => l === '(module' || l.startsWith('(module $'));
  if (start < 0) throw new Error('fallback: unexpected text format (no `(module` line)');
  lines.splice(start + 1, 0, ...imports);
  return { text: lines.join('\n'), tableSize: Number(decl[1]), tuples: [...tuples.keys()].map((n) => n.slice(1)) };
}

/**
 * wasm2js writes an ES module that imports its imports statically and instantiates at load. The
 * fallback needs the glue's imports object at run time: keep `asmFunc(imports)` and drop the rest.
 */
function asFactory(code) {
  const head = code.match(/^(import \* as \S+ from '[^']*';\n)+/);
  const tail = code.indexOf('\nvar retasmFunc = asmFunc(');
  if (!head || tail < 0) throw new Error('fallback: unexpected wasm2js output shape');
  code = code.slice(head[0].length, tail + 1);
  // Memory growth copies into a new ArrayBuffer. The glue caches views of `memory.buffer` and,
  // as with a real wasm memory, notices growth by the old buffer being detached: detach it
  // (`transfer` where it exists; a transferring structured clone moves it elsewhere).
  const grow = '   buffer = newBuffer;\n';
  if (code.split(grow).length !== 2) throw new Error('fallback: wasm2js memory growth not found');
  const detach = '   if (buffer.transfer) buffer.transfer(0); else structuredClone(buffer, { transfer: [buffer] });\n';
  return code.replace(grow, detach + grow);
}
