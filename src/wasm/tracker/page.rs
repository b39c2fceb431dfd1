//! The page's `window`, declared here rather than reached through `web_sys::window()`, which
//! finds the global object through four accessors (`globalThis`, `self`, `window`, `global`)
//! and an `instanceof Window` check: glue and shims in the snippet (benches/SIZE.md, step 30).

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
