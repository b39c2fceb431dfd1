// The demo server: serves www/ (the demo site with the snippet, the dashboard, the handoff inbox)
// on 127.0.0.1 only. No framework: node:http and a static file handler.
//
//   node www/server.mjs [--port 8787]      (env PORT works too; port 0 picks a free one)
//   import { startServer } from './server.mjs'   (tests start their own instance on port 0)
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { createReceiver } from './receiver/receiver.mjs';

const wwwRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(wwwRoot, '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  // application/wasm is what WebAssembly.instantiateStreaming insists on.
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** Resolves a URL path inside `root`, or null when it escapes it or names nothing. */
function resolveStatic(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      const index = join(file, 'index.html');
      return statSync(index).isFile() ? index : null;
    }
    return st.isFile() ? file : null;
  } catch {
    return null;
  }
}

function serveStatic(root, req, res, csp) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.endsWith('/') === false && !extname(url.pathname)) {
    // `/dashboard` → `/dashboard/` so relative module imports resolve.
    const dir = resolveStatic(root, url.pathname + '/');
    if (dir) {
      res.writeHead(301, { location: url.pathname + '/' + url.search });
      res.end();
      return;
    }
  }
  const file = resolveStatic(root, url.pathname);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return;
  }
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  const headers = { 'content-type': type, 'cache-control': 'no-cache' };
  if (csp && type.startsWith('text/html')) headers['content-security-policy'] = csp;
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}

/**
 * Starts the server. `handlers` are tried in order before the static files; each is
 * `(req, res) => boolean | Promise<boolean>` and returns true when it answered the request.
 * Resolves to `{ url, port, server, close() }`.
 */
export async function startServer({
  port = 8787,
  host = '127.0.0.1',
  root = wwwRoot,
  handlers = [],
  // The demo handoff receiver (www/receiver/): POST /api/handoff, GET /api/handoffs, POST /api/faults.
  dataFile = join(tmpdir(), `baton-handoffs-${process.pid}-${Date.now()}.jsonl`),
  faults,
  schemaPath = join(repoRoot, 'tests/fixtures/schema/handoff.schema.json'),
  modelsDir = join(repoRoot, 'tests/fixtures/models'),
  // A Content-Security-Policy header for every HTML page, e.g. to see the snippet under a policy
  // without 'wasm-unsafe-eval' (tests/browser/snippet-fallback.test.mjs).
  csp,
} = {}) {
  const receiver = createReceiver({ dataFile, schemaPath, modelsDir, faults });
  handlers = [receiver.handle, ...handlers];
  const server = createServer(async (req, res) => {
    try {
      for (const handle of handlers) {
        if (await handle(req, res)) return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        res.end();
        return;
      }
      serveStatic(resolve(root), req, res, csp);
    } catch (err) {
      console.error('[server]', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const actual = server.address().port;
  const url = `http://${host}:${actual}`;
  return {
    url,
    port: actual,
    server,
    receiver,
    close: () =>
      new Promise((ok) => {
        receiver.close();
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

function argPort(argv) {
  const i = argv.indexOf('--port');
  if (i >= 0 && argv[i + 1]) return Number(argv[i + 1]);
  return process.env.PORT ? Number(process.env.PORT) : 8787;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srv = await startServer({
    port: argPort(process.argv),
    dataFile: process.env.BATON_HANDOFFS ?? join(repoRoot, 'target', 'demo-handoffs.jsonl'),
  });
  console.log(`Baton demo server on ${srv.url} (Ctrl-C to stop)`);
  console.log(`  demo site      ${srv.url}/demo/`);
  console.log(`  dashboard      ${srv.url}/dashboard/`);
  console.log(`  handoff inbox  ${srv.url}/receiver/inbox.html`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => srv.close().then(() => process.exit(0)));
}
