//! The page's globals the tracker reaches, declared here rather than through `web_sys::window()`
//! and gloo-timers: `web_sys::window()` finds the global object through four accessors
//! (`globalThis`, `self`, `window`, `global`) and an `instanceof Window` check, and gloo's timers
//! take a `FnMut()` closure, a second closure signature beside the tracker's `FnMut(JsValue)`;
//! each costs glue and adapters in the snippet (benches/SIZE.md, step 30).

use wasm_bindgen::prelude::*;
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

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A pending `setTimeout`: dropping it cancels the call (as gloo's `Timeout` did, whose
/// place this takes). The callback is a `FnMut(JsValue)` closure like every other the tracker
/// hands to JavaScript, so one closure adapter serves them all.
pub struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Timer {
    /// Calls `callback` once after `ms` milliseconds (as `setTimeout` reads `ms as i32`).
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Timer {
        let callback = Closure::once(move |_: JsValue| callback());
        let id = set_timeout(callback.as_ref(), ms as i32);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}
