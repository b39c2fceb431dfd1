// The dashboard's Web Worker: owns the wasm Workspace so parsing a million events never blocks
// the page. Protocol: { id, method, args } → { id, result } | { id, error }; long imports also
// post { id, progress: { loaded, total, report } } and stop at the next chunk after { cancel: id }.
import init, { Workspace, Engine, calibrate, applyCalibration } from '../pkg-dashboard/baton.js';

const ready = init();
let ws;
const cancelled = new Set();
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
async function readChunks(file, onChunk, id) {
  const reader = file.stream().getReader();
  const decoder = new TextDecoder();
  let loaded = 0;
  let text = '';
  try {
    for (;;) {
      if (cancelled.has(id)) {
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
        await yieldToMessages();
      }
    }
    text += decoder.decode();
    if (text) onChunk(text, loaded);
    return true;
  } finally {
    reader.releaseLock();
  }
}

const methods = {
  summary: () => ws.summary(),
  clear: () => ws.clear(),
  loadSample: (seed, visitors, now) => ws.loadSample(seed, visitors, now),
  sampleData: (seed, visitors, now) => Workspace.sampleData(seed, visitors, now),
  importEvents: (text, format, mapping) => ws.importEvents(text, format, mapping),
  importOutcomes: (csv) => ws.importOutcomes(csv),
  importHandoffs: (jsonl) => ws.importHandoffs(jsonl),
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
  /** Streams a File through the event import, with progress and cancel. */
  async importEventFile(file, format, mapping) {
    const id = this.id;
    ws.beginEvents(format, mapping ?? undefined);
    let last = 0;
    const done = await readChunks(file, (text, loaded) => {
      const report = ws.pushEvents(text);
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        postMessage({ id, progress: { loaded, total: file.size, report } });
      }
    }, id);
    if (!done) {
      ws.cancelEvents();
      return { cancelled: true };
    }
    return ws.finishEvents();
  },
  readFile: async (file) => file.text(),
  /** For the import benchmark: the wasm linear memory (it only grows, so this is its peak). */
  memory: async () => ({ wasmBytes: (await ready).memory.buffer.byteLength, jsHeap: performance.memory?.usedJSHeapSize ?? null }),
};

onmessage = async ({ data }) => {
  if (data.cancel !== undefined) {
    cancelled.add(data.cancel);
    return;
  }
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
};
