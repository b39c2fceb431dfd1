// Shortens the names the snippet's wasm and its wasm-bindgen glue share, in both files at once.
//
// wasm-bindgen names each import after the JS it calls plus a 16-hex-digit hash
// (`__wbg_setItem_cfa3cb31f271776a`), the closure adapters it exports after their Rust symbol
// (`wasm_bindgen__convert__closures_____invoke__h7abc1b03c048b2b6`), the other exports after the
// Rust items (`tracker_new`). Each name is written twice, in the wasm's import or export section
// and in the glue, and the hashes do not compress: with the two sections below, ~2.4 KB gzip of
// what every site visitor downloads (benches/SIZE.md, step 35).
// The names carry no meaning at run time, only the match between the two files, so they become
// `$0`, `$1`, ... in the wasm's binary and, token for token, in the glue and its type declarations.
//
// Also drops the wasm's `producers` and `target_features` custom sections (tool names and
// versions; feature flags only binaryen reads): nothing reads them at run time. `.ci/build.mjs`
// runs this on the snippet entry right after wasm-pack, before the fallback is translated from the
// same wasm, so the fallback and the glue see the same names.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The glue module the wasm imports from (`--target web`). */
const GLUE_MODULE = './baton_bg.js';
/** Exports read by name outside the glue: the memory, and the externref table, which the
 *  fallback (`.ci/fallback.mjs`, `www/snippet/fallback-runtime.js`) finds by its name. Every
 *  other export is only ever `wasm.NAME` in the glue. */
const KEPT_EXPORTS = new Set(['memory', '__wbindgen_externrefs']);
/** Custom sections nothing reads at run time. */
const DROPPED_SECTIONS = new Set(['producers', 'target_features']);
/** The text files of the output that name the wasm's imports or exports. */
const TEXT_FILES = ['baton.js', 'baton.d.ts', 'baton_bg.wasm.d.ts'];

/** Renames in `<outDir>/baton_bg.wasm` and its glue; returns `[bytes before, bytes after]` of the wasm. */
export function shortenNames(outDir) {
  const wasmPath = join(outDir, 'baton_bg.wasm');
  const before = readFileSync(wasmPath);
  const { wasm, renamed } = rewriteWasm(before);
  writeFileSync(wasmPath, wasm);
  for (const f of TEXT_FILES) {
    const path = join(outDir, f);
    if (existsSync(path)) writeFileSync(path, renameTokens(readFileSync(path, 'utf8'), renamed));
  }
  return [before.length, wasm.length];
}

/** `$0`, `$1`, ... `$z`, `$10`, ...: short, valid JS identifiers, never a wasm-bindgen name. */
function shortName(i) {
  return '$' + i.toString(36);
}

/** Replaces every whole-token occurrence of each old name (identifier characters around it). A new
 *  name already in use would change what an existing token means: refused. */
export function renameTokens(text, renamed) {
  const tokens = /[A-Za-z0-9_$]+/g;
  const fresh = new Set(renamed.values());
  for (const [tok] of text.matchAll(tokens)) {
    if (fresh.has(tok)) throw new Error(`short-names: ${tok} is already a name in the glue`);
  }
  return text.replace(tokens, (tok) => renamed.get(tok) ?? tok);
}

/** The wasm with short import/export names and without the dropped sections; `renamed`: old → new. */
export function rewriteWasm(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('short-names: not a wasm module');
  const renamed = new Map();
  const fresh = (old) => {
    if (!renamed.has(old)) renamed.set(old, shortName(renamed.size));
    return renamed.get(old);
  };
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at];
    const [size, bodyAt] = readU32(bytes, at + 1);
    const body = bytes.subarray(bodyAt, bodyAt + size);
    at = bodyAt + size;
    if (id === 0 && DROPPED_SECTIONS.has(readName(body, 0)[0])) continue;
    if (id === 2) parts.push(section(2, rewriteImports(body, fresh)));
    else if (id === 7) parts.push(section(7, rewriteExports(body, fresh)));
    else parts.push(bytes.subarray(start, at));
  }
  return { wasm: Buffer.concat(parts), renamed };
}

function rewriteImports(body, fresh) {
  const out = [];
  let [count, at] = readU32(body, 0);
  out.push(u32(count));
  for (let i = 0; i < count; i++) {
    const [module, a] = readName(body, at);
    const [field, b] = readName(body, a);
    const descAt = b;
    const descEnd = skipImportDesc(body, descAt);
    out.push(name(module), name(module === GLUE_MODULE ? fresh(field) : field), body.subarray(descAt, descEnd));
    at = descEnd;
  }
  if (at !== body.length) throw new Error('short-names: import section not fully read');
  return Buffer.concat(out);
}

function rewriteExports(body, fresh) {
  const out = [];
  let [count, at] = readU32(body, 0);
  out.push(u32(count));
  for (let i = 0; i < count; i++) {
    const [field, a] = readName(body, at);
    const [, end] = readU32(body, a + 1); // kind byte, then the index
    out.push(name(KEPT_EXPORTS.has(field) ? field : fresh(field)), body.subarray(a, end));
    at = end;
  }
  if (at !== body.length) throw new Error('short-names: export section not fully read');
  return Buffer.concat(out);
}

/** End of one import's description (kind byte and its type). */
function skipImportDesc(b, at) {
  const kind = b[at++];
  if (kind === 0) return readU32(b, at)[1]; // func: type index
  if (kind === 1) return skipLimits(b, at + 1); // table: reftype, limits
  if (kind === 2) return skipLimits(b, at); // memory: limits
  if (kind === 3) return at + 2; // global: valtype, mutability
  if (kind === 4) return readU32(b, at + 1)[1]; // tag: attribute, type index
  throw new Error(`short-names: unknown import kind ${kind}`);
}

function skipLimits(b, at) {
  const flags = b[at++];
  at = readU32(b, at)[1];
  return flags & 1 ? readU32(b, at)[1] : at;
}

function readU32(b, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function readName(b, at) {
  const [len, start] = readU32(b, at);
  return [b.subarray(start, start + len).toString('utf8'), start + len];
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

function name(text) {
  const b = Buffer.from(text, 'utf8');
  return Buffer.concat([u32(b.length), b]);
}

function section(id, body) {
  return Buffer.concat([Buffer.from([id]), u32(body.length), body]);
}
