// Node CommonJS under moduleResolution "nodenext": the `node` + `require` condition (node/index.d.cts).
import baton = require('baton');

const model: baton.Model = { version: '1', rules: [{ id: 'docs', points: 5, when: { pathPrefix: '/docs' } }] };
const engine = new baton.Engine(model);
const score: baton.Score = engine.score(0);
const ready: Promise<void> = baton.init();
export const summary: [number, Promise<void>] = [score.total, ready];
