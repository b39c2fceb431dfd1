// The snippet build's name shortening (.ci/short-names.mjs) on a hand-made module: the renamed
// wasm still validates and runs with the renamed imports, only the glue's names change, and the
// glue's text is renamed token for token. The real snippet is covered end to end by the browser
// tests (tests/browser/snippet*.test.mjs), which load the renamed wasm, glue and fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteWasm, renameTokens } from '../../.ci/short-names.mjs';

const bytes = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
const str = (s) => bytes([Buffer.byteLength(s)], Buffer.from(s));
const section = (id, ...body) => {
  const b = bytes(...body);
  assert.ok(b.length < 128, 'one-byte section sizes only');
  return bytes([id, b.length], b);
};
const custom = (name, payload) => section(0, str(name), payload);

/** `run()` = `add(keep(), 2)`, `add` from the glue module, `keep` from another one. */
const MODULE = bytes(
  [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  custom('producers', [1, 2, 3]),
  section(1, [2], [0x60, 2, 0x7f, 0x7f, 1, 0x7f], [0x60, 0, 1, 0x7f]),
  section(2, [2], str('./baton_bg.js'), str('__wbg_add_0123456789abcdef'), [0, 0], str('env'), str('keep'), [0, 1]),
  section(3, [1, 1]),
  section(5, [1, 0, 1]),
  section(7, [3], str('memory'), [2, 0], str('run'), [0, 2], str('__wbindgen_externrefs'), [0, 2]),
  section(10, [1, 8, 0, 0x10, 1, 0x41, 2, 0x10, 0, 0x0b]),
  custom('target_features', [0]),
  custom('kept', [9]),
);

test('the renamed module runs with the renamed imports; other modules and kept exports keep their names', () => {
  assert.ok(WebAssembly.validate(MODULE));
  const { wasm, renamed } = rewriteWasm(MODULE);
  assert.deepEqual([...renamed], [['__wbg_add_0123456789abcdef', '$0'], ['run', '$1']]);
  const module = new WebAssembly.Module(wasm);
  assert.deepEqual(
    WebAssembly.Module.imports(module).map((i) => `${i.module} ${i.name}`),
    ['./baton_bg.js $0', 'env keep'],
  );
  assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name), ['memory', '$1', '__wbindgen_externrefs']);
  // What nothing reads at run time is gone; any other custom section stays.
  assert.equal(WebAssembly.Module.customSections(module, 'producers').length, 0);
  assert.equal(WebAssembly.Module.customSections(module, 'target_features').length, 0);
  assert.equal(WebAssembly.Module.customSections(module, 'kept').length, 1);
  const { exports } = new WebAssembly.Instance(module, {
    './baton_bg.js': { $0: (a, b) => a * 10 + b },
    env: { keep: () => 4 },
  });
  assert.equal(exports.$1(), 42);
  // Shorter by the names' bytes and the two dropped sections, nothing else.
  const saved = ('__wbg_add_0123456789abcdef'.length - 2) + ('run'.length - 2) + (2 + 'producers'.length + 1 + 3) + (2 + 'target_features'.length + 1 + 1);
  assert.equal(MODULE.length - wasm.length, saved);
});

test('the glue is renamed whole token by whole token', () => {
  const renamed = new Map([['__wbg_add_0123456789abcdef', '$0'], ['run', '$1']]);
  const glue = 'const i = { __wbg_add_0123456789abcdef: function(a, b) { return a + b; } };\n'
    + 'wasm.run(); wasm.run_fast(); x.__wbg_add_0123456789abcdefg; `${run}`';
  assert.equal(
    renameTokens(glue, renamed),
    'const i = { $0: function(a, b) { return a + b; } };\n'
      + 'wasm.$1(); wasm.run_fast(); x.__wbg_add_0123456789abcdefg; `${$1}`',
  );
  // A new name the text already uses would change what that token means: refused.
  assert.throws(() => renameTokens('let $1 = 2; wasm.run();', renamed), /\$1 is already a name/);
});

test('a file that is not wasm is refused', () => {
  assert.throws(() => rewriteWasm(Buffer.from('not wasm at all')), /not a wasm module/);
});
