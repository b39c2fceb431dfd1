// A browser app bundled by esbuild. esbuild does not rewrite `new URL(..., import.meta.url)`, so
// the wasm is imported as a file (`--loader:.wasm=file` copies it beside the bundle and yields its
// path relative to the bundle) and handed to init().
import init, { Engine, verifyHandoff } from 'baton';
import wasmPath from 'baton/baton_bg.wasm';

const out = document.querySelector('#result');
try {
  await init(new URL(wasmPath, import.meta.url));
  const { model, events, asOf } = await (await fetch('./input.json')).json();
  const engine = new Engine(model);
  const handoffs = [];
  for (const event of events) handoffs.push(...engine.ingest(event, Date.parse(event.timestamp)).handoffs);
  const result = {
    modelHash: engine.modelHash,
    score: engine.score(asOf),
    explanation: engine.explain(asOf),
    handoffs,
    verified: handoffs.map((h) => verifyHandoff(h, model)),
  };
  out.textContent = JSON.stringify(result);
  out.dataset.state = 'done';
} catch (err) {
  out.textContent = String(err && err.stack ? err.stack : err);
  out.dataset.state = 'error';
}
