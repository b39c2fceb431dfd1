// Shared helpers of the benchmark scripts: paths, the generated logs, medians, machine info.

import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { writeLog } from './gen-events.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Generated logs and intermediate results (under target/, which git ignores). */
export const OUT = join(ROOT, 'target', 'bench');
export const MODEL_PATH = join(ROOT, 'benches', 'model30.json');

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** The log of `events` events (seed 42), generated on first use. */
export async function logPath(events, seed = 42) {
  const path = join(OUT, `events-${events}-s${seed}.ndjson`);
  if (!existsSync(path)) {
    mkdirSync(OUT, { recursive: true });
    await writeLog(path, { events, seed });
  }
  return path;
}

/** The nodejs-target wasm package (CommonJS glue). */
export function loadWasm(dir = join(ROOT, 'pkg', 'node')) {
  return createRequire(import.meta.url)(join(resolve(dir), 'baton.js'));
}

export function modelText() {
  return readFileSync(MODEL_PATH, 'utf8');
}

export function machine() {
  const c = cpus();
  let rustc = '';
  try { rustc = execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim(); } catch { /* not installed */ }
  return {
    cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`, node: process.version, rustc,
    loadavg: loadavg().map((x) => x.toFixed(2)).join(' / '),
  };
}

export const fmt = (x, digits = 0) => (x === null || x === undefined || Number.isNaN(x) ? '—'
  : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
