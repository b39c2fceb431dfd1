// Node ESM under moduleResolution "nodenext": the `node` + `import` condition (node/index.d.mts).
import init, { Engine, verifyHandoff, type Model, type Score, type VerifyResult } from 'baton';

const model: Model = { version: '1', rules: [{ id: 'docs', points: 5, when: { pathPrefix: '/docs' } }] };
await init();
const engine = new Engine(model);
engine.ingest({ type: 'page', messageId: 'm1', anonymousId: 'a1', timestamp: 0, properties: { path: '/docs/a' } }, 0);
const score: Score = engine.score(0);
const verdict: VerifyResult = verifyHandoff({}, model);
export const summary: [number, boolean] = [score.total, verdict.ok];
