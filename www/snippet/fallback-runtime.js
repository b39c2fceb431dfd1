// Not served on its own: `.ci/fallback.mjs` appends this to binaryen's wasm2js translation of the
// snippet's wasm, which defines `asmFunc(imports)`, `TABLE_SIZE` and `TUPLES`, and writes the result
// to `pkg-snippet/baton_fallback.js`. The loader imports that file only where WebAssembly cannot
// run. Nothing here scores anything: it gives the wasm-bindgen glue the translated engine's exports
// in the shape a WebAssembly instance would have.

/* global asmFunc, TABLE_SIZE, TUPLES */

/** What the wasm's externref table was, as a JS array: the imports for the translated code and
 *  the `WebAssembly.Table`-like object the glue reads and writes. */
function externrefTable() {
  const refs = new Array(TABLE_SIZE).fill(undefined);
  const grow = (delta, init) => {
    const old = refs.length;
    for (let i = 0; i < delta; i++) refs.push(init);
    return old;
  };
  return {
    imports: {
      get: (i) => refs[i],
      set: (i, v) => {
        refs[i] = v;
      },
      grow: (init, delta) => grow(delta, init),
      size: () => refs.length,
      fill: (at, v, n) => {
        for (let i = 0; i < n; i++) refs[at + i] = v;
      },
    },
    table: {
      get: (i) => refs[i],
      set: (i, v) => {
        refs[i] = v;
      },
      grow,
      get length() {
        return refs.length;
      },
    },
  };
}

/** The exports of one instance, for the glue's imports object (`{ './baton_bg.js': {...} }`). */
function instantiate(glueImports) {
  const refs = externrefTable();
  const tuples = {};
  // A multi-value return reaches JS as an array; the translated functions build it through these.
  for (const name of TUPLES) tuples[name] = (...values) => values;
  const exports = asmFunc({ ...glueImports, __externrefs: refs.imports, __tuples: tuples });
  exports.__wbindgen_externrefs = refs.table;
  return exports;
}

/**
 * Initialises the wasm-bindgen glue module `glue` (`--target web`) with the translated engine, so
 * `glue.Tracker` works as after `await glue.default()`.
 *
 * NOTE: the glue offers no way to hand it an instance: `initSync({ module })` builds one with the
 * global `WebAssembly.Module` / `WebAssembly.Instance`, which are missing or refuse to compile
 * here. So, for that one synchronous call only, `WebAssembly` is a stand-in whose `Instance` is the
 * translated engine; the page's own value (or its absence) is restored before anything else runs.
 */
export function init(glue) {
  const g = globalThis;
  const own = Object.getOwnPropertyDescriptor(g, 'WebAssembly');
  function Module() {}
  function Instance(_module, imports) {
    this.exports = instantiate(imports);
  }
  Object.defineProperty(g, 'WebAssembly', { value: { Module, Instance }, configurable: true, writable: true });
  try {
    return glue.initSync({ module: new Module() });
  } finally {
    if (own) Object.defineProperty(g, 'WebAssembly', own);
    else delete g.WebAssembly;
  }
}
