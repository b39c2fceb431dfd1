//! First-party persistence for the snippet: `localStorage` under versioned keys, with an in-memory
//! fallback so a page without storage (disabled, sandboxed) still scores the visitor for the page,
//! and a refused write (quota exceeded for a moment) is written again at the next write. No
//! cookies, ever.
//!
//! Other tabs' writes are learned from the `storage` event (the browser fires it in every *other*
//! same-origin page that shares the storage), so the per-event path reads nothing: a tab re-reads
//! the records only after something told it they may have changed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Storage, Window};

/// A storage key: the snippet's prefix and a record's name, joined at compile time (the keys are
/// constants, so no call builds one).
macro_rules! key {
    ($name:literal) => {
        concat!("baton:v1:", $name)
    };
}

/// Every key the snippet writes starts with this; the `v1` is the record format version, so a
/// future format can live beside this one and migrate it instead of misreading it.
pub const PREFIX: &str = key!("");
/// The records, by their index in `KEYS` (what `get`, `set` and `remove` take). Their order is
/// the order in which writes storage refused are written again: the consent, then the outbox
/// before the visitor state (whose stage may have queued a handoff in it).
const KEYS: [&str; 3] = [key!("consent"), key!("outbox"), key!("visitor")];
/// The visitor's consent choice ("granted" / "denied"); the embed code reads it too, to decide
/// whether to load anything at all in `required` mode.
pub const CONSENT: usize = 0;
/// The persisted outbox (handoffs not yet acknowledged), shared by all tabs of the site.
pub const OUTBOX: usize = 1;
/// The visitor record: anonymous id, model hash and the engine's exported state.
pub const VISITOR: usize = 2;
/// Largest value written: the engine state is a few KB and the outbox is bounded by the model's
/// policy; anything larger is a bug we should not push into a shared, quota-limited store.
const MAX_VALUE_CHARS: usize = 256 * 1024;

/// Where the snippet keeps its records. `Memory` means "this page only": nothing survives it.
pub enum Store {
    Local(Local),
    Memory,
}

/// `localStorage` and a flag raised when another page may have written it.
pub struct Local {
    storage: Storage,
    /// Per record (as `KEYS`), the value of its last write when storage refused it (full for a
    /// moment, revoked): read from here while it waits, written again before the next write.
    unwritten: [Option<String>; 3],
    window: Window,
    changed: Rc<Cell<bool>>,
    /// The tracker's callback (see `Store::on_wake`).
    wake: WakeHook,
    listener: Closure<dyn FnMut(JsValue)>,
    /// The document, where `visibilitychange` and `freeze` fire (`None` if it could not be read).
    document: Option<JsValue>,
    leave_listener: Closure<dyn FnMut(JsValue)>,
}

/// Why the store calls the tracker back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Another page may have changed the outbox (a `storage` event for it, a `clear()`, a return
    /// from the back-forward cache or a freeze): deliveries may be due.
    OutboxChanged,
    /// The page may never run again (`pagehide`, `visibilitychange`, `freeze`): write what is
    /// not written yet.
    Leaving,
}

/// One callback for both reasons (one boxed closure in the snippet, not two).
type WakeHook = Rc<RefCell<Option<Box<dyn Fn(Wake)>>>>;

/// Events after which the stored records may differ from what this page last read or wrote:
/// another page wrote (`storage`), or the page comes back from the back-forward cache (`pageshow`)
/// or a freeze (`resume`), during which it may have missed `storage` events.
const WAKE_EVENTS: [&str; 3] = ["storage", "pageshow", "resume"];

/// Events after which the page may never run again (closed, navigated away, hidden and later
/// discarded, frozen): whatever the tracker has not written yet is written at once. `pagehide`
/// fires at the window, `visibilitychange` and `freeze` at the document (hidden or visible: a
/// write with nothing pending costs nothing).
const LEAVE_WINDOW_EVENT: &str = "pagehide";
const LEAVE_DOCUMENT_EVENTS: [&str; 2] = ["visibilitychange", "freeze"];

#[wasm_bindgen]
extern "C" {
    // NOTE: the window seen as an event target, declared here rather than through web-sys's
    // `EventTarget` feature: two calls do not justify another feature in the snippet build.
    type Target;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_listener(this: &Target, kind: &str, listener: &JsValue);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_listener(this: &Target, kind: &str, listener: &JsValue);

    // NOTE: `getItem` as a JS value, read with `as_string`: web-sys's `Option<String>` return
    // has the glue copy the text into wasm memory itself (a second copy of that code).
    #[wasm_bindgen(js_name = Storage)]
    type StorageValues;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_value(this: &StorageValues, key: &str) -> Result<JsValue, JsValue>;
}

impl Local {
    fn new(window: Window, storage: Storage) -> Local {
        // Raised at first, so the first `sync` reads whatever is there.
        let changed = Rc::new(Cell::new(true));
        let flag = Rc::clone(&changed);
        let wake: WakeHook = Rc::default();
        let hook = Rc::clone(&wake);
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // A `storage` event names its key (`null` after `clear()`); ignore the site's own keys.
            // Any other event (no `key`) may hide changes, so it always raises the flag. A
            // `sessionStorage` write under our prefix raises it too: that only costs one re-read.
            let key = js_sys::Reflect::get(&event, &"key".into()).unwrap_or(JsValue::UNDEFINED);
            let key = key.as_string();
            if key.as_deref().is_none_or(|k| k.starts_with(PREFIX)) {
                flag.set(true);
            }
            // The outbox itself (or anything, after `clear()` or a return): deliveries may be due.
            if key.as_deref().is_none_or(|k| k == KEYS[OUTBOX]) {
                if let Some(f) = hook.borrow().as_ref() {
                    f(Wake::OutboxChanged);
                }
            }
        });
        for kind in WAKE_EVENTS {
            window
                .unchecked_ref::<Target>()
                .add_listener(kind, listener.as_ref());
        }
        let hook = Rc::clone(&wake);
        // The same closure type as `listener` (one wasm-bindgen adapter for both).
        let leave_listener = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(f) = hook.borrow().as_ref() {
                f(Wake::Leaving);
            }
        });
        window
            .unchecked_ref::<Target>()
            .add_listener(LEAVE_WINDOW_EVENT, leave_listener.as_ref());
        // Read through `Reflect.get` rather than web-sys's `Document` feature (one property).
        let document = js_sys::Reflect::get(&window, &"document".into())
            .ok()
            .filter(JsValue::is_object);
        if let Some(d) = &document {
            for kind in LEAVE_DOCUMENT_EVENTS {
                d.unchecked_ref::<Target>()
                    .add_listener(kind, leave_listener.as_ref());
            }
        }
        Local {
            storage,
            unwritten: Default::default(),
            window,
            changed,
            wake,
            listener,
            document,
            leave_listener,
        }
    }
}

impl Drop for Local {
    // The closure dies with this value: the page must not keep calling it.
    fn drop(&mut self) {
        for kind in WAKE_EVENTS {
            self.window
                .unchecked_ref::<Target>()
                .remove_listener(kind, self.listener.as_ref());
        }
        self.window
            .unchecked_ref::<Target>()
            .remove_listener(LEAVE_WINDOW_EVENT, self.leave_listener.as_ref());
        if let Some(d) = &self.document {
            for kind in LEAVE_DOCUMENT_EVENTS {
                d.unchecked_ref::<Target>()
                    .remove_listener(kind, self.leave_listener.as_ref());
            }
        }
    }
}

/// The kinds of trouble the console hears about, each once per page (a warning per event is
/// noise, but a second kind of problem must not hide behind the first).
#[derive(Clone, Copy)]
pub enum Trouble {
    Unavailable,
    Refused,
    TooLarge,
    /// A stored record (or the state in it) that could not be read, discarded: one warning
    /// however many records were corrupt at once.
    Discarded,
    OtherModel,
}

thread_local! {
    /// One bit per `Trouble` already warned of.
    static WARNED: Cell<u8> = const { Cell::new(0) };
}

/// Logs `message` once per page for each kind of trouble (the snippet's only console output
/// besides load and delivery failures).
pub fn warn_once(kind: Trouble, message: &str) {
    let bit = 1u8 << kind as u8;
    if WARNED.with(|w| w.replace(w.get() | bit)) & bit == 0 {
        web_sys::console::warn_1(&format!("baton: {message}").into());
    }
}

impl Store {
    /// Opens `localStorage`; touching it may throw (Safari private mode, sandboxed iframes,
    /// storage disabled), in which case the page runs in memory only.
    pub fn open() -> Store {
        let window = super::page::window();
        let storage = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten());
        match (window, storage) {
            (Some(w), Some(s)) => Store::Local(Local::new(w, s)),
            _ => {
                warn_once(
                    Trouble::Unavailable,
                    "localStorage is unavailable; scoring in memory for this page only",
                );
                Store::Memory
            }
        }
    }

    /// Whether another page may have written since the last call (which lowers the flag). An
    /// in-memory store is never written by anyone else.
    pub fn take_changed(&self) -> bool {
        match self {
            Store::Local(l) => l.changed.replace(false),
            Store::Memory => false,
        }
    }

    /// Calls `f` whenever another page may have changed the outbox (a `storage` event for it, a
    /// `clear()`, a return from the back-forward cache or a freeze), and when the page may never
    /// run again (`pagehide`, `visibilitychange`, `freeze`). An in-memory store is never written
    /// by anyone else and keeps nothing beyond the page.
    pub fn on_wake(&self, f: Box<dyn Fn(Wake)>) {
        if let Store::Local(l) = self {
            *l.wake.borrow_mut() = Some(f);
        }
    }

    /// Reads one record; `None` when absent or when storage fails. A record storage refused is
    /// read as this page last wrote it.
    pub fn get(&self, key: usize) -> Option<String> {
        match self {
            Store::Local(l) => match &l.unwritten[key] {
                Some(value) => Some(value.clone()),
                None => l
                    .storage
                    .unchecked_ref::<StorageValues>()
                    .get_item_value(KEYS[key])
                    .ok()?
                    .as_string(),
            },
            Store::Memory => None,
        }
    }

    /// Writes one record. A write storage refuses (quota, storage revoked mid-page) is kept and
    /// tried again before each later write (and by `retry`): the page goes on scoring with what
    /// it holds, and what it wrote reaches storage once storage takes writes again.
    pub fn set(&mut self, key: usize, value: &str) {
        if value.len() > MAX_VALUE_CHARS {
            warn_once(
                Trouble::TooLarge,
                "a record exceeded its size bound and was not stored",
            );
            return;
        }
        if let Store::Local(l) = self {
            l.unwritten[key] = Some(value.to_owned());
            l.retry();
        }
    }

    /// Writes again what storage refused before (nothing when it took every write).
    pub fn retry(&mut self) {
        if let Store::Local(l) = self {
            l.retry();
        }
    }

    /// Removes one record (ignoring failures: there is nothing better to do with them).
    pub fn remove(&mut self, key: usize) {
        if let Store::Local(l) = self {
            // A refused write of it must not come back later.
            l.unwritten[key] = None;
            let _ = l.storage.remove_item(KEYS[key]);
        }
    }
}

impl Local {
    /// Writes the records waiting in `unwritten`, in `KEYS` order, and stops at the first one
    /// storage refuses (nothing is stored after a record that was not: the outbox always reaches
    /// storage before the visitor state that queued a handoff in it).
    fn retry(&mut self) {
        for (key, waiting) in KEYS.iter().zip(&mut self.unwritten) {
            if let Some(value) = waiting {
                if self.storage.set_item(key, value).is_err() {
                    warn_once(
                        Trouble::Refused,
                        "localStorage refused a write; the page goes on in memory and writes again at the next change",
                    );
                    return;
                }
                *waiting = None;
            }
        }
    }
}
