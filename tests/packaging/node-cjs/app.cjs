// A Node CommonJS consumer: `require` resolves to the package's Node build.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Engine, verifyHandoff } = require('baton');

const { model, events, asOf } = JSON.parse(readFileSync(join(__dirname, 'input.json'), 'utf8'));
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
