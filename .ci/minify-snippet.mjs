// Minifies the JavaScript every site visitor downloads (esbuild, a devDependency). The readable
// loader stays the source in the repository; what ships is built from it:
//
//   www/snippet/baton.js      → www/snippet/baton.min.js   the loader the embed code's `src` names
//   www/pkg-snippet/baton.js  → minified in place          the wasm-bindgen glue (a build output)
//
// `.ci/build.mjs` runs this after building the snippet entry; on its own: `node .ci/minify-snippet.mjs`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const FILES = [
  // The loader must still parse where it is about to give up (no WebAssembly): never let the
  // minifier introduce syntax newer than the source's own (async functions, `import()`).
  { from: 'www/snippet/baton.js', to: 'www/snippet/baton.min.js', target: 'es2017', format: undefined },
  // The glue only runs where the wasm does (reference types, multi-value): ES2020 is a floor.
  // wasm-bindgen's own bookkeeping properties, read and written only inside the glue (a Tracker's
  // pointer, its release, a closure's release), are renamed too: esbuild leaves properties alone.
  {
    from: 'www/pkg-snippet/baton.js',
    to: 'www/pkg-snippet/baton.js',
    target: 'es2020',
    format: 'esm',
    mangleProps: /^(__wbg_ptr|__destroy_into_raw|_wbg_cb_unref)$/,
  },
];

/** Writes the minified files; returns `[path, bytes before, bytes after]` per file. */
export function minifySnippet(root) {
  const out = [];
  for (const f of FILES) {
    const src = join(root, f.from);
    if (!existsSync(src)) throw new Error(`${f.from} is missing (build the snippet entry first)`);
    const code = readFileSync(src, 'utf8');
    const min = minifyJs(code, { target: f.target, format: f.format, sourcefile: f.from, mangleProps: f.mangleProps });
    writeFileSync(join(root, f.to), min);
    out.push([f.to, Buffer.byteLength(code), Buffer.byteLength(min)]);
  }
  return out;
}

/** One minifier for everything the snippet ships (also the wasm2js fallback, `.ci/fallback.mjs`). */
export function minifyJs(code, { target, format, sourcefile, legalComments, mangleProps } = {}) {
  return transformSync(code, { minify: true, target, format, sourcefile, legalComments, mangleProps }).code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [path, before, after] of minifySnippet(resolve(dirname(fileURLToPath(import.meta.url)), '..'))) {
    console.log(`[minify] ${path}: ${before} → ${after} B`);
  }
}
