// The dashboard's Web Worker: owns the wasm Workspace so parsing a million events never blocks
// the page. Protocol: { id, method, args } → { id, result } | { id, error }; long imports also
// post { id, progress: { loaded, total, report } } and stop at the next chunk after { cancel: id }.
//
// Calls that read or change the workspace run one at a time, in the order they arrived: a
// `leads` or `clear` sent while an import is streaming waits for the import to end instead of
// answering from (or wiping) a half-filled store. Calls that do not touch it (validate,
// calibrate, ...) answer at once.
import init, { Workspace, Engine, calibrate, applyCalibration } from '../pkg-dashboard/baton.js';

const ready = init();
let ws;
const cancelled = new Set();

/**
 * What the workspace holds, in the order it was added, so it can be rebuilt without one import
 * (the store has no per-import delete): `{ entry, kind, args, bytes }`. Files are kept as `File`
 * references (no copy: they are read again from disk on a rebuild); `bytes` is the prefix a
 * cancelled import had fed.
 */
let journal = [];
let nextEntry = 1;
function record(kind, args, bytes = null) {
  const entry = nextEntry++;
  journal.push({ entry, kind, args, bytes });
  return entry;
}
const CHUNK = 1 << 20; // ~1 MiB of text per wasm call: progress every few tens of ms, bounded copies.

/**
 * Lets queued messages (a `{ cancel }`) run. Awaiting a stream read is not enough: data already
 * buffered resolves as a microtask, and the whole file can go through before the message gets a
 * turn. A MessageChannel round trip is a real task, without setTimeout's 4 ms clamp.
 */
function yieldToMessages() {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/**
 * Streams `file` as text to `onChunk(text, bytesRead)` in pieces of about CHUNK bytes
 * (`File.stream()`, decoded incrementally so a character split across reads stays whole).
 * After each piece the worker's event loop runs, so a `{ cancel }` message lands; returns false
 * when the import was cancelled.
 */
async function readChunks(file, onChunk, id, { partial = false } = {}) {
  const reader = file.stream().getReader();
  const decoder = new TextDecoder();
  let loaded = 0;
  let text = '';
  try {
    for (;;) {
      if (id !== undefined && cancelled.has(id)) {
        await reader.cancel();
        return false;
      }
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (text.length >= CHUNK) {
        onChunk(text, loaded);
        text = '';
        if (id !== undefined) await yieldToMessages();
      }
    }
    // A cancelled import's prefix is replayed as it was fed: without the decoder's tail.
    if (!partial) text += decoder.decode();
    if (text) onChunk(text, loaded);
    return true;
  } finally {
    reader.releaseLock();
  }
}

/** Adds one journal entry's data to `target` again, exactly as it was added the first time. */
async function replay(target, { kind, args, bytes }) {
  if (kind === 'sample') target.loadSample(...args);
  else if (kind === 'events') target.importEvents(...args);
  else if (kind === 'outcomes') target.importOutcomes(...args);
  else if (kind === 'handoffs') target.importHandoffs(...args);
  else if (kind === 'eventFile') {
    const [file, format, mapping, options] = args;
    target.beginEvents(format, mapping ?? undefined, options);
    try {
      await readChunks(bytes === null ? file : file.slice(0, bytes), (text) => target.pushEvents(text), undefined, { partial: bytes !== null });
    } catch (err) {
      target.cancelEvents();
      throw new Error(`${file.name} can no longer be read (${err.message || err.name}); it was moved, changed or deleted`);
    }
    if (bytes === null) target.finishEvents();
    else target.cancelEvents();
  }
}

/**
 * Drops one import: rebuilds the workspace from every other journal entry, in order, and swaps
 * it in only when that worked (otherwise the data stays as it was and the error says why).
 */
async function withoutEntry(entry) {
  if (!journal.some((e) => e.entry === entry)) throw new Error('that import is no longer in the data (it was cleared or replaced since)');
  const before = ws.summary().events;
  const rest = journal.filter((e) => e.entry !== entry);
  const fresh = new Workspace();
  try {
    for (const e of rest) await replay(fresh, e);
  } catch (err) {
    fresh.free();
    throw new Error(`could not remove the import, nothing was changed: ${err.message}`);
  }
  ws.free();
  ws = fresh;
  journal = rest;
  return { removed: before - ws.summary().events, summary: ws.summary() };
}

const methods = {
  summary: () => ws.summary(),
  clear: () => {
    journal = [];
    return ws.clear();
  },
  loadSample: (seed, visitors, now) => {
    const r = ws.loadSample(seed, visitors, now);
    journal = [];
    record('sample', [seed, visitors, now]);
    return r;
  },
  sampleData: (seed, visitors, now) => Workspace.sampleData(seed, visitors, now),
  importEvents: (text, format, mapping) => {
    // The engine reads no clock: rows more than a day in the future, or in epoch seconds, are
    // bad rows against this one (recorded, so a rebuild checks against the same time).
    const options = { now: Date.now() };
    const r = ws.importEvents(text, format, mapping, options);
    record('events', [text, format, mapping, options]);
    return r;
  },
  importOutcomes: (csv) => {
    const r = ws.importOutcomes(csv);
    // Outcomes replace the previous ones: only the newest text is needed to rebuild.
    journal = journal.filter((e) => e.kind !== 'outcomes');
    record('outcomes', [csv]);
    return r;
  },
  importHandoffs: (jsonl) => {
    const r = ws.importHandoffs(jsonl);
    record('handoffs', [jsonl]);
    return r;
  },
  /** Removes the events one import added (a cancelled one's kept prefix): `{ removed, summary }`. */
  undoImport: (entry) => withoutEntry(entry),
  leads: (model, asOf, query) => ws.leads(model, asOf, query),
  leadDetail: (model, asOf, id) => ws.leadDetail(model, asOf, id),
  funnel: (model, asOf) => ws.funnel(model, asOf),
  sla: (model, asOf, minutes) => ws.sla(model, asOf, minutes ?? undefined),
  rejected: (model, asOf) => ws.rejected(model, asOf),
  histogram: (model, asOf, bins) => ws.histogram(model, asOf, bins),
  backtest: (current, candidate, asOf, options) => ws.backtest(current, candidate, asOf, options),
  /**
   * Learns points from a lead table, posting `{ id, progress: { stage, done, total } }` as it goes.
   * The engine cannot stop mid-fit: the Calibrate view runs this in a worker of its own and
   * terminates it to cancel.
   */
  calibrate(csv, options) {
    const { id } = this;
    return calibrate(csv, options, (progress) => postMessage({ id, progress }));
  },
  applyCalibration: (model, fragment) => applyCalibration(model, fragment),
  validate: (model) => {
    const problems = Engine.validate(model);
    let hash = null;
    if (problems.length === 0) {
      const engine = new Engine(model);
      hash = engine.modelHash;
      engine.free();
    }
    return { problems, hash };
  },
  /**
   * Streams a File through the event import, with progress and cancel. The result carries
   * `entry` (for `undoImport`); a cancelled import returns `{ cancelled, kept, loaded, total,
   * report }`: the events it added from the first `loaded` bytes, which stay until undone.
   */
  async importEventFile(file, format, mapping) {
    const id = this.id;
    const before = ws.summary().events;
    // As in `importEvents`: rows are checked against this clock, recorded with the import.
    const options = { now: Date.now() };
    ws.beginEvents(format, mapping ?? undefined, options);
    let last = 0;
    let fed = 0;
    let report = null;
    let done;
    try {
      done = await readChunks(file, (text, loaded) => {
        report = ws.pushEvents(text);
        fed = loaded;
        const now = performance.now();
        if (now - last > 100) {
          last = now;
          postMessage({ id, progress: { loaded, total: file.size, report } });
        }
      }, id);
    } catch (err) {
      // The chunks fed so far stay (as on cancel); the journal must know them to rebuild exactly.
      ws.cancelEvents();
      if (fed) record('eventFile', [file, format, mapping, options], fed);
      throw err;
    }
    if (!done) {
      ws.cancelEvents();
      const kept = ws.summary().events - before;
      const entry = record('eventFile', [file, format, mapping, options], fed);
      return { cancelled: true, entry, kept, loaded: fed, total: file.size, report };
    }
    const result = ws.finishEvents();
    result.entry = record('eventFile', [file, format, mapping, options]);
    return result;
  },
  readFile: async (file) => file.text(),
  /** For the import benchmark: the wasm linear memory (it only grows, so this is its peak). */
  memory: async () => ({ wasmBytes: (await ready).memory.buffer.byteLength, jsHeap: performance.memory?.usedJSHeapSize ?? null }),
};

/** Methods that never read or change the workspace: they need not wait for an import. */
const UNQUEUED = new Set(['validate', 'sampleData', 'calibrate', 'applyCalibration', 'readFile', 'memory']);
let queue = Promise.resolve();

onmessage = ({ data }) => {
  if (data.cancel !== undefined) {
    cancelled.add(data.cancel);
    return;
  }
  if (UNQUEUED.has(data.method)) handle(data);
  else queue = queue.then(() => handle(data));
};

async function handle(data) {
  const { id, method, args = [] } = data;
  try {
    await ready;
    ws ??= new Workspace();
    const fn = methods[method];
    if (!fn) throw new Error(`unknown method ${method}`);
    const result = await fn.call({ id }, ...args);
    postMessage({ id, result });
  } catch (err) {
    postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    cancelled.delete(id);
  }
}
