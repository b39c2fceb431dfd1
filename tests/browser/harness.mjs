// Shared by the browser tests: Debian's Chromium driven by playwright-core (never a downloaded
// browser), and pages that record every uncaught error and console error for assertions.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the networking flags Chromium floods the closed network with refused connections.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A headless Chromium with a fresh profile. */
export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
}

/** A persistent context (real localStorage across pages and reloads) in a fresh profile dir. */
export async function launchPersistent(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
}

/**
 * A page whose `errors` array collects `pageerror` events and console errors, so every test can
 * assert the host page never saw an uncaught error.
 */
export async function newPage(browserOrContext) {
  const page = await browserOrContext.newPage();
  watchErrors(page);
  return page;
}

export function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console.error: ${msg.text()}`);
  });
  return page;
}

/** Opens a dashboard view from its nav button and waits until the view marks itself drawn. */
export async function openView(page, name) {
  await page.click(`#bt-nav button[data-view="${name}"]`);
  await page.waitForSelector(`.bt-view[data-view="${name}"][data-ready="1"]`);
}

/**
 * A test file's dashboard: the demo server on a free port and one 1400×900 page collecting errors,
 * opened at `path` (and waited for until ready) when one is given. `closeDashboard` in `after`.
 */
export async function openDashboard({ timeout = 30_000, path } = {}) {
  const { startServer } = await import('../../www/server.mjs');
  const srv = await startServer({ port: 0 });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await newPage(context);
  page.setDefaultTimeout(timeout);
  if (path) {
    await page.goto(`${srv.url}${path}`);
    await page.waitForSelector('body[data-ready="1"]');
  }
  return { srv, browser, page };
}

export async function closeDashboard(opened) {
  await opened?.browser?.close();
  await opened?.srv?.close();
}
