// Prints raw and gzip -9 sizes of every built .wasm and its JS glue, and what a site visitor
// downloads for the snippet: the embed code, the minified loader, glue and wasm (informational,
// not a test).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse } from 'smol-toml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const matrix = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8')).build ?? [];
const rows = [];
for (const entry of matrix) {
  const dir = join(root, entry['out-dir']);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.wasm') || f.endsWith('.js')).sort()) {
    const bytes = readFileSync(join(dir, f));
    rows.push([entry.name, relative(root, join(dir, f)), bytes.length, gzipSync(bytes, { level: 9 }).length]);
  }
}
// The snippet as shipped: the embed's inline <script>, the minified loader (`.ci/minify-snippet.mjs`),
// and the snippet build's glue (minified in place) and wasm listed above.
const snippet = matrix.find((b) => b.name === 'snippet');
const loader = join(root, 'www/snippet/baton.min.js');
if (snippet && existsSync(loader)) {
  const html = readFileSync(join(root, 'www/snippet/embed.html'), 'utf8');
  const embed = Buffer.from(html.slice(html.indexOf('<script>'), html.indexOf('</script>') + '</script>'.length));
  rows.push(['snippet', 'www/snippet/embed.html (inline <script>)', embed.length, gzipSync(embed, { level: 9 }).length]);
  const bytes = readFileSync(loader);
  rows.push(['snippet', relative(root, loader), bytes.length, gzipSync(bytes, { level: 9 }).length]);
  const shipped = rows.filter(([n]) => n === 'snippet');
  rows.push(['snippet', 'total a visitor downloads', shipped.reduce((s, r) => s + r[2], 0), shipped.reduce((s, r) => s + r[3], 0)]);
}
console.log('build      file                                        raw B    gzip-9 B');
for (const [n, f, raw, gz] of rows) {
  console.log(`${n.padEnd(10)} ${f.padEnd(42)} ${String(raw).padStart(8)} ${String(gz).padStart(10)}`);
}
