// The `baton/bundler` build (WebAssembly ESM integration, as webpack's asyncWebAssembly and
// vite-plugin-wasm provide), run by Node's own implementation: `node --experimental-wasm-modules`.
import { readFileSync } from 'node:fs';
import { Engine, verifyHandoff } from 'baton/bundler';

const { model, events, asOf } = JSON.parse(readFileSync(new URL('./input.json', import.meta.url), 'utf8'));
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
process.stdout.write(JSON.stringify(result));
