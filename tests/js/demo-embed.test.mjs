// The demo site's pages inline the embed code by hand (a site owner's copy-paste): every page must
// carry the embed of www/snippet/embed.html as it is now, only its config object differing, so a
// change to the embed (e.g. how it answers `score` before consent) is what the demo runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const CONFIG = '\n}(window,document,';

/** The inline embed's code before its config object, from an HTML text (`null` if none). */
function embedCode(html) {
  const start = html.indexOf('<script>\n!function(w,d,c)');
  if (start < 0) return null;
  const end = html.indexOf(CONFIG, start);
  assert.ok(end > start, 'embed without its config call');
  return html.slice(start, end);
}

function pages(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pages(join(dir, e.name)) : e.name.endsWith('.html') ? [join(dir, e.name)] : [],
  );
}

test('every demo page inlines the current embed code', () => {
  const reference = embedCode(readFileSync(join(root, 'www/snippet/embed.html'), 'utf8'));
  assert.ok(reference, 'www/snippet/embed.html has no embed');
  const demo = pages(join(root, 'www/demo'));
  const embedded = demo.filter((p) => embedCode(readFileSync(p, 'utf8')) !== null);
  // Landing, pricing, resources, blog post, careers, demo request: all of them carry the snippet.
  assert.ok(embedded.length >= 6, `only ${embedded.length} demo pages embed the snippet`);
  for (const page of embedded) {
    assert.equal(embedCode(readFileSync(page, 'utf8')), reference, `${page.slice(root.length)}: stale embed code`);
  }
});
