// Promise wrapper around the Worker: `call('funnel', model, asOf)`; `task(...)` for cancellable
// long calls with progress.
let nextId = 1;
const pending = new Map();
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

worker.onmessage = ({ data }) => {
  const p = pending.get(data.id);
  if (!p) return;
  if (data.progress) {
    p.onProgress?.(data.progress);
    return;
  }
  pending.delete(data.id);
  if ('error' in data) p.reject(new Error(data.error));
  else p.resolve(data.result);
};

worker.onerror = (e) => {
  for (const p of pending.values()) p.reject(new Error(e.message || 'worker failed'));
  pending.clear();
};

export function call(method, ...args) {
  return task(method, args).promise;
}

/** Starts a call; returns `{ promise, cancel() }`. */
export function task(method, args, onProgress) {
  const id = nextId++;
  const promise = new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, method, args });
  });
  return { promise, cancel: () => worker.postMessage({ cancel: id }) };
}
