// Runs inside a page (added by `page.addScriptTag`): a deterministic replay through the snippet's
// page API, the `Tracker`, shared by snippet-fallback.test.mjs and benches/fallback.mjs to prove
// that the wasm and its wasm2js fallback (two builds of one engine) answer alike.
//
// The tracker reads the clock (`Date.now`) and draws ids (`Math.random`): both are replaced for
// the replay by a fixed clock and a seeded generator, and restored afterwards. Consent is
// 'required' and never granted, so the visitor is scored in memory only: nothing is stored or
// sent, and two replays in one page cannot see each other.

/**
 * Tracks `count` events (`makeEvent(i)`, one every `stepMs` from `at`) and returns, as JSON text,
 * every hook's value in order (`score`, `stage`, `qualified`) followed by the final `score()` and
 * `explain()`; a model the engine refuses gives `['refused', isError, message]`.
 */
window.trackerReplay = (glue, model, makeEvent, count, at, stepMs) => {
  const realNow = Date.now;
  const realRandom = Math.random;
  let now = at;
  let seed = 1;
  Date.now = () => now;
  // Park-Miller: the same sequence in both builds, never 0 or 1.
  Math.random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  try {
    let tracker;
    try {
      tracker = new glue.Tracker({ model, consent: 'required' });
    } catch (err) {
      return JSON.stringify(['refused', err instanceof Error, err.message]);
    }
    const outs = [];
    for (const hook of ['score', 'stage', 'qualified']) tracker.on(hook, (value) => outs.push([hook, value]));
    for (let i = 0; i < count; i++) {
      now = at + i * stepMs;
      tracker.track({ ...makeEvent(i), messageId: `m${i}` });
    }
    now = at + (count + 100) * stepMs;
    outs.push(['score()', tracker.score()], ['explain()', tracker.explain()]);
    tracker.free();
    return JSON.stringify(outs);
  } finally {
    Date.now = realNow;
    Math.random = realRandom;
  }
};
