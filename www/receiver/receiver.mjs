// The demo handoff receiver: what a team's webhook/CRM intake does with a Baton handoff.
//
// Design goals, before the code:
// - Idempotent receipt: a handoff is keyed by its `handoffId`; a second delivery of the same id is
//   acknowledged (200) and not stored again, so a snippet that retries after a lost response is safe.
// - Nothing stored that does not match the payload schema (400 with every problem listed).
// - Durable enough for a demo: accepted handoffs are appended to a JSONL file and read back on start.
// - Faults on demand, so browser tests can prove the snippet's retries: a failure rate, hangs,
//   Retry-After, dropped connections; set by constructor options or `POST /api/faults`.
// - No framework: `handle(req, res)` plugs into any `node:http` server and returns true when the
//   request was one of its routes.

import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft7 from 'ajv';

/** Largest body accepted: a handoff with its ledger and history is a few KB; this is generous. */
const MAX_BODY_BYTES = 256 * 1024;
/** A hung request is released after this long at most, so a test server can always close. */
const DEFAULT_HANG_MS = 30_000;

/** Fault settings; every rate is a probability in [0, 1] applied per POST /api/handoff. */
const NO_FAULTS = Object.freeze({
  failRate: 0, // answer 503 without storing
  failStatus: 503, // the status a "fail" answers with (e.g. 500, 429)
  hangRate: 0, // store the handoff, then never answer (the client must time out and retry)
  hangMs: DEFAULT_HANG_MS, // how long a hung request is held before its socket is destroyed
  dropRate: 0, // destroy the connection before reading it (nothing stored)
  retryAfter: null, // seconds; when set, "fail" answers carry a Retry-After header
  rejectRate: 0, // answer a permanent 422 (the snippet must give up on it)
});

function pickFaults(input, base = NO_FAULTS) {
  const out = { ...base };
  if (!input || typeof input !== 'object') return out;
  for (const key of Object.keys(NO_FAULTS)) {
    if (!(key in input)) continue;
    const v = input[key];
    if (key === 'retryAfter') out[key] = v == null ? null : Number(v);
    else if (Number.isFinite(Number(v))) out[key] = Number(v);
  }
  return out;
}

function makeValidator(schemaPath) {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  const draft2020 = String(schema.$schema || '').includes('2020-12');
  const Ajv = draft2020 ? Ajv2020.default || Ajv2020 : AjvDraft7.default || AjvDraft7;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

/** Model hashes the receiver knows (for the inbox's "model known" column): `modelsDir/*.json`. */
async function loadModelHashes(modelsDir) {
  const known = new Map();
  if (!modelsDir || !existsSync(modelsDir)) return known;
  let Engine;
  try {
    ({ Engine } = await import('../../pkg/node/baton.js'));
  } catch {
    return known; // the Node package is not built: the column just stays empty
  }
  for (const name of readdirSync(modelsDir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const model = JSON.parse(readFileSync(join(modelsDir, name), 'utf8'));
      const engine = new Engine(model);
      known.set(engine.modelHash, name);
      engine.free?.();
    } catch {
      // not a valid model: not "known"
    }
  }
  return known;
}

/**
 * `verifyHandoff` (the Node build) over the models in `modelsDir`, picked by the payload's model
 * hash: `(handoff) => verdict`, or null when the receiver has no model with that hash.
 */
async function loadVerifier(modelsDir) {
  const models = new Map();
  let baton = null;
  try {
    baton = await import('../../pkg/node/baton.js');
  } catch {
    // the Node package is not built: nothing can be verified
  }
  if (baton && modelsDir && existsSync(modelsDir)) {
    for (const name of readdirSync(modelsDir).filter((n) => n.endsWith('.json'))) {
      try {
        const model = JSON.parse(readFileSync(join(modelsDir, name), 'utf8'));
        models.set(new baton.Engine(model).modelHash, model);
      } catch {
        // not a valid model
      }
    }
  }
  return (handoff) => {
    const model = models.get(handoff?.model?.hash);
    return model ? baton.verifyHandoff(handoff, model) : null;
  };
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      // Past the limit the rest is read and dropped, so the client gets a clean 413 answer.
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      if (size > limit) reject(Object.assign(new Error(`body larger than ${limit} bytes`), { status: 413 }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'cache-control': 'no-store',
    // The snippet posts cross-origin from real sites with a CORS-simple request; a read of the
    // response needs this header (it is never preflighted).
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

/**
 * Create a receiver.
 * Payloads naming a model in `modelsDir` are re-scored with `verifyHandoff` and refused (422, with
 * the reasons) when they do not match; `requireKnownModel` also refuses models it does not have.
 * @param {{ dataFile: string, schemaPath: string, modelsDir?: string, faults?: object,
 *           random?: () => number, requireKnownModel?: boolean }} options
 */
export function createReceiver({ dataFile, schemaPath, modelsDir, faults, random = Math.random, requireKnownModel = false }) {
  if (!dataFile) throw new Error('createReceiver: dataFile is required');
  if (!schemaPath) throw new Error('createReceiver: schemaPath is required');
  // Compiled on first use, so a server can start (and serve the site) before the schema exists.
  let compiled = null;
  const validator = () => (compiled ??= makeValidator(schemaPath));
  mkdirSync(dirname(dataFile), { recursive: true });

  /** handoffId → record { handoffId, receivedAt, deliveries, handoff } in arrival order. */
  const records = new Map();
  if (existsSync(dataFile)) {
    for (const line of readFileSync(dataFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line);
        if (rec && typeof rec.handoffId === 'string' && !records.has(rec.handoffId)) {
          records.set(rec.handoffId, { ...rec, deliveries: 1 });
        }
      } catch {
        // a torn last line after a crash: skip it, keep the rest
      }
    }
  }

  let current = pickFaults(faults);
  const stats = { posts: 0, accepted: 0, duplicates: 0, invalid: 0, faulted: 0 };
  const hung = new Set();
  let knownModels = new Map();
  const modelsReady = loadModelHashes(modelsDir).then((m) => (knownModels = m));
  const verifierReady = loadVerifier(modelsDir);

  function accept(handoff) {
    const id = handoff.handoffId;
    const existing = records.get(id);
    if (existing) {
      existing.deliveries += 1;
      stats.duplicates += 1;
      return { status: 200, body: { status: 'duplicate', handoffId: id } };
    }
    const rec = { handoffId: id, receivedAt: new Date().toISOString(), handoff };
    appendFileSync(dataFile, JSON.stringify(rec) + '\n');
    records.set(id, { ...rec, deliveries: 1 });
    stats.accepted += 1;
    return { status: 202, body: { status: 'accepted', handoffId: id } };
  }

  function hang(req, res) {
    hung.add(res);
    const timer = setTimeout(() => {
      hung.delete(res);
      req.socket.destroy();
    }, current.hangMs);
    res.on('close', () => {
      clearTimeout(timer);
      hung.delete(res);
    });
  }

  async function postHandoff(req, res) {
    stats.posts += 1;
    const f = current;
    if (f.dropRate > 0 && random() < f.dropRate) {
      stats.faulted += 1;
      req.socket.destroy();
      return;
    }
    let text;
    try {
      text = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      send(res, e.status || 400, { status: 'invalid', errors: [e.message] });
      return;
    }
    if (f.failRate > 0 && random() < f.failRate) {
      stats.faulted += 1;
      const headers = f.retryAfter != null ? { 'retry-after': String(f.retryAfter) } : {};
      send(res, f.failStatus, { status: 'unavailable' }, headers);
      return;
    }
    if (f.rejectRate > 0 && random() < f.rejectRate) {
      stats.faulted += 1;
      send(res, 422, { status: 'rejected', errors: ['rejected by fault injection'] });
      return;
    }
    let handoff;
    try {
      handoff = JSON.parse(text);
    } catch (e) {
      stats.invalid += 1;
      send(res, 400, { status: 'invalid', errors: [`body is not JSON: ${e.message}`] });
      return;
    }
    let validate;
    try {
      validate = validator();
    } catch (e) {
      send(res, 503, { status: 'unavailable', errors: [`payload schema unreadable: ${e.message}`] });
      return;
    }
    if (!validate(handoff)) {
      stats.invalid += 1;
      const errors = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
      send(res, 400, { status: 'invalid', errors });
      return;
    }
    // A browser can post anything: re-score before trusting (422 is final for the snippet).
    const verdict = (await verifierReady)(handoff);
    if (verdict ? !verdict.ok : requireKnownModel) {
      stats.invalid += 1;
      const errors = verdict
        ? verdict.mismatches.map((m) => `${m.field}: ${m.reason}`)
        : [`model.hash: no model ${handoff.model?.hash} here to verify against`];
      send(res, 422, { status: 'rejected', errors });
      return;
    }
    const out = accept(handoff);
    if (f.hangRate > 0 && random() < f.hangRate) {
      // Stored, but the answer never comes: the snippet times out, retries, and the retry must
      // come back as a duplicate of the same handoffId.
      stats.faulted += 1;
      hang(req, res);
      return;
    }
    send(res, out.status, out.body);
  }

  async function postFaults(req, res) {
    let body;
    try {
      body = JSON.parse((await readBody(req, 16 * 1024)) || '{}');
    } catch (e) {
      send(res, 400, { status: 'invalid', errors: [e.message] });
      return;
    }
    current = pickFaults(body, body && body.reset ? NO_FAULTS : current);
    send(res, 200, current);
  }

  function list() {
    return [...records.values()].map((r) => ({
      ...r,
      modelKnown: knownModels.size ? knownModels.has(r.handoff?.model?.hash) : null,
    }));
  }

  /** Route one request; returns true when it was a receiver route. */
  function handle(req, res) {
    const path = new URL(req.url, 'http://x').pathname;
    const run = (fn) => {
      fn(req, res).catch((e) => send(res, 500, { status: 'error', errors: [String(e?.message || e)] }));
      return true;
    };
    if (path === '/api/handoff') {
      if (req.method === 'POST') return run(postHandoff);
      if (req.method === 'OPTIONS') {
        send(res, 204, '', {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        });
        return true;
      }
      send(res, 405, { status: 'method not allowed' }, { allow: 'POST' });
      return true;
    }
    if (path === '/api/handoffs' && req.method === 'GET') {
      send(res, 200, list());
      return true;
    }
    if (path === '/api/faults') {
      if (req.method === 'POST') return run(postFaults);
      if (req.method === 'GET') {
        send(res, 200, current);
        return true;
      }
    }
    if (path === '/api/receiver/stats' && req.method === 'GET') {
      send(res, 200, { ...stats, stored: records.size });
      return true;
    }
    return false;
  }

  return {
    handle,
    /** Accepted handoffs, in arrival order, each with its delivery count. */
    handoffs: list,
    stats: () => ({ ...stats, stored: records.size }),
    get faults() {
      return { ...current };
    },
    setFaults(f) {
      current = pickFaults(f, f && f.reset ? NO_FAULTS : current);
      return { ...current };
    },
    /** Resolves once `modelsDir` has been read (no-op without one). */
    ready: () => modelsReady,
    /** Release hung requests (call before closing the HTTP server). */
    close() {
      for (const res of hung) res.socket?.destroy();
      hung.clear();
    },
  };
}
