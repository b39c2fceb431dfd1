// Runs inside the bench page (added by `page.addScriptTag`), shared by benches/snippet.mjs and
// benches/fallback.mjs so both time the same events the same way.

/** Event `i` of a realistic mix: page views, downloads, an identify now and then. */
window.benchEvent = (i) =>
  i % 10 === 9
    ? { type: 'identify', traits: { email: `v${i}@example.com`, title: 'Manager', employees: 120 + i } }
    : i % 3 === 0
      ? { type: 'track', event: 'Asset Downloaded', properties: { path: `/resources/doc-${i}.pdf` } }
      : { type: 'page', properties: { path: i % 2 ? '/pricing' : `/blog/post-${i}`, url: location.href } };

/**
 * `tracker.track` of `events` events: each one timed on its own (`each`, ms), then the same events
 * again untimed one by one and timed as a batch (`mean`, ms per event).
 */
window.benchTrack = (tracker, events) => {
  const each = [];
  for (let i = 0; i < events; i++) {
    const e = window.benchEvent(i);
    const a = performance.now();
    tracker.track(e);
    each.push(performance.now() - a);
  }
  const b0 = performance.now();
  for (let i = 0; i < events; i++) tracker.track(window.benchEvent(i));
  return { each, mean: (performance.now() - b0) / events };
};

// The tracker writes the visitor's state off the event's path, in an idle callback. Every idle
// callback's body is timed here (`benchIdleTimes`, ms), so the deferred write's own cost shows;
// `benchIdle()` resolves once no callback is waiting. A build that writes on the path never asks
// for one (its write is inside `track`'s time).
if (window.requestIdleCallback) {
  const request = window.requestIdleCallback.bind(window);
  let waiting = 0;
  let wake = [];
  window.benchIdleTimes = [];
  window.requestIdleCallback = (cb, options) => {
    waiting++;
    return request((deadline) => {
      const a = performance.now();
      try {
        cb(deadline);
      } finally {
        window.benchIdleTimes.push(performance.now() - a);
        waiting--;
        if (!waiting) for (const f of wake.splice(0)) f();
      }
    }, options);
  };
  window.benchIdle = () => (waiting ? new Promise((ok) => wake.push(ok)) : Promise.resolve());
}

const nextTask = () => new Promise((ok) => setTimeout(ok, 0));

/**
 * Events one at a time, each in its own task and followed by its write, as a visitor who does one
 * thing at a time: per event the time inside `track` (`onPath`), the idle write that followed it
 * (`write`, 0 when none ran), and both (`total`), ms. Events `from` .. `from + n`.
 *
 * With `floor` (`{ pending, record }`), each event is followed, each in a task of its own at the
 * same cadence, by what no build can do without: the same event scored in memory only (`pending`,
 * a tracker that stores nothing: `memory`), one `localStorage.setItem` of the visitor record
 * `record` (`setRecord`) and one of 256 characters (`setSmall`, what writing only the event would
 * store); `least` is `memory + setRecord` per event. A single `setItem` in a task of its own costs
 * far more than one in a tight loop, so the loop's numbers are no floor for an isolated event.
 */
window.benchIsolated = async (tracker, n, from = 0, floor = null) => {
  const onPath = [];
  const write = [];
  const total = [];
  const memory = [];
  const setRecord = [];
  const setSmall = [];
  const least = [];
  const small = 'x'.repeat(250);
  const timed = async (f) => {
    await nextTask();
    const a = performance.now();
    f();
    return performance.now() - a;
  };
  for (let i = 0; i < n; i++) {
    const e = window.benchEvent(from + i);
    await nextTask();
    const ran = window.benchIdleTimes.length;
    const a = performance.now();
    tracker.track(e);
    const t = performance.now() - a;
    await window.benchIdle();
    const w = window.benchIdleTimes.slice(ran).reduce((s, x) => s + x, 0);
    onPath.push(t);
    write.push(w);
    total.push(t + w);
    if (floor) {
      const m = await timed(() => floor.pending.track(window.benchEvent(from + i)));
      const r = await timed(() => localStorage.setItem('baton:bench:probe', floor.record + i));
      setSmall.push(await timed(() => localStorage.setItem('baton:bench:small', small + i)));
      memory.push(m);
      setRecord.push(r);
      least.push(m + r);
    }
  }
  localStorage.removeItem('baton:bench:probe');
  localStorage.removeItem('baton:bench:small');
  return { onPath, write, total, floor: floor && { memory, setRecord, setSmall, least } };
};

/**
 * `bursts` bursts of `size` events, each burst in one task (a click that tracks several things,
 * a page view with its UTM and form events) and followed by its write: per event of a burst, the
 * burst's `track` time and its write, divided by `size` (`perEvent`), and each `track` call alone
 * (`each`), ms.
 */
window.benchBursts = async (tracker, bursts, size, from = 0) => {
  const perEvent = [];
  const each = [];
  for (let b = 0; b < bursts; b++) {
    const events = Array.from({ length: size }, (_, i) => window.benchEvent(from + b * size + i));
    await nextTask();
    const ran = window.benchIdleTimes.length;
    let sum = 0;
    for (const e of events) {
      const a = performance.now();
      tracker.track(e);
      const t = performance.now() - a;
      each.push(t);
      sum += t;
    }
    await window.benchIdle();
    sum += window.benchIdleTimes.slice(ran).reduce((s, x) => s + x, 0);
    perEvent.push(sum / size);
  }
  return { perEvent, each };
};
