// Prints raw and gzip -9 sizes of every built .wasm and its JS glue (informational, not a test).
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
console.log('build      file                                        raw B    gzip-9 B');
for (const [n, f, raw, gz] of rows) {
  console.log(`${n.padEnd(10)} ${f.padEnd(42)} ${String(raw).padStart(8)} ${String(gz).padStart(10)}`);
}
