// Baton loader: the script the embed code loads async. Glue only: DOM capture and wiring.
// Scoring, stages, storage, consent state and delivery all live in the wasm `Tracker` (one engine).
//
// Never breaks the host page: every entry point catches; if anything needed is missing (the wasm
// 404s, the model cannot be read, no WebAssembly and no fallback) `baton(...)` becomes a silent
// no-op after one console warning. Where WebAssembly cannot run (absent, or blocked by CSP) the
// engine's wasm2js translation runs instead (`baton_fallback.js`, loaded only then).
(function (w, d) {
  'use strict';
  var stub = w.baton;
  if (!stub || stub.loaded) return; // not embedded, or loaded twice
  var cfg = stub.c || {};
  var queue = stub.q || [];
  var script = d.currentScript;
  var base = (script && script.src) || location.href;
  var tracker = null;
  var failed = false;
  var warned = false;

  function warn(msg, e) {
    if (warned && !cfg.debug) return;
    warned = true;
    try {
      console.warn('baton: ' + msg + (e ? ': ' + (e && e.message ? e.message : e) : ''));
    } catch (_) {
      /* no console */
    }
  }

  // Until the wasm is ready every call is queued, in order, behind the embed's own queue.
  function api() {
    var args = arguments;
    if (failed) return;
    if (!tracker) {
      queue.push(args);
      return;
    }
    try {
      return run(args);
    } catch (e) {
      warn(String(args[0]) + ' failed', e);
    }
  }
  api.loaded = true;
  api.c = cfg;
  api.q = queue;
  w.baton = api;

  function disable(msg, e) {
    failed = true;
    queue.length = 0;
    if (msg) warn(msg, e);
  }

  // ---- privacy signals -------------------------------------------------------------------------
  // Global Privacy Control and Do Not Track mean "off", unless the site configures otherwise.
  function privacySignal() {
    var n = w.navigator || {};
    if (cfg.honorGpc !== false && n.globalPrivacyControl === true) return true;
    if (cfg.honorDnt !== false && (n.doNotTrack === '1' || w.doNotTrack === '1')) return true;
    return false;
  }

  // ---- context helpers -------------------------------------------------------------------------
  var UTM = ['source', 'medium', 'campaign', 'term', 'content'];
  function campaign(search) {
    var out = null;
    var p;
    try {
      p = new URLSearchParams(search);
    } catch (_) {
      return null;
    }
    for (var i = 0; i < UTM.length; i++) {
      var v = p.get('utm_' + UTM[i]);
      if (v) (out = out || {})[UTM[i] === 'campaign' ? 'name' : UTM[i]] = v.slice(0, 200);
    }
    return out;
  }
  var lastUrl = null; // the URL of the last page view, for SPA referrers and "counted once"
  // A site served under a sub-path (`basePath: '/docs'`) reports paths without it, so one model
  // fits every place the site is mounted.
  function sitePath(path) {
    var b = cfg.basePath;
    if (b && path.indexOf(b) === 0 && (path.length === b.length || path.charAt(b.length) === '/')) {
      return path.slice(b.length) || '/';
    }
    return path;
  }
  function pageContext() {
    return {
      url: location.href,
      path: sitePath(location.pathname),
      search: location.search,
      title: d.title,
      referrer: lastUrl || d.referrer || '',
    };
  }
  function context() {
    var ctx = { page: pageContext() };
    if (cfg.autocapture === false || (cfg.autocapture || {}).attribution !== false) {
      var c = campaign(location.search);
      if (c) ctx.campaign = c;
    }
    return ctx;
  }

  // ---- commands --------------------------------------------------------------------------------
  function event(type, fields) {
    var e = fields || {};
    e.type = type;
    e.context = e.context || context();
    return tracker.track(e);
  }
  function page(name, props) {
    if (name && typeof name === 'object') {
      props = name;
      name = undefined;
    }
    var ctx = context();
    var p = {};
    for (var k in ctx.page) p[k] = ctx.page[k];
    for (k in props || {}) p[k] = props[k];
    lastUrl = location.href;
    return event('page', { name: name || d.title, properties: p, context: ctx });
  }
  function run(args) {
    var cmd = args[0];
    switch (cmd) {
      case 'page':
        return page(args[1], args[2]);
      case 'track':
        return event('track', { event: String(args[1]), properties: args[2] || {} });
      case 'identify':
        if (args[1] && typeof args[1] === 'object') return event('identify', { traits: args[1] });
        return event('identify', { userId: String(args[1]), traits: args[2] || {} });
      case 'consent':
        return tracker.consent(args[1] === 'granted' || args[1] === true);
      case 'reset':
        return tracker.reset();
      case 'score':
        return deliver(args[1], tracker.score());
      case 'explain':
        return deliver(args[1], tracker.explain());
      case 'on':
        return tracker.on(String(args[1]), args[2]);
      case 'flush':
        return tracker.flush();
      default:
        warn('unknown command ' + String(cmd));
    }
  }
  function deliver(fn, value) {
    if (typeof fn === 'function') fn(value);
    return value;
  }

  // ---- autocapture -----------------------------------------------------------------------------
  function on(target, type, fn, opts) {
    target.addEventListener(
      type,
      function (ev) {
        if (!tracker || failed) return;
        try {
          fn(ev);
        } catch (e) {
          warn(type + ' capture failed', e);
        }
      },
      opts || true,
    );
  }
  function enabled(name) {
    var a = cfg.autocapture;
    if (a === false) return false;
    return !a || a[name] !== false;
  }

  // Page views, SPA navigations included; the same URL (path + query) is counted once, so a
  // router's replaceState of the current URL, or a hash change, is not a second page view.
  function watchPages() {
    var seen = location.pathname + location.search;
    function changed() {
      var now = location.pathname + location.search;
      if (now === seen) return;
      seen = now;
      page();
    }
    function wrap(name) {
      var orig = history[name];
      if (typeof orig !== 'function') return;
      history[name] = function () {
        var r = orig.apply(this, arguments);
        try {
          if (tracker && !failed) changed();
        } catch (e) {
          warn(name + ' capture failed', e);
        }
        return r;
      };
    }
    wrap('pushState');
    wrap('replaceState');
    on(w, 'popstate', changed);
  }

  var EXT =
    'pdf,doc,docx,xls,xlsx,ppt,pptx,csv,txt,rtf,odt,ods,odp,key,pages,epub,zip,rar,7z,gz,tgz,tar,dmg,exe,msi,pkg,deb,apk,mp3,mp4,mov,avi,wmv';
  function watchDownloads() {
    var exts = {};
    var list = cfg.downloadExtensions || EXT.split(',');
    for (var i = 0; i < list.length; i++) exts[String(list[i]).toLowerCase()] = 1;
    function handle(ev) {
      // Left click (any modifier: new tab/window/download all count) or middle click.
      if (ev.type === 'click' ? ev.button !== 0 : ev.button !== 1) return;
      var a = ev.target && ev.target.closest && ev.target.closest('a[href]');
      if (!a) return;
      var url;
      try {
        url = new URL(a.href, location.href);
      } catch (_) {
        return;
      }
      var file = url.pathname.split('/').pop() || '';
      var dot = file.lastIndexOf('.');
      var ext = dot > 0 ? file.slice(dot + 1).toLowerCase() : '';
      var tagged = a.hasAttribute('data-baton-download');
      if (!tagged && !exts[ext]) return;
      event('track', {
        event: 'Asset Downloaded',
        properties: {
          url: url.origin + url.pathname, // query string and fragment dropped (tokens live there)
          path: sitePath(url.pathname),
          fileName: decodeURIComponent(file),
          extension: ext,
          name: (a.getAttribute('data-baton-download') || a.textContent || '').trim().slice(0, 200),
        },
      });
    }
    on(d, 'click', handle);
    on(d, 'auxclick', handle);
  }

  // Form submits → identify traits, only through the site's explicit mapping.
  // Never read: password fields, hidden fields (honeypots), payment fields.
  var PAYMENT = /(^|[^a-z])(cc|card|cvc|cvv|csc|iban|pan|expiry|exp-?date|account-?number)([^a-z]|$)/i;
  function readable(el) {
    if (!el || !('value' in el)) return false;
    var type = String(el.type || '').toLowerCase();
    if (type === 'password' || type === 'hidden' || type === 'file') return false;
    var auto = String(el.getAttribute('autocomplete') || '').toLowerCase();
    if (auto.indexOf('cc-') === 0 || auto.indexOf('password') >= 0) return false;
    if (PAYMENT.test((el.name || '') + ' ' + (el.id || ''))) return false;
    if (el.hidden || el.getAttribute('aria-hidden') === 'true') return false;
    return true;
  }
  function field(form, ref) {
    var el = null;
    try {
      el = form.elements.namedItem(ref) || d.getElementById(ref) || form.querySelector(ref);
    } catch (_) {
      el = null; // not a valid selector
    }
    if (el && !el.tagName && el.length) {
      // A radio group (RadioNodeList): the checked option, if any.
      el = Array.prototype.filter.call(el, function (x) {
        return x.checked;
      })[0] || el[0];
    }
    return el;
  }
  function value(el) {
    if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return null;
    var v = String(el.value).trim().slice(0, 500);
    if (!v) return null;
    return /^\d+(\.\d+)?$/.test(v) ? Number(v) : v; // "500" employees compares as a number
  }
  function watchForms() {
    var forms = cfg.forms || [];
    on(d, 'submit', function (ev) {
      var form = ev.target;
      for (var i = 0; i < forms.length; i++) {
        var f = forms[i];
        if (!form.matches || !form.matches(f.selector)) continue;
        var traits = {};
        var userId = null;
        var any = false;
        for (var trait in f.traits || {}) {
          var el = field(form, f.traits[trait]);
          if (!readable(el)) continue;
          var v = value(el);
          if (v === null) continue;
          if (trait === 'userId') userId = String(v);
          else traits[trait] = v;
          any = true;
        }
        if (any) event('identify', userId ? { userId: userId, traits: traits } : { traits: traits });
        if (f.event) event('track', { event: f.event, properties: { form: f.selector } });
      }
    });
  }

  // ---- start -----------------------------------------------------------------------------------
  function url(rel) {
    return new URL(rel, base).href;
  }
  // WebAssembly missing, disabled, or refused by a Content-Security-Policy without
  // 'wasm-unsafe-eval': an empty module's compile tells, before the wasm is fetched for nothing.
  function wasmRuns() {
    try {
      return !!new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    } catch (_) {
      return false;
    }
  }
  async function start() {
    if (privacySignal()) return disable(null); // honored silently: nothing stored, nothing sent
    var native = wasmRuns();
    if (!native && cfg.fallback === false) return disable('WebAssembly is not available');
    var glueUrl = url(cfg.glue || '../pkg-snippet/baton.js');
    var glue = await import(glueUrl);
    if (native) await glue.default(cfg.wasm ? { module_or_path: url(cfg.wasm) } : undefined);
    // The same engine translated to JS by binaryen's wasm2js, fetched only here.
    else (await import(cfg.fallback ? url(cfg.fallback) : new URL('baton_fallback.js', glueUrl).href)).init(glue);
    var model = cfg.model;
    if (typeof model === 'string') {
      var res = await fetch(url(model), { credentials: 'same-origin' });
      if (!res.ok) throw new Error('model ' + res.status);
      model = await res.json();
    }
    var options = {};
    for (var k in cfg) options[k] = cfg[k];
    options.model = model;
    tracker = new glue.Tracker(options);
    var q = queue.splice(0, queue.length);
    for (var i = 0; i < q.length; i++) api.apply(null, q[i]);
    if (enabled('pageviews')) {
      page();
      if (enabled('spa')) watchPages();
    }
    if (enabled('downloads')) watchDownloads();
    if (enabled('forms')) watchForms();
    // Hand what is still pending to sendBeacon when the page goes away or to the background.
    on(w, 'pagehide', function () {
      tracker.flush();
    });
    on(d, 'visibilitychange', function () {
      if (d.visibilityState === 'hidden') tracker.flush();
    });
  }
  try {
    start().catch(function (e) {
      disable('disabled', e);
    });
  } catch (e) {
    disable('disabled', e);
  }
})(window, document);
