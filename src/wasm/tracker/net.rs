//! Browser network primitives for delivery: a CORS-simple `fetch` with `keepalive` and a timeout,
//! `sendBeacon`, `Retry-After` parsing, and a cross-tab Web Lock. No scoring, no outbox policy:
//! those are the engine's; this file only moves bytes and reports what happened.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, Response};

use crate::outbox::DeliveryResult;

/// Browsers cap the bytes of all keepalive requests in flight per page at 64 KiB; a body above
/// this goes out as an ordinary fetch (it then dies with the page, and the outbox retries it).
const KEEPALIVE_MAX_BYTES: usize = 60 * 1024;

/// POSTs `body` as `text/plain` (a CORS-simple request: no preflight, no custom headers) and calls
/// `done` exactly once: with the status, or with a network error / timeout. The result is the
/// outbox's own type (what it means is the outbox's to decide), so nothing converts it again.
pub fn post(
    endpoint: &str,
    body: &str,
    timeout_ms: u32,
    now_ms: f64,
    done: impl FnOnce(DeliveryResult) + 'static,
) {
    let Some(window) = super::page::window() else {
        done(DeliveryResult::NetworkError("no window".into()));
        return;
    };
    // The init dictionary as a plain object: web-sys's `RequestInit` setters are one import
    // each (and an enum table for `credentials`); one `Reflect.set` does them all.
    let init = Object::new();
    set(&init, "method", &"POST".into());
    // A string body makes the browser send `Content-Type: text/plain;charset=UTF-8`.
    set(&init, "body", &body.into());
    set(
        &init,
        "keepalive",
        &JsValue::from_bool(body.len() <= KEEPALIVE_MAX_BYTES),
    );
    set(&init, "credentials", &"omit".into());
    let controller = AbortController::new().ok();
    if let Some(c) = &controller {
        set(&init, "signal", &c.signal());
    }
    // A hung endpoint must not hold the entry forever: abort, and let the outbox retry.
    let timer =
        controller.map(|c| gloo_timers::callback::Timeout::new(timeout_ms, move || c.abort()));
    let settle = once_js(Box::new(move |value: JsValue| {
        drop(timer); // cancels the abort timer if it has not fired
        let outcome = match value.dyn_into::<Response>() {
            Ok(resp) => DeliveryResult::Status {
                code: resp.status(),
                retry_after_ms: resp
                    .headers()
                    .unchecked_ref::<HeaderValues>()
                    .get_value("retry-after")
                    .ok()
                    .and_then(|v| v.as_string())
                    .and_then(|v| retry_after_ms(&v, now_ms)),
            },
            Err(err) => DeliveryResult::NetworkError(error_message(&err)),
        };
        done(outcome);
    }));
    // One closure for both outcomes: a `Response` means fulfilled, anything else is the rejection.
    // (`once_js` frees itself when called; exactly one of the two paths calls it.)
    let request = window.fetch_with_str_and_init(endpoint, init.unchecked_ref());
    request.unchecked_ref::<Thenable>().then(&settle, &settle);
}

/// A JS function that runs `f` once and then frees it. Every one-shot callback goes through this
/// one instance of wasm-bindgen's adapter (one per closure type otherwise).
pub fn once_js(f: Box<dyn FnOnce(JsValue)>) -> JsValue {
    Closure::once_into_js(f)
}

/// `target[key] = value` (`Reflect.set`), a failure ignored: the targets are plain objects.
pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// Queues `body` with `navigator.sendBeacon` (for `pagehide`): true when the browser took it.
/// The response is never seen, so the caller keeps the entry in flight until its lease expires.
pub fn beacon(endpoint: &str, body: &str) -> bool {
    super::page::window()
        .and_then(|w| {
            w.navigator()
                .send_beacon_with_opt_str(endpoint, Some(body))
                .ok()
        })
        .unwrap_or(false)
}

/// `Retry-After` is either delay-seconds or an HTTP date; both become a delay in ms.
pub fn retry_after_ms(value: &str, now_ms: f64) -> Option<i64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return crate::text::int::parse_i64(v).map(|s| s.saturating_mul(1000));
    }
    // An HTTP date always has a time of day; anything else ("soon", "-5") is not a delay we know.
    if !v.contains(':') {
        return None;
    }
    let at = js_sys::Date::parse(v);
    if at.is_finite() {
        Some(((at - now_ms).max(0.0)) as i64)
    } else {
        None
    }
}

/// A rejected fetch's reason: its `message` (fetch rejects with a `TypeError` or an `AbortError`
/// `DOMException`), a string reason as it is, anything else "network error". Read through
/// `Reflect.get`, already imported, rather than an `instanceof Error` check and a `message` getter
/// (two imports of their own).
fn error_message(err: &JsValue) -> String {
    Reflect::get(err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "network error".into())
}

// NOTE: web-sys exposes the Web Locks API only behind `--cfg=web_sys_unstable_apis`, which would
// have to be set for every build of the crate; these two declarations are all we need of it.
#[wasm_bindgen]
extern "C" {
    // NOTE: js-sys 0.3.107 types `Promise::then2` with Rust closures; passing one self-freeing JS
    // function for both outcomes needs the plain `then(onFulfilled, onRejected)`.
    #[wasm_bindgen(js_name = Promise)]
    type Thenable;
    #[wasm_bindgen(method, js_name = then)]
    fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> JsValue;

    // NOTE: `Headers.get` as a JS value, read with `as_string`: web-sys's `Option<String>` return
    // has the glue copy the text into wasm memory itself (a second copy of that code).
    #[wasm_bindgen(js_name = Headers)]
    type HeaderValues;
    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_value(this: &HeaderValues, name: &str) -> Result<JsValue, JsValue>;

    type LockManager;
    #[wasm_bindgen(method, js_name = request)]
    fn request(this: &LockManager, name: &str, options: &JsValue, callback: &JsValue) -> Promise;
}

/// Runs `critical` while holding the cross-tab lock `name` (Web Locks: one holder per origin at a
/// time). When another tab holds it, `critical(false)` runs instead so the caller can retry later.
/// Without Web Locks (old browsers) it runs unlocked: the receiver's dedupe covers what is left.
pub fn with_lock(name: &str, critical: impl FnOnce(bool) + 'static) {
    let locks = super::page::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| l.is_object());
    let Some(locks) = locks else {
        critical(true);
        return;
    };
    let options = Object::new();
    set(&options, "ifAvailable", &JsValue::TRUE);
    // The lock is released when the callback returns (it returns undefined, not a promise).
    let callback = once_js(Box::new(move |lock: JsValue| critical(!lock.is_null())));
    let manager: LockManager = locks.unchecked_into();
    let _ = manager.request(name, &options, &callback);
}

#[cfg(test)]
mod tests {
    use super::retry_after_ms;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// 2026-11-02T09:00:00Z, the "now" of the worked examples.
    const NOW: f64 = 1_793_610_000_000.0;

    #[wasm_bindgen_test]
    fn retry_after_worked_examples() {
        let table: &[(&str, Option<i64>)] = &[
            ("120", Some(120_000)),
            ("0", Some(0)),
            (" 7 ", Some(7_000)),
            ("Mon, 02 Nov 2026 09:00:30 GMT", Some(30_000)),
            ("Mon, 02 Nov 2026 08:00:00 GMT", Some(0)), // in the past: retry now
            ("soon", None),
            ("-5", None),
            ("", None),
        ];
        for (header, want) in table {
            assert_eq!(
                retry_after_ms(header, NOW),
                *want,
                "Retry-After: {header:?}"
            );
        }
    }
}
