//! The page's `window`, declared here rather than reached through `web_sys::window()`, which
//! finds the global object through four accessors (`globalThis`, `self`, `window`, `global`)
//! and an `instanceof Window` check: glue and shims in the snippet (benches/SIZE.md, step 30).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Window;

#[wasm_bindgen]
extern "C" {
    /// `window`, absent (`None`) where there is none (a worker, Node), as `web_sys::window()`
    /// finds no `Window` there.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Option<Window>;
}

/// The page's `window`, or `None` outside a page.
pub fn window() -> Option<Window> {
    WINDOW.with(Option::clone)
}

/// How long a write may wait for an idle period before it runs anyway (`requestIdleCallback`'s
/// `timeout`).
const IDLE_TIMEOUT_MS: u32 = 1_000;
/// Where there is no `requestIdleCallback` (Safari): a short timer, so the events of a burst
/// (one click, one navigation) still share one write.
const NO_IDLE_DELAY_MS: u32 = 50;

/// Runs `f` once, soon, off the current task: in the next idle period (`requestIdleCallback`
/// with a timeout of `IDLE_TIMEOUT_MS`), or after `NO_IDLE_DELAY_MS` (`setTimeout`) where the page
/// has no idle callbacks. Both are looked up on the window at each call (`Reflect.get`, already in
/// the snippet) and called the same way, so a browser without the first costs no exception and
/// the snippet no second closure type. Outside a page nothing runs (nothing is stored there).
pub fn when_idle(f: Box<dyn FnOnce(JsValue)>) {
    let Some(w) = window() else { return };
    let get = |name: &str| {
        js_sys::Reflect::get(&w, &name.into())
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Function>().ok())
    };
    let (request, arg) = match get("requestIdleCallback") {
        Some(idle) => {
            let options = js_sys::Object::new();
            super::net::set(&options, "timeout", &IDLE_TIMEOUT_MS.into());
            (Some(idle), options.into())
        }
        None => (get("setTimeout"), JsValue::from(NO_IDLE_DELAY_MS)),
    };
    if let Some(request) = request {
        // Cannot throw with these arguments; were it to, the next write point (a bound, a read,
        // `flush`, `pagehide`) still writes.
        let _ = request.call2(&w, &super::net::once_js(f), &arg);
    }
}
