// A minimal handoff receiver for Node (shipped in the npm package as `baton/examples/receiver.mjs`).
// It answers the snippet's POST: 400 for a body that is not a handoff, 422 (a permanent failure
// for the snippet's outbox) when the payload names a model you did not publish or does not
// verify, 200 once it is accepted, and 200 again for a handoffId it has already seen.
//
//   node node_modules/baton/examples/receiver.mjs ./models 8787
//
// `./models` holds every model version you deployed, one JSON file each; payloads are matched to
// a model by its hash. Replace `accept` with your CRM call.
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledModel, verifyHandoff } from 'baton';

/** Every model in `dir`, by hash. */
export function loadModels(dir) {
  const models = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const model = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const compiled = new CompiledModel(model); // throws, naming every problem, on a bad model
    models.set(compiled.hash, model);
    compiled.free();
  }
  return models;
}

/** The receiver's decision on one posted body: `{ status, lines }`. */
export function receive(body, models, seen, accept) {
  let payload;
  try {
    payload = JSON.parse(body);
  } catch (e) {
    return { status: 400, lines: [`$: not JSON: ${e.message}`] };
  }
  const hash = payload?.model?.hash;
  const model = typeof hash === 'string' ? models.get(hash) : undefined;
  if (!model) return { status: 422, lines: [`model.hash: ${JSON.stringify(hash ?? null)} is not a model we published`] };
  const verdict = verifyHandoff(payload, model);
  if (!verdict.ok) return { status: 422, lines: verdict.mismatches.map((m) => `${m.field}: ${m.reason}`) };
  if (seen.has(verdict.handoffId)) return { status: 200, lines: ['already received'] };
  seen.add(verdict.handoffId);
  // `unverifiable` lists what rests on the payload's word (history, attribution, …): keep it with
  // the lead so sales can weigh it.
  accept(payload, verdict.unverifiable.map((m) => m.field));
  return { status: 200, lines: ['accepted'] };
}

const MAX_BODY = 256 * 1024;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = './models', port = '8787'] = process.argv.slice(2);
  const models = loadModels(dir);
  const seen = new Set(); // use your database in production: handoffIds must survive restarts
  const accept = (payload, open) => console.log('lead', payload.handoffId, payload.score.total, open);
  createServer((req, res) => {
    if (req.method !== 'POST') return res.writeHead(405).end();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      const { status, lines } = receive(body, models, seen, accept);
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(lines.join('\n') + '\n');
    });
  }).listen(Number(port), () => console.log(`receiver on :${port}, ${models.size} model(s)`));
}
