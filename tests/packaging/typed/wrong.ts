// Each line ending in a `wrong` comment is a mistake the declarations must reject (tsc must fail on it).
import { BatchReplay, Engine, verifyHandoff, type Model } from 'baton';

const model: Model = { version: '1', rules: [] };
const engine = new Engine(model);
new Engine(42); // wrong: a number is not a model
engine.ingest({ type: 'click', messageId: 'x' }, 0); // wrong: unknown event type
const total: string = engine.score(0).total; // wrong: a score is a number
engine.score('now'); // wrong: time is milliseconds, not text
const broken: Model = { version: '1', rules: [{ id: 'a', points: 1 }] }; // wrong: a rule needs `when`
verifyHandoff({}, model).mismatches[0].fieldd; // wrong: no such key
const stage: 'mql' = engine.score(0).stage; // wrong: stage may be any StageName
new BatchReplay(model, { now: '2026-11-02' }); // wrong: options.now is milliseconds, not text
console.log(total, broken, stage);
