//! First-party persistence for the snippet: `localStorage` under versioned keys, with an in-memory
//! fallback so a page whose storage throws (disabled, sandboxed, quota exceeded) still scores the
//! visitor for the page. No cookies, ever.

use std::cell::Cell;

use web_sys::Storage;

/// Every key the snippet writes starts with this; the `v1` is the record format version, so a
/// future format can live beside this one and migrate it instead of misreading it.
pub const PREFIX: &str = "baton:v1:";
/// The visitor record: anonymous id, model hash and the engine's exported state.
pub const VISITOR: &str = "visitor";
/// The persisted outbox (handoffs not yet acknowledged), shared by all tabs of the site.
pub const OUTBOX: &str = "outbox";
/// The visitor's consent choice ("granted" / "denied"); the embed code reads it too, to decide
/// whether to load anything at all in `required` mode.
pub const CONSENT: &str = "consent";
/// Largest value written: the engine state is a few KB and the outbox is bounded by the model's
/// policy; anything larger is a bug we should not push into a shared, quota-limited store.
const MAX_VALUE_CHARS: usize = 256 * 1024;

/// Where the snippet keeps its records. `Memory` means "this page only": nothing survives it.
pub enum Store {
    Local(Storage),
    Memory,
}

thread_local! {
    /// One warning per page about storage trouble is useful; a warning per event is noise.
    static WARNED: Cell<bool> = const { Cell::new(false) };
}

/// Logs `message` once per page (the snippet's only console output besides load failures).
pub fn warn_once(message: &str) {
    if !WARNED.with(|w| w.replace(true)) {
        web_sys::console::warn_1(&format!("baton: {message}").into());
    }
}

impl Store {
    /// Opens `localStorage`; touching it may throw (Safari private mode, sandboxed iframes,
    /// storage disabled), in which case the page runs in memory only.
    pub fn open() -> Store {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        match storage {
            Some(s) => Store::Local(s),
            None => {
                warn_once("localStorage is unavailable; scoring in memory for this page only");
                Store::Memory
            }
        }
    }

    /// Reads one record; `None` when absent or when storage fails.
    pub fn get(&self, name: &str) -> Option<String> {
        match self {
            Store::Local(s) => s.get_item(&key(name)).ok().flatten(),
            Store::Memory => None,
        }
    }

    /// Writes one record. A failing write (quota, storage revoked mid-page) switches the store to
    /// memory: the visitor is still scored for this page, and we stop hammering a broken store.
    pub fn set(&mut self, name: &str, value: &str) {
        if value.len() > MAX_VALUE_CHARS {
            warn_once("a record exceeded its size bound and was not stored");
            return;
        }
        if let Store::Local(s) = self {
            if s.set_item(&key(name), value).is_err() {
                warn_once("localStorage refused a write; scoring in memory for this page only");
                *self = Store::Memory;
            }
        }
    }

    /// Removes one record (ignoring failures: there is nothing better to do with them).
    pub fn remove(&self, name: &str) {
        if let Store::Local(s) = self {
            let _ = s.remove_item(&key(name));
        }
    }
}

fn key(name: &str) -> String {
    let mut k = String::with_capacity(PREFIX.len() + name.len());
    k.push_str(PREFIX);
    k.push_str(name);
    k
}
