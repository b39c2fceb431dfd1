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
  // Each distinct problem is warned once (every time with `debug`), up to a bound: a misuse in a
  // loop must not flood the console, and one warning must not hide a different problem.
  var warned = {};
  var warnings = 0;

  function warn(msg, e) {
    if (!cfg.debug) {
      if (warned[msg] || warnings >= 20) return;
      warned[msg] = 1;
      warnings++;
    }
    try {
      console.warn('baton: ' + msg + (e ? ': ' + (e && e.message ? e.message : e) : ''));
    } catch (_) {
      /* no console */
    }
  }

  // The site's own callbacks (`score`/`explain` answers, `on(...)` hooks): an exception of theirs
  // is the site's, reported like an event listener's (`reportError`: the console, `window`'s
  // `error` listeners, error trackers), every time, and never stops the snippet. The snippet's own
  // failures are warned, under its name.
  function call(fn, value) {
    try {
      fn(value);
    } catch (e) {
      try {
        w.reportError(e);
      } catch (_) {
        setTimeout(function () {
          throw e; // no reportError (before Safari 15.4): reported as a timer's
        });
      }
    }
  }

  // Until the wasm is ready every call is queued, in order, behind the embed's own queue.
  function api() {
    var args = arguments;
    // Off (privacy signal, failed start): `score`/`explain` still answer, with null, so a page
    // waiting on them goes on.
    if (failed) {
      if ((args[0] === 'score' || args[0] === 'explain') && typeof args[1] === 'function') call(args[1], null);
      return;
    }
    if (!tracker) {
      queue.push(waiting(args));
      return;
    }
    try {
      return run(args);
    } catch (e) {
      warn(String(args[0]) + ' failed', e);
    }
  }
  // A `score`/`explain` callback waiting for the start is answered within WAIT ms: with null when
  // the snippet has not started by then (a model or wasm request that hangs), never left waiting,
  // and the console says once what the start is still waiting for.
  var WAIT = 10000;
  var step = ''; // what the start is waiting for (a request), for that warning
  function waiting(args) {
    var cmd = args[0];
    var fn = args[1];
    if ((cmd !== 'score' && cmd !== 'explain') || typeof fn !== 'function') return args;
    var done = false;
    var timer = setTimeout(function () {
      warn('not started after 10 s: no answer from ' + step + '; score and explain answer null until then');
      once(null);
    }, WAIT);
    function once(value) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      call(fn, value);
    }
    return [cmd, once];
  }
  for (var i = 0; i < queue.length; i++) queue[i] = waiting(queue[i]);
  api.loaded = true;
  api.c = cfg;
  api.q = queue;
  w.baton = api;

  function disable(msg, e) {
    failed = true;
    var q = queue.splice(0, queue.length);
    for (var i = 0; i < q.length; i++) api.apply(null, q[i]); // answers waiting score callbacks
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
  // With `attribution: false` no campaign reaches the engine: not as `context.campaign`, and not
  // as the `utm_` parameters of the URLs it would otherwise read them from.
  function withoutUtm(s) {
    var q = s.indexOf('?');
    if (q < 0 || enabled('attribution')) return s;
    var h = s.indexOf('#', q);
    var kept = s
      .slice(q + 1, h < 0 ? s.length : h)
      .split('&')
      .filter(function (p) {
        return !/^utm_/i.test(p);
      })
      .join('&');
    return s.slice(0, q) + (kept ? '?' + kept : '') + (h < 0 ? '' : s.slice(h));
  }
  function pageContext() {
    return {
      url: withoutUtm(location.href),
      path: sitePath(location.pathname),
      search: withoutUtm(location.search),
      title: d.title,
      referrer: withoutUtm(lastUrl || d.referrer || ''),
    };
  }
  function context() {
    var ctx = { page: pageContext() };
    if (enabled('attribution')) {
      var c = campaign(location.search);
      if (c) ctx.campaign = c;
    }
    return ctx;
  }

  // ---- commands --------------------------------------------------------------------------------
  // A bad argument is refused with a warning naming it; nothing is recorded from it.
  function shown(v) {
    return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
  }
  function refuse(what, v) {
    warn(what + ' (got ' + shown(v) + '); ignored');
    return false;
  }
  function isObject(v) {
    return !!v && typeof v === 'object' && !Array.isArray(v);
  }
  // Properties or traits: an object, or nothing at all.
  function fields(cmd, v) {
    if (v == null) return {};
    return isObject(v) ? v : refuse(cmd + ': properties must be an object', v);
  }
  function event(type, fields) {
    if (type !== 'page') sendHeld(); // the held page view came first
    var e = fields || {};
    e.type = type;
    e.context = e.context || context();
    return tracker.track(e);
  }
  // ---- page views -------------------------------------------------------------------------------
  // A page view the snippet counts by itself (the load, a `pushState` or `popstate` to a new path
  // or query, a restore from the back/forward cache) is held for HOLD ms before it is sent
  // (anything else the page does sends it at once, first), so that a site which also calls
  // `baton('page')` for it (the Segment convention: routers call `page()` after each navigation)
  // is counted once, with the site's name and properties. A `baton('page')` for the URL the
  // snippet last counted by itself, while no other page view was sent and the URL (hash included)
  // has not changed, is that page view (unless its `path` or `url` property names another page):
  // merged while it is held, not counted again after. No time limit: a router that calls `page()`
  // just before its `pushState` does so for the URL counted on arrival, however long ago. A
  // second `baton('page')` for the same URL always counts (virtual page views). And the snippet
  // counts no automatic view for a URL the site's own last `baton('page')` was for: the load's
  // when the site's call came first (queued in the inline code), a navigation's when the site
  // called `page()` naming its `path` or `url` just before its `pushState`.
  // A `replaceState` is no navigation (a redirect, a URL cleaned of its `utm_` parameters, a
  // search box rewriting its query): it never starts a page view; while the automatic view is
  // held, that view moves to the new URL (its time, referrer and campaign kept).
  var HOLD = 1000;
  var held = null; // the automatic page view not sent yet: { ctx, at, timer }
  var last = null; // the last page view sent or held: { href, auto, p: the page a site's call named }
  function sameView() {
    warn("baton('page') repeated a page view the snippet counts automatically: counted once (to send page views only yourself, set autocapture: { pageviews: false })");
  }
  function pageProps(ctx, props) {
    var p = {};
    for (var k in ctx.page) p[k] = ctx.page[k];
    p.title = d.title; // read when sent: a router sets the new title after its pushState
    for (k in props) p[k] = props[k];
    return p;
  }
  // Never throws: it runs before every other call, which must still happen (and be answered).
  function sendHeld(name, props) {
    var h = held;
    if (!h) return;
    held = null;
    clearTimeout(h.timer);
    try {
      h.ctx.page.title = d.title;
      event('page', { name: name || d.title, properties: pageProps(h.ctx, props), context: h.ctx, timestamp: h.at });
    } catch (e) {
      warn('page failed', e);
    }
  }
  function autoPage() {
    sendHeld();
    var href = location.href;
    if (last && !last.auto && (last.p ? thisPage(last.p) : last.href === href)) {
      last = { href: href, auto: false };
      lastUrl = href;
      return sameView();
    }
    held = { ctx: context(), at: Date.now() };
    last = { href: href, auto: true };
    lastUrl = href;
    held.timer = setTimeout(function () {
      if (!failed) sendHeld();
    }, HOLD);
  }
  // A `path` or `url` property naming another page makes a call a virtual page view of its own.
  function thisPage(props) {
    var p = props.path;
    var u = props.url;
    return (p == null || p === location.pathname || p === sitePath(location.pathname)) && (u == null || u === location.href || u === withoutUtm(location.href));
  }
  function page(name, props) {
    if (isObject(name) && props == null) {
      props = name;
      name = undefined;
    }
    if (name != null && typeof name !== 'string') return refuse("page: the name must be a string", name);
    props = fields('page', props);
    if (!props) return;
    var href = location.href;
    if (last && last.auto && last.href === href && thisPage(props)) {
      last.auto = false; // the next one is the site's own second page view
      sameView();
      return sendHeld(name, props);
    }
    sendHeld();
    var ctx = context();
    last = { href: href, auto: false, p: thisPage(props) ? null : props };
    lastUrl = href;
    return event('page', { name: name || d.title, properties: pageProps(ctx, props), context: ctx });
  }
  function run(args) {
    var cmd = args[0];
    if (cmd !== 'page') sendHeld(); // what the page does next comes after the page view
    switch (cmd) {
      case 'page':
        return page(args[1], args[2]);
      case 'track':
        var name = args[1];
        if (typeof name !== 'string' || !name.trim()) return refuse('track: the event name must be a non-empty string', name);
        var props = fields('track', args[2]);
        return props && event('track', { event: name, properties: props });
      case 'identify':
        var id = args[1];
        if (isObject(id) && args[2] == null) return event('identify', { traits: id });
        if (!(typeof id === 'string' && id.trim()) && !(typeof id === 'number' && isFinite(id))) {
          return refuse('identify: expected a userId (non-empty string or number) or a traits object', id);
        }
        var traits = fields('identify', args[2]);
        return traits && event('identify', { userId: String(id), traits: traits });
      case 'consent':
        // Only these four: anything else (a typo, 'yes', an options object) changes nothing,
        // rather than being read as a refusal that deletes the visitor's data.
        var c = args[1];
        if (c === 'granted' || c === true) return tracker.consent(true);
        if (c === 'denied' || c === false) return tracker.consent(false);
        return refuse("consent: expected 'granted', true, 'denied' or false; nothing changed", c);
      case 'reset':
        return tracker.reset();
      case 'score':
      case 'explain':
        return answer(cmd, args[1]);
      case 'on':
        return hook(String(args[1]), args[2]);
      case 'flush':
        return tracker.flush();
      default:
        warn('unknown command ' + String(cmd));
    }
  }
  // Always answered: with null when the engine cannot say (it threw: the snippet's failure,
  // warned), never left waiting. The callback's own exception is the site's (`call`).
  function answer(cmd, fn) {
    var value = null;
    try {
      value = cmd === 'score' ? tracker.score() : tracker.explain();
    } catch (e) {
      warn(cmd + ' failed', e);
    }
    if (typeof fn === 'function') call(fn, value);
    return value;
  }
  // A hook that is not a function is refused now, not on every later event. The engine calls the
  // hook itself and reports each of its exceptions like an event listener's (`reportError`), as
  // `call` does; one that throws never stops the snippet or the hooks after it.
  function hook(name, fn) {
    if (typeof fn !== 'function') return refuse("on('" + name + "'): the callback must be a function", fn);
    return tracker.on(name, fn);
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

  // SPA page views: a `pushState` or `popstate` to a new URL (path + query) is a page view; a hash
  // change is not, and neither is a `replaceState` (see "page views" above).
  function watchPages() {
    var seen = location.pathname + location.search;
    function changed(replace) {
      var now = location.pathname + location.search;
      if (now === seen) return;
      seen = now;
      if (replace !== true) return autoPage();
      lastUrl = location.href; // the referrer of the next view
      var h = held;
      if (h) {
        var ref = h.ctx.page.referrer;
        h.ctx.page = pageContext();
        h.ctx.page.referrer = ref;
        last.href = lastUrl;
      }
    }
    function wrap(name, replace) {
      var orig = history[name];
      if (typeof orig !== 'function') return;
      history[name] = function () {
        var r = orig.apply(this, arguments);
        try {
          if (tracker && !failed) changed(replace);
        } catch (e) {
          warn(name + ' capture failed', e);
        }
        return r;
      };
    }
    wrap('pushState');
    wrap('replaceState', true);
    on(w, 'popstate', changed);
  }

  var EXT =
    'pdf,doc,docx,xls,xlsx,ppt,pptx,csv,txt,rtf,odt,ods,odp,key,pages,epub,zip,rar,7z,gz,tgz,tar,dmg,exe,msi,pkg,deb,apk,mp3,mp4,mov,avi,wmv';
  function watchDownloads() {
    var exts = {};
    var list = cfg.downloadExtensions || EXT.split(',');
    // `'.pdf'` and `'pdf'` alike.
    for (var i = 0; i < list.length; i++) exts[String(list[i]).toLowerCase().replace(/^\./, '')] = 1;
    function handle(ev) {
      // Left click (any modifier: new tab/window/download all count) or middle click.
      if (ev.type === 'click' ? ev.button !== 0 : ev.button !== 1) return;
      // HTML links and SVG links (whose `href` may be `xlink:href`).
      var a = ev.target && ev.target.closest && ev.target.closest('a[href],a[*|href]');
      if (!a) return;
      var href = a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
      var url;
      try {
        url = new URL(href, location.href);
      } catch (_) {
        return;
      }
      var file = url.pathname.split('/').pop() || '';
      try {
        file = decodeURIComponent(file);
      } catch (_) {
        /* a malformed %-escape: the name as it is */
      }
      var dot = file.lastIndexOf('.');
      var ext = dot > 0 ? file.slice(dot + 1).toLowerCase() : '';
      // `data-baton-download`, or the HTML `download` attribute: a download whatever its extension.
      var tagged = a.hasAttribute('data-baton-download') || a.hasAttribute('download');
      if (!tagged && !exts[ext]) return;
      event('track', {
        event: 'Asset Downloaded',
        properties: {
          url: url.origin + url.pathname, // query string and fragment dropped (tokens live there)
          path: sitePath(url.pathname),
          fileName: file,
          extension: ext,
          name: (a.getAttribute('data-baton-download') || a.textContent || '').trim().slice(0, 200),
        },
      });
    }
    on(d, 'click', handle);
    on(d, 'auxclick', handle);
  }

  // Form submits → identify traits, only through the site's explicit mapping.
  // Never read: password fields, hidden fields (honeypots, however hidden), payment fields.
  // Payment words are matched in the field's name, id, autocomplete, placeholder, title and
  // accessible names (label, `aria-label`, `aria-labelledby`, `aria-describedby`), accents
  // dropped, split into words (camelCase, snake_case, kebab-case, digits, spaces): a payment word
  // on its own ("card", "cc", "cvv", "expiry", "iban", "tarjeta", "cartão"), or a payment compound
  // run together inside a word or across words ("creditcard", "giftcard", "cardnumber",
  // "cardholder", "ccnum", "cvv2", "security code", "sort code", "account number"; German, Dutch,
  // French, Spanish, Italian and Portuguese card number, CVC and expiry labels: "Kartennummer",
  // "Prüfnummer", "Ablaufdatum", "kaartnummer", "vervaldatum", "numéro de carte", "cryptogramme",
  // "código de seguridad", "fecha de caducidad", "data di scadenza", "data de validade"). A word
  // that merely contains "card" is not one ("discard", "postcard", "scorecard", "cardinal",
  // "vcard"), nor is "Karte", "carte" or "carta" alone (a map, a menu, a paper).
  var PAYMENT_WORD = /^(cc|cvc|cvv|cvn|csc|pan|iban|bic|swift|exp|expiry|expiration|card|cards|tarjetas?|cartao|cartoes)$/;
  var PAYMENT_RUN =
    /(credit|debit|gift|bank|prepaid|payment|charge)cards?|\bcards?(num|no|holder|owner|name|code|type|brand|exp|verif|secur|pin|cvc|cvv|id)|cvc|cvv|iban|expir|expdate|\bcc(num|no|exp|type|name|holder|cvc|cvv|sec)|security ?code|\b(account|acct|routing) ?(number|num|no)\b|\bsort ?code|karten ?(nummer|inhaber)|(kredit|debit|ec|bank|giro) ?karte|prue?f ?(nummer|ziffer|code)|sicherheits ?code|(ablauf|verfalls?) ?datum|gultig bis|kaart ?(nummer|houder)|bankpas|\bpas ?nummer|beveiligings ?code|verval ?datum|geldig tot|(numero|titula(ire|r)|titolare) (de |della |di )?(la )?(carte|carta|tarjeta)|(carte|carta) (bancaire|bleue|d[ei] (credit|debit))|cryptogramme|(code|codigo|codice) d[eio] s(ecurite|eguridad|eguranca|icurezza)|date de validite|fecha de (caducidad|vencimiento)|data di scadenza|data de (validade|vencimento)/;
  function payment(text) {
    var words = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '') // accents dropped: "Prüfnummer", "numéro", "cartão"
      // One lowercase letter before a capital is a prefix, not a word: "vCard", "eCard".
      .replace(/(^|[^a-zA-Z])([a-z])([A-Z])/g, function (m, before, a, b) {
        return before + a + b.toLowerCase();
      })
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z]+/);
    for (var i = 0; i < words.length; i++) if (PAYMENT_WORD.test(words[i])) return true;
    return PAYMENT_RUN.test(words.join(' '));
  }
  // 13-19 digits (separators aside: spaces of any kind, dashes, dots, slashes) passing the Luhn
  // check: a card number, whatever the field is called.
  function cardNumber(v) {
    var digits = v.replace(/[\s.\/-]/g, '');
    if (!/^\d{13,19}$/.test(digits)) return false;
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var n = +digits.charAt(digits.length - 1 - i);
      if (i % 2) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
      sum += n;
    }
    return sum % 10 === 0;
  }
  // Rendered and visible: not under `display:none`, not `visibility:hidden`, not zero-size, not
  // moved off the page (the ways honeypots are hidden). A checkbox or radio that a custom style
  // hides counts as visible when one of its labels is.
  function visible(el) {
    if (el.hidden || el.getAttribute('aria-hidden') === 'true') return false;
    if (!el.getClientRects().length) return false;
    var style = w.getComputedStyle(el);
    if (style.visibility !== 'visible' || +style.opacity === 0) return false;
    var r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    var de = d.documentElement;
    var x = r.left + w.scrollX;
    var y = r.top + w.scrollY;
    return x + r.width > 0 && y + r.height > 0 && x < Math.max(de.scrollWidth, de.clientWidth) && y < Math.max(de.scrollHeight, de.clientHeight);
  }
  function labelled(el) {
    var labels = el.labels || [];
    for (var i = 0; i < labels.length; i++) if (visible(labels[i])) return true;
    return false;
  }
  function readable(el) {
    if (!el || !('value' in el) || !el.getAttribute) return false;
    var type = String(el.type || '').toLowerCase();
    if (type === 'password' || type === 'hidden' || type === 'file') return false;
    var auto = String(el.getAttribute('autocomplete') || '').toLowerCase();
    if (/(^|\s)cc-|password/.test(auto)) return false;
    var labels = '';
    for (var i = 0; i < (el.labels || []).length; i++) labels += ' ' + el.labels[i].textContent;
    // What `aria-labelledby` and `aria-describedby` point to (ids in the field's document or shadow root).
    var root = el.getRootNode ? el.getRootNode() : d;
    var ids = ((el.getAttribute('aria-labelledby') || '') + ' ' + (el.getAttribute('aria-describedby') || '')).split(/\s+/);
    for (i = 0; i < ids.length; i++) {
      var by = ids[i] && root.getElementById && root.getElementById(ids[i]);
      if (by) labels += ' ' + by.textContent;
    }
    var names = [el.name, el.id, auto, el.getAttribute('placeholder'), el.getAttribute('title'), el.getAttribute('aria-label'), labels];
    if (payment(names.join(' '))) return false;
    // A field kept out of the tab order with autofill off is a honeypot by convention.
    if (el.tabIndex < 0 && auto === 'off') return false;
    if (visible(el)) return true;
    return (type === 'checkbox' || type === 'radio') && !el.hidden && labelled(el);
  }
  // Only a field of the submitted form (`form.elements`: the controls inside it and those outside
  // it that its `form` attribute names, not those inside it that name another form): by name or
  // id, else the first that matches the CSS selector. Never a field of another form on the page.
  function field(form, ref) {
    var els = form.elements;
    var el = null;
    try {
      el = els.namedItem(ref);
      for (var i = 0; !el && i < els.length; i++) if (els[i].matches(ref)) el = els[i];
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
  // Kept as text: "02139" and "0123456789" must reach the CRM as typed, and a 16-digit value must
  // not be rounded. The model still compares "500" as a number (numeric strings compare as numbers).
  function value(el) {
    if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return null;
    var v = String(el.value).trim().slice(0, 500);
    if (!v || cardNumber(v)) return null;
    return v;
  }
  function matches(form, selector) {
    try {
      return !!form.matches && form.matches(selector);
    } catch (e) {
      // One broken mapping must not disable the others.
      warn('forms: invalid selector ' + JSON.stringify(String(selector)), e);
      return false;
    }
  }
  function watchForms() {
    var forms = cfg.forms || [];
    on(d, 'submit', function (ev) {
      var form = ev.target;
      for (var i = 0; i < forms.length; i++) {
        var f = forms[i];
        if (!matches(form, f.selector)) continue;
        var traits = {};
        var userId = null;
        var any = false;
        for (var trait in f.traits || {}) {
          var el = field(form, f.traits[trait]);
          if (!readable(el)) continue;
          var v = value(el);
          if (v === null) continue;
          if (trait === 'userId') userId = v;
          else traits[trait] = v;
          any = true;
        }
        // The form's event first: when the identify then qualifies the visitor, the handoff
        // carries the request that triggered it.
        if (f.event) event('track', { event: f.event, properties: { form: f.selector } });
        if (any) event('identify', userId ? { userId: userId, traits: traits } : { traits: traits });
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
    step = 'the glue ' + glueUrl;
    var glue = await import(glueUrl);
    var wasm = cfg.wasm ? url(cfg.wasm) : new URL('baton_bg.wasm', glueUrl).href;
    var fallback = cfg.fallback ? url(cfg.fallback) : new URL('baton_fallback.js', glueUrl).href;
    step = native ? 'the wasm ' + wasm : 'the fallback ' + fallback;
    if (native) await glue.default({ module_or_path: wasm });
    // The same engine translated to JS by binaryen's wasm2js, fetched only here.
    else (await import(fallback)).init(glue);
    var model = cfg.model;
    if (typeof model === 'string') {
      step = 'the model ' + url(model);
      var res = await fetch(url(model), { credentials: 'same-origin' });
      if (!res.ok) throw new Error('model ' + url(model) + ': HTTP ' + res.status);
      model = await res.json();
    }
    var options = {};
    for (var k in cfg) options[k] = cfg[k];
    options.model = model;
    tracker = new glue.Tracker(options);
    var q = queue.splice(0, queue.length);
    for (var i = 0; i < q.length; i++) api.apply(null, q[i]);
    if (enabled('pageviews')) {
      autoPage();
      if (enabled('spa')) watchPages();
      // Back or forward to a page kept in the back/forward cache: a page view, as when the
      // browser loads it again (the page's scripts do not run again, so it is counted here).
      on(w, 'pageshow', function (ev) {
        if (!ev.persisted) return;
        last = lastUrl = null; // as on a load: the referrer is the document's
        autoPage();
      });
    }
    if (enabled('downloads')) watchDownloads();
    if (enabled('forms')) watchForms();
    // Hand what is still pending to sendBeacon when the page goes away or to the background.
    on(w, 'pagehide', function () {
      sendHeld();
      tracker.flush();
    });
    on(d, 'visibilitychange', function () {
      if (d.visibilityState !== 'hidden') return;
      sendHeld();
      tracker.flush();
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
