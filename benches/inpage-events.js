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
