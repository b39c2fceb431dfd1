// A Node ESM consumer: `import` resolves to the package's Node build (no flags, no init needed,
// but calling init() keeps the code portable to browsers).
import { readFileSync } from 'node:fs';
import init, { Engine, verifyHandoff } from 'baton';

const { model, events, asOf } = JSON.parse(readFileSync(new URL('./input.json', import.meta.url), 'utf8'));
await init();
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
