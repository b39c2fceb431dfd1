//! `Tracker`: the site snippet's runtime. One visitor, one model, the browser's services around the
//! engine: the clock (read here, never in the engine), consent, `localStorage` persistence shared by
//! every tab, and delivery of handoffs through the engine's `Outbox` (fetch, sendBeacon, retries on
//! gloo-timers, a Web Lock so several tabs deliver each handoff once).
//!
//! The JS loader (`www/snippet/baton.js`) only captures DOM events and calls these methods.

mod net;
mod page;
mod store;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use crate::json::Value;
use gloo_timers::callback::Timeout;
use js_sys::{Date, Function, Math};
use wasm_bindgen::prelude::*;

use self::store::{warn_once, Store, Trouble, Wake, CONSENT, OUTBOX, VISITOR};
use super::convert::{js_error, json_value, written_to_js};
use crate::model::Model;
use crate::outbox::{DeliveryResult, DeliveryState, DueDelivery, Outbox};
use crate::state::VisitorState;

#[wasm_bindgen(typescript_custom_section)]
const TRACKER_TYPES: &str = r#"
/** Options of `new Tracker(...)`; the snippet passes its embed config (other keys are ignored). */
export interface TrackerOptions {
  /** The scoring model (object or JSON text). */
  model: Model | string;
  /** Where handoffs are POSTed; defaults to the model's `handoff.endpoint`. */
  endpoint?: string;
  /** `required`: nothing stored or sent before `consent(true)`. Default `granted`. */
  consent?: 'granted' | 'required';
  /** A request to the endpoint is abandoned (and retried) after this many ms. Default 10000. */
  requestTimeoutMs?: number;
}
/** The endpoint acknowledged a handoff (a 2xx `status`). */
export interface DeliveryReceipt {
  handoffId: string;
  status: number;
}
/** What each `Tracker.on` hook is called with. */
export interface TrackerEvents {
  /** The handoff payload, exactly as it will be posted, as soon as the visitor qualifies. */
  qualified: Handoff;
  /** A stage the visitor just entered. */
  stage: StageEntry;
  /** The score after each event. */
  score: Score;
  delivered: DeliveryReceipt;
  /** A handoff the endpoint refused for good (a 4xx) or that was given up after its retries. */
  'delivery-failed': DeliveryFailure;
}
/** A handoff that will not be delivered: where it went and why (also warned in the console). */
export interface DeliveryFailure {
  handoffId: string;
  endpoint: string;
  reason: string;
}
/** Hooks for `Tracker.on`. */
export type TrackerHook = keyof TrackerEvents;
// `on` is declared here rather than on the class: wasm-bindgen cannot emit a generic method, and
// the generic ties each hook name to its value's type. The interface merges into `class Tracker`.
export interface Tracker {
  /**
   * Registers a hook: `qualified` (the handoff payload, at once, so the page can act: open a
   * calendar, prefill the demo form), `stage` (a stage entry), `score` (after each event),
   * `delivered` (`{ handoffId, status }` when the endpoint acknowledged), `delivery-failed`
   * (`{ handoffId, endpoint, reason }` when a handoff was refused for good or given up). Throws on
   * an unknown name or a callback that is not a function.
   *
   * ```js
   * tracker.on('qualified', (handoff) => showCalendar(handoff.traits.email));
   * ```
   */
  on<K extends TrackerHook>(name: K, callback: (value: TrackerEvents[K]) => void): void;
}
"#;

/// A hung endpoint is abandoned after this long and the attempt counts as a network error.
const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 10_000;
/// Tabs wake for the same due time; a little per-tab spread lets the first one take the lock and
/// the others find the entry already in flight instead of queuing behind it.
const WAKE_SPREAD_MS: f64 = 250.0;
/// Retry soon when another tab held the delivery lock (it may be about to close).
const LOCK_BUSY_RETRY_MS: u32 = 1_000;
/// The Web Lock every tab of the site takes to move outbox entries to "in flight".
const DELIVERY_LOCK: &str = "baton:v1:delivery";
/// Format of the stored visitor record (bump with a migration when the shape changes). Version 2
/// holds the engine's state inline (`"state":{...}`); version 1 held it as JSON text inside the
/// JSON, escaped a second time on every event. Version 1 records are still read.
const VISITOR_RECORD_VERSION: u64 = 2;
/// Events scored but not yet written are written at once when this many wait (the bound on what
/// is kept in memory; in a long burst, one event in this many pays for the write).
const MAX_PENDING: usize = 32;

/// How the site asks for consent (the embed's `consent` option).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ConsentMode {
    /// Track unless the visitor has said no.
    Granted,
    /// Store nothing, send nothing until `consent(true)`.
    Required,
}

/// Where this visitor's consent stands. An enum, not flags: each state says what is allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Consent {
    /// Scored in memory only; nothing stored, nothing sent.
    Pending,
    /// Stored and delivered.
    Granted,
    /// Nothing kept at all; events are dropped.
    Denied,
}

/// The embed's options the runtime reads (the loader passes its whole configuration; the rest is
/// the loader's own).
struct Options {
    endpoint: Option<String>,
    consent: ConsentMode,
    request_timeout_ms: Option<u32>,
}

impl Options {
    /// Reads the three fields by hand: a derived `Deserialize` brought serde's whole deserializer
    /// into the snippet's wasm for them. Absent, `undefined` and `null` mean the default; a wrong
    /// type or value is an error naming the option (as text: the caller makes the one `JsError`).
    fn read(options: &JsValue) -> Result<Options, &'static str> {
        let field = |name: &str| {
            js_sys::Reflect::get(options, &name.into())
                .ok()
                .filter(|v| !v.is_undefined() && !v.is_null())
        };
        let endpoint = match field("endpoint") {
            None => None,
            Some(v) => Some(
                v.as_string()
                    .ok_or("options.endpoint: must be a URL string")?,
            ),
        };
        let consent = match field("consent").map(|v| v.as_string()) {
            None => ConsentMode::Granted,
            Some(Some(mode)) if mode == "granted" => ConsentMode::Granted,
            Some(Some(mode)) if mode == "required" => ConsentMode::Required,
            Some(_) => return Err("options.consent: must be \"granted\" or \"required\""),
        };
        let request_timeout_ms = match field("requestTimeoutMs") {
            None => None,
            Some(v) => match v.as_f64() {
                Some(ms) if (0.0..=f64::from(u32::MAX)).contains(&ms) => Some(ms as u32),
                _ => {
                    return Err(
                        "options.requestTimeoutMs: must be a number of milliseconds from 0 to 4294967295",
                    )
                }
            },
        };
        Ok(Options {
            endpoint,
            consent,
            request_timeout_ms,
        })
    }
}

/// What `localStorage` keeps for the visitor: their anonymous id and the engine's state for one
/// model (a state is only meaningful with the model that produced it).
struct VisitorRecord {
    id: String,
    model: String,
    /// The model's `version` (`"1.0.1"`), for the message of a tab that yields to another
    /// model's record; absent from records written before it was added.
    label: Option<String>,
    /// The engine's exported state: the JSON tree itself (version 2), or its JSON text as a
    /// string (version 1).
    state: Value,
}

impl VisitorRecord {
    /// `{"v":2,"id":…,"model":…,"mv":…,"state":…}`. Written on every event, so the state is
    /// written straight into the record's text (one buffer, no state text copied in).
    fn write(id: &str, model: &Model, state: &VisitorState) -> String {
        let mut o = crate::json::JsonOut::new();
        o.begin_object()
            .key("v")
            .u64(VISITOR_RECORD_VERSION)
            .key("id")
            .str(id)
            .key("model")
            .str(model.hash())
            .key("mv")
            .str(model.version());
        o.key("state");
        crate::json::WriteJson::write_json(state, &mut o);
        o.end_object();
        o.finish()
    }

    /// Reads a stored record of version 2 or 1; `None` for anything else (corrupt or foreign).
    /// Whether the state itself is valid is the engine's to say.
    fn read(text: &str) -> Option<VisitorRecord> {
        let mut rec: Value = crate::json::parse(text).ok()?;
        let text_of = |rec: &Value, key: &str| rec.get(key)?.as_str().map(str::to_owned);
        let id = text_of(&rec, "id").filter(|id| !id.is_empty())?;
        let model = text_of(&rec, "model")?;
        let label = text_of(&rec, "mv");
        let version = rec.get("v")?.as_u64()?;
        // Taken, not cloned: the tree goes to the engine as it is.
        let state = rec.get_mut("state")?.take();
        match (version, &state) {
            // The current version (`VISITOR_RECORD_VERSION`).
            (2, Value::Object(_)) => {}
            // Version 1: the state as JSON text.
            (1, Value::String(_)) => {}
            _ => return None,
        }
        Some(VisitorRecord {
            id,
            model,
            label,
            state,
        })
    }

    /// Restores `engine` from this record's state, as `Engine::with_state` of the state's text
    /// would: a version 2 state is read from its tree as it is (the length bound of a state text
    /// applying to the whole record text it came in), a version 1 state is parsed from its text.
    /// One call into the engine for both, so its state reader is in the wasm once.
    fn restore(self, engine: &mut crate::Engine, record_len: usize) -> Result<(), crate::Error> {
        let tree = match self.state {
            Value::String(text) => VisitorState::parse_text(&text)?,
            tree => {
                crate::state::check_text_len(record_len)?;
                tree
            }
        };
        engine.restore_state_value(tree)
    }
}

/// The hooks a page can register with `on(name, fn)`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hook {
    /// A handoff was created (the visitor reached the handoff stage): the payload.
    Qualified,
    /// The visitor entered a stage: the stage entry.
    Stage,
    /// After every scored event: the score.
    Score,
    /// The endpoint acknowledged a handoff: `{ handoffId, status }`.
    Delivered,
    /// A handoff failed for good (refused, or given up): `{ handoffId, endpoint, reason }`.
    DeliveryFailed,
}

impl Hook {
    fn parse(name: &str) -> Option<Hook> {
        match name {
            "qualified" => Some(Hook::Qualified),
            "stage" => Some(Hook::Stage),
            "score" => Some(Hook::Score),
            "delivered" => Some(Hook::Delivered),
            "delivery-failed" => Some(Hook::DeliveryFailed),
            _ => None,
        }
    }
}

struct Inner {
    engine: crate::Engine,
    outbox: Outbox,
    store: Store,
    consent: Consent,
    endpoint: Option<String>,
    visitor_id: String,
    request_timeout_ms: u32,
    hooks: Vec<(Hook, Function)>,
    timer: Option<Timeout>,
    /// The raw records last read or written: when storage holds something else, another tab wrote.
    seen_visitor: Option<String>,
    seen_outbox: Option<String>,
    /// Events scored since the visitor record was last written, as stamped, each with the time
    /// it was scored. `track` returns without writing; the record is written once for all of
    /// them in an idle period (or at a bound, `flush`, `pagehide`, ...). When another tab's
    /// newer record replaces the state, these are re-ingested on top of it, never lost under it.
    pending: Vec<(Value, i64)>,
    /// An idle callback is armed to write `pending`.
    write_armed: bool,
    /// The stored visitor record was written under another model after this tab started (a
    /// tab opened after a model deploy, or a page of another model): this tab keeps scoring in
    /// memory for the page and leaves that record alone, except to store a new visitor.
    yielded: bool,
    /// The visitor ids this tab replaced by a new visitor (`reset`, consent revoked): a record
    /// under one of them is another tab's write that had not seen the new visitor yet.
    replaced: Vec<String>,
    /// Hook calls made once the state is no longer borrowed (a hook may call back into the
    /// tracker), by `notify`.
    notes: Notes,
}

/// Calls to make once the state is no longer borrowed (a hook may call back into the tracker).
type Notes = Vec<(Hook, JsValue)>;

/// The site snippet's runtime: scores the visitor in the page, keeps their state in
/// `localStorage`, and delivers each handoff once to the configured endpoint.
///
/// ```js
/// import init, { Tracker } from './pkg-snippet/baton.js';
/// await init();
/// const tracker = new Tracker({ model, endpoint: '/api/handoff', consent: 'granted' });
/// tracker.on('qualified', (handoff) => openCalendar(handoff));
/// tracker.track({ type: 'page', properties: { path: location.pathname } });
/// ```
#[wasm_bindgen]
pub struct Tracker {
    inner: Rc<RefCell<Inner>>,
}

#[wasm_bindgen]
impl Tracker {
    /// Starts the runtime: `{ model, endpoint?, consent?: 'granted' | 'required',
    /// requestTimeoutMs? }`. Restores the stored visitor and outbox (a corrupt or foreign record
    /// is discarded with one console warning) and resumes pending deliveries.
    /// Throws an `Error` listing every problem when the model is invalid.
    ///
    /// ```js
    /// const tracker = new Tracker({ model, endpoint: 'https://crm.example/intake', consent: 'required' });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TrackerOptions")] options: JsValue,
    ) -> Result<Tracker, JsError> {
        let model_value = js_sys::Reflect::get(&options, &"model".into())
            .map_err(|_| JsError::new("options.model: missing"))?;
        let model = Model::from_value(&json_value(model_value)?).map_err(js_error)?;
        let opts = Options::read(&options).map_err(JsError::new)?;
        let store = Store::open();
        let consent = match store.get(CONSENT).as_deref() {
            Some("granted") => Consent::Granted,
            Some("denied") => Consent::Denied,
            _ if opts.consent == ConsentMode::Required => Consent::Pending,
            _ => Consent::Granted,
        };
        let outbox = new_outbox(&model);
        let endpoint = opts
            .endpoint
            .or_else(|| model.handoff().map(|h| h.endpoint.clone()))
            .filter(|e| !e.is_empty());
        let mut inner = Inner {
            engine: crate::Engine::new(model),
            outbox,
            store,
            consent,
            endpoint,
            visitor_id: random_id(),
            request_timeout_ms: opts
                .request_timeout_ms
                .unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS),
            hooks: Vec::new(),
            timer: None,
            seen_visitor: None,
            seen_outbox: None,
            pending: Vec::new(),
            write_armed: false,
            yielded: false,
            replaced: Vec::new(),
            notes: Vec::new(),
        };
        if inner.consent == Consent::Granted {
            inner.sync();
        }
        let tracker = Tracker {
            inner: Rc::new(RefCell::new(inner)),
        };
        // Another tab changed the outbox (it queued a handoff, or closed mid-send): look at the
        // new due times now, so an orphaned handoff is picked up without waiting for an event here.
        // The page going away: write what is pending now.
        let weak = Rc::downgrade(&tracker.inner);
        tracker.inner.borrow().store.on_wake(Box::new(move |why| {
            let Some(inner) = weak.upgrade() else { return };
            if why == Wake::Leaving {
                write_now(&inner);
                return;
            }
            match inner.try_borrow_mut() {
                Ok(mut s) if s.can_send() => s.sync(),
                _ => return,
            }
            notify(&inner);
            schedule(&inner);
        }));
        pump(&tracker.inner);
        Ok(tracker)
    }

    /// Scores one Segment-spec event (`page`, `track`, `identify`, `group`) now. The tracker adds
    /// `anonymousId`, `messageId` and `timestamp` when missing. Throws on a malformed event.
    ///
    /// The stored state is written before this returns when the event created a handoff or
    /// entered a stage (state and outbox), or is the first of a visitor with nothing stored;
    /// otherwise it is written once for a burst of events, in the next idle period (at most about
    /// a second later), on `pagehide`, when the page is hidden or frozen, when 32 events wait,
    /// and by `flush()`, `score()`, `explain()`, `outbox()` and `free()`.
    ///
    /// ```js
    /// tracker.track({ type: 'track', event: 'Asset Downloaded', properties: { fileName: 'x.pdf' } });
    /// ```
    pub fn track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BatonEvent")] event: JsValue,
    ) -> Result<(), JsError> {
        let mut value = json_value(event)?;
        {
            let mut s = self.inner.borrow_mut();
            if s.consent == Consent::Denied {
                return Ok(());
            }
            s.sync_if_changed();
            if s.consent == Consent::Denied {
                return Ok(());
            }
            let now = Date::now() as i64;
            s.stamp(&mut value, now);
            // Kept as stamped for the deferred write only when something will be written (a
            // copy of a small tree; the engine takes the value itself): not while this tab
            // yields to another model's record, which it never writes.
            let kept = (s.consent == Consent::Granted && !s.yielded).then(|| value.clone());
            let outcome = s.engine.ingest_owned_value(value, now).map_err(js_error)?;
            if !outcome.duplicate {
                let queued = s.absorb(&outcome, now);
                if s.has_hook(Hook::Score) {
                    s.notes.push((Hook::Score, written_to_js(&outcome.score)));
                }
                if let Some(event) = kept {
                    s.pending.push((event, now));
                }
                if queued
                    || !outcome.stages_entered.is_empty()
                    || s.pending.len() >= MAX_PENDING
                    || s.seen_visitor.is_none()
                {
                    // Durable before `track` returns: a handoff (outbox first, so a crash in
                    // between loses no handoff: the same visitor re-qualifies under the same
                    // `handoffId`), a stage entered, the bound on what waits, or a visitor with
                    // nothing stored yet (the record that gives every tab the same anonymous id).
                    if queued {
                        s.persist_outbox();
                    }
                    s.persist_visitor();
                }
            }
        }
        arm_write(&self.inner);
        notify(&self.inner);
        let wake = self.inner.borrow().outbox.next_wake();
        if wake.is_some_and(|at| at <= Date::now() as i64) {
            pump(&self.inner);
        }
        Ok(())
    }

    /// Records the visitor's choice. Granting stores the state and starts delivery; revoking
    /// deletes everything stored (visitor, outbox) and keeps only the refusal itself.
    ///
    /// ```js
    /// tracker.consent(true);   // from your consent banner's "Accept"
    /// ```
    pub fn consent(&self, granted: bool) {
        {
            let mut s = self.inner.borrow_mut();
            if granted {
                s.consent = Consent::Granted;
                s.store.set(CONSENT, "granted");
                s.persist();
            } else {
                s.store.remove(VISITOR);
                s.store.remove(OUTBOX);
                s.store.set(CONSENT, "denied");
                s.seen_visitor = None;
                s.seen_outbox = None;
                s.new_visitor();
                s.forget();
            }
        }
        if granted {
            pump(&self.inner);
        }
    }

    /// Forgets the visitor (a new anonymous id, a fresh score), e.g. on logout. Handoffs already
    /// created are still delivered.
    ///
    /// ```js
    /// tracker.reset();
    /// ```
    pub fn reset(&self) {
        {
            let mut s = self.inner.borrow_mut();
            // The old visitor's unwritten events go with them (their handoffs are queued already).
            s.pending.clear();
            s.sync();
            s.engine.reset();
            s.new_visitor();
            // A new visitor is stored even by a tab that yielded to another model's record: a
            // logout must reach every tab.
            s.yielded = false;
            s.persist_visitor();
        }
        notify(&self.inner);
    }

    /// The visitor's score now: `{ total, fit, engagement, groups, grade, stage }`.
    ///
    /// ```js
    /// const { total, stage } = tracker.score();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Score")]
    pub fn score(&self) -> JsValue {
        self.read(|s| written_to_js(&s.engine.score(Date::now() as i64)))
    }

    /// Why the score is what it is: the ledger of counted points.
    ///
    /// ```js
    /// for (const e of tracker.explain().entries) console.log(e.ruleId, e.countedPoints);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(&self) -> JsValue {
        self.read(|s| written_to_js(&s.engine.explain(Date::now() as i64)))
    }

    /// Registers a hook: `qualified` (the handoff payload, at once, so the page can act:
    /// open a calendar, prefill the demo form), `stage` (a stage entry), `score` (after each
    /// event), `delivered` (`{ handoffId, status }` when the endpoint acknowledged),
    /// `delivery-failed` (`{ handoffId, endpoint, reason }` when a handoff was refused for good or
    /// given up). Throws on an unknown name, or when `callback` is not a function (a hook that
    /// could only throw on every later event).
    ///
    /// ```js
    /// tracker.on('qualified', (handoff) => showCalendar(handoff.traits.email));
    /// ```
    ///
    /// Its TypeScript signature is generic (`TrackerEvents` maps each hook to its value), so it is
    /// declared by the `Tracker` interface in `TRACKER_TYPES` instead of generated here.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: &str, callback: Function) -> Result<(), JsError> {
        let hook = Hook::parse(name).ok_or_else(|| {
            // Pushed, not `format!`: the same text (benches/SIZE.md, step 40).
            let mut message = String::from("on: unknown hook \"");
            message.push_str(name);
            message.push_str("\" (expected qualified, stage, score, delivered or delivery-failed)");
            JsError::new(&message)
        })?;
        if !callback.is_function() {
            let mut message = String::from("on(\"");
            message.push_str(name);
            message.push_str("\"): callback must be a function");
            return Err(JsError::new(&message));
        }
        self.inner.borrow_mut().hooks.push((hook, callback));
        Ok(())
    }

    /// Writes the state of events not stored yet, and hands every undelivered handoff to
    /// `navigator.sendBeacon` (call on `pagehide` and when the page becomes hidden; the tracker
    /// itself writes the state on `pagehide`, `visibilitychange` and `freeze`). Beaconed
    /// entries stay in the outbox, in flight, until acknowledged by a later attempt or until
    /// their lease expires; the receiver dedupes on `handoffId`.
    pub fn flush(&self) {
        {
            let mut s = self.inner.borrow_mut();
            s.write_pending();
            if s.can_send() {
                s.sync();
                if let Some(endpoint) = s.endpoint.clone() {
                    s.begin_due(Date::now() as i64, Some(&endpoint));
                }
            }
        }
        notify(&self.inner);
    }

    /// The visitor's anonymous id (stable across pages and tabs while consent holds).
    // A JS string made from the id in place: returning a `String` hands wasm memory to the glue,
    // which copies it out and frees it (a multi-value shim and more glue).
    #[wasm_bindgen(getter, js_name = anonymousId, unchecked_return_type = "string")]
    pub fn anonymous_id(&self) -> JsValue {
        JsValue::from_str(&self.inner.borrow().visitor_id)
    }

    /// The outbox entries (for debugging and the inbox demo): id, state, attempts, next attempt.
    #[wasm_bindgen(unchecked_return_type = "OutboxEntry[]")]
    pub fn outbox(&self) -> JsValue {
        let all = self.read(|s| parse_json(&s.outbox.export()));
        js_sys::Reflect::get(&all, &"entries".into()).unwrap_or(JsValue::NULL)
    }
}

impl Tracker {
    /// Answers a read (`score`, `explain`, `outbox`) at a point where this tab and the stored
    /// state agree: what this tab has not written yet is written, what other tabs wrote is read.
    /// Hook calls that this produces (re-ingested events entering a stage) are made after it.
    fn read(&self, answer: impl FnOnce(&Inner) -> JsValue) -> JsValue {
        let value = {
            let mut s = self.inner.borrow_mut();
            s.write_pending();
            s.sync();
            answer(&s)
        };
        notify(&self.inner);
        value
    }
}

impl Drop for Tracker {
    /// `free()`: the events scored but not written yet are written first.
    fn drop(&mut self) {
        write_now(&self.inner);
    }
}

/// Makes the hook calls waiting in `notes`, the state no longer borrowed.
fn notify(inner: &Rc<RefCell<Inner>>) {
    let (hooks, notes) = {
        let Ok(mut s) = inner.try_borrow_mut() else {
            return;
        };
        if s.notes.is_empty() {
            return;
        }
        (s.hooks.clone(), std::mem::take(&mut s.notes))
    };
    dispatch(&hooks, notes);
}

/// Writes the pending events' state now (`pagehide`, `free()`, the idle callback).
fn write_now(inner: &Rc<RefCell<Inner>>) {
    match inner.try_borrow_mut() {
        Ok(mut s) => s.write_pending(),
        Err(_) => return,
    }
    notify(inner);
}

/// Arms one idle callback to write the pending events, unless one is armed already: every event
/// of a burst shares the write.
fn arm_write(inner: &Rc<RefCell<Inner>>) {
    {
        let mut s = inner.borrow_mut();
        if s.write_armed || s.pending.is_empty() {
            return;
        }
        s.write_armed = true;
    }
    let weak = Rc::downgrade(inner);
    page::when_idle(Box::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            inner.borrow_mut().write_armed = false;
            write_now(&inner);
        }
    }));
}

/// Calls each hook with its value. A hook's own exception is reported like an event listener's
/// (`reportError`): visible in the console, never thrown into the snippet or the host page.
fn dispatch(hooks: &[(Hook, Function)], notes: Notes) {
    for (hook, value) in notes {
        for (h, f) in hooks {
            if *h == hook {
                if let Err(e) = f.call1(&JsValue::NULL, &value) {
                    report_error(&e);
                }
            }
        }
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = reportError, catch)]
    fn report_error_js(e: &JsValue) -> Result<(), JsValue>;
}

fn report_error(e: &JsValue) {
    if report_error_js(e).is_err() {
        web_sys::console::error_1(e);
    }
}

impl Inner {
    fn can_send(&self) -> bool {
        self.consent == Consent::Granted && self.endpoint.is_some()
    }

    fn has_hook(&self, hook: Hook) -> bool {
        self.hooks.iter().any(|(h, _)| *h == hook)
    }

    /// Adds what the engine needs and only the page knows: who, which message, when.
    fn stamp(&self, event: &mut Value, now: i64) {
        if let Value::Object(map) = event {
            map.insert("anonymousId".into(), Value::String(self.visitor_id.clone()));
            // `get` then `insert` (both in the snippet anyway), not `get_or_insert_with`, which
            // is a copy of the search and insert per closure.
            if map.get("messageId").is_none() {
                map.insert("messageId".into(), Value::String(random_id()));
            }
            if map.get("timestamp").is_none() {
                map.insert("timestamp".into(), Value::from(now));
            }
        }
    }

    /// Picks up what other tabs wrote, if a `storage` event (or a return from the back-forward
    /// cache) said they may have: the per-event path, which then reads nothing at all.
    fn sync_if_changed(&mut self) {
        if self.store.take_changed() {
            self.sync();
        }
    }

    /// Reads what other tabs wrote since we last looked (consent, visitor, outbox). The paths
    /// that are not per event (delivery under the lock, score, consent, ...) always read: they
    /// must not act on an outbox that another tab changed a moment ago.
    fn sync(&mut self) {
        self.store.take_changed();
        if self.consent != Consent::Granted {
            return;
        }
        if self.store.get(CONSENT).as_deref() == Some("denied") {
            // Revoked in another tab: forget here too, and remove what this tab may have written
            // before it learned of it.
            self.store.remove(VISITOR);
            self.store.remove(OUTBOX);
            self.forget();
            return;
        }
        self.sync_visitor();
        self.sync_outbox();
    }

    /// Consent refused: the score, the events not written yet, the outbox and the retry timer go
    /// (what is stored is the caller's to remove).
    fn forget(&mut self) {
        self.consent = Consent::Denied;
        self.pending.clear();
        self.yielded = false;
        self.engine.reset();
        self.outbox = new_outbox(self.engine.model());
        self.timer = None;
    }

    fn sync_visitor(&mut self) {
        let Some(raw) = self.store.get(VISITOR) else {
            return;
        };
        if self.seen_visitor.as_deref() == Some(raw.as_str()) {
            return;
        }
        let read = VisitorRecord::read(&raw);
        let len = raw.len();
        // This tab read or wrote a record before: what it reads now was written after its start.
        let started = self.seen_visitor.is_some();
        // Kept, not copied: from now on the text is only compared with what storage holds.
        self.seen_visitor = Some(raw);
        match read {
            Some(rec) if self.replaced.contains(&rec.id) => {
                // Another tab wrote the visitor this tab replaced, before it saw the new one (a
                // logout and an event in the same moment): the new visitor stands, written again.
                self.persist_visitor();
            }
            Some(mut rec) => {
                let same = rec.id == self.visitor_id;
                if !same {
                    // Another visitor: a `reset` or consent granted again, in another tab (or the
                    // record of this tab's first read). The events not written yet were stamped
                    // for the previous visitor: they go with them, never onto the new one.
                    self.pending.clear();
                    self.visitor_id = std::mem::take(&mut rec.id);
                }
                let other_model = rec.model != self.engine.model().hash();
                self.yielded = other_model && started;
                if self.yielded {
                    // A tab of another model started after this one and started the visitor
                    // fresh under it: writing here would wipe that on every write, so this tab
                    // scores in memory for the page and writes nothing but a new visitor.
                    if !same {
                        self.engine.reset();
                    }
                    self.warn_yield(rec.label.as_deref().unwrap_or(&rec.model));
                    return;
                }
                if other_model {
                    // Written under another model (the site changed it): the counters mean
                    // nothing under this one, so the visitor keeps their id and starts a fresh
                    // score.
                    self.engine.reset();
                } else if let Err(e) = rec.restore(&mut self.engine, len) {
                    warn_once(
                        Trouble::Discarded,
                        &format!("discarded a stored visitor state: {e}"),
                    );
                    self.engine.reset();
                }
                self.reingest();
            }
            None => {
                warn_once(
                    Trouble::Discarded,
                    "discarded an unreadable stored visitor record",
                );
                self.store.remove(VISITOR);
                self.seen_visitor = None;
            }
        }
    }

    /// Gives the visitor a new anonymous id, remembering the one it replaces.
    fn new_visitor(&mut self) {
        let old = std::mem::replace(&mut self.visitor_id, random_id());
        self.replaced.push(old);
    }

    /// Says once which two model versions meet, and what this tab does about it.
    #[cold]
    fn warn_yield(&self, other: &str) {
        warn_once(
            Trouble::OtherModel,
            &format!(
                "another tab stores this visitor under model version {other}; this page's model version {} scores in memory for this page only",
                self.engine.model().version()
            ),
        );
    }

    /// Another tab's record of the same visitor just replaced the state: this tab's events not
    /// written yet go on top of it (each at its own time, under the visitor id they were stamped
    /// with, which is the record's), with what they produce there (a stage entered, a handoff:
    /// queued and announced here), and the result is written at once. An event the other tab's
    /// record already holds (the same `messageId`) is a duplicate and counts once.
    fn reingest(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut queued = false;
        for (event, now) in std::mem::take(&mut self.pending) {
            // It was read once already, so it cannot fail now; if it did, it is skipped.
            if let Ok(outcome) = self.engine.ingest_owned_value(event, now) {
                if !outcome.duplicate {
                    queued |= self.absorb(&outcome, now);
                }
            }
        }
        if queued {
            self.persist_outbox();
        }
        self.persist_visitor();
    }

    /// What an ingested event produced besides its score: each handoff into the outbox (its
    /// payload for the `qualified` hooks), each stage entered for the `stage` hooks. True when a
    /// handoff was queued (the outbox is then the caller's to write).
    fn absorb(&mut self, outcome: &crate::engine::IngestOutcome, now: i64) -> bool {
        if outcome.handoffs.is_empty() && outcome.stages_entered.is_empty() {
            return false;
        }
        if !outcome.handoffs.is_empty() {
            // About to rewrite the outbox: start from what is stored now, whatever the events
            // said (a `storage` event may still be on its way).
            self.sync_outbox();
        }
        for handoff in &outcome.handoffs {
            let body = handoff.to_json();
            // The page gets the payload exactly as sent (and JSON.parse of the body we already
            // have costs no second serializer in the wasm).
            if self.has_hook(Hook::Qualified) {
                self.notes.push((Hook::Qualified, parse_json(&body)));
            }
            self.outbox.enqueue(&handoff.handoff_id, body, now);
        }
        for entry in &outcome.stages_entered {
            self.notes.push((Hook::Stage, written_to_js(entry)));
        }
        !outcome.handoffs.is_empty()
    }

    /// Writes the state of the events scored since the last write (one record for all of them),
    /// after taking in what another tab wrote meanwhile (its record restored, this tab's events
    /// re-ingested on top and written there). Another tab's write is known from its `storage`
    /// event, as on the event's path: an idle callback runs once the tasks queued before it (such
    /// events among them) have run; where the browser updates this page's copy of the storage
    /// with the message that queues the event (Chromium does), reading the record back would
    /// learn nothing more, at the cost of a read of the whole record per write. What is left is
    /// the window the snippet README names: two tabs writing before either's event arrives.
    fn write_pending(&mut self) {
        // What storage refused before goes first (a handoff queued meanwhile among it), even
        // with no event waiting: the page may be going away.
        self.store.retry();
        if self.pending.is_empty() {
            return;
        }
        self.sync_if_changed();
        if !self.pending.is_empty() {
            self.persist_visitor();
        }
    }

    fn sync_outbox(&mut self) {
        let Some(raw) = self.store.get(OUTBOX) else {
            return;
        };
        if self.seen_outbox.as_deref() == Some(raw.as_str()) {
            return;
        }
        let imported = Outbox::import(&raw);
        // Kept, not copied (as `seen_visitor`).
        self.seen_outbox = Some(raw);
        match imported {
            Ok(stored) => {
                // Another tab rewrote the outbox. Keep anything we hold that it does not know
                // (its write may have raced ours): at worst a duplicate with the same handoffId,
                // which the receiver dedupes; never a lost handoff.
                let mine = std::mem::replace(&mut self.outbox, stored);
                let mut restored = false;
                for entry in mine.entries().iter().filter(|e| !e.delivery.is_finished()) {
                    restored |= self.outbox.enqueue(
                        &entry.handoff_id,
                        entry.body.clone(),
                        entry.created_at,
                    );
                }
                if restored {
                    self.persist_outbox();
                }
            }
            Err(e) => {
                warn_once(
                    Trouble::Discarded,
                    &format!("discarded an unreadable stored outbox: {e}"),
                );
                self.store.remove(OUTBOX);
                self.seen_outbox = None;
            }
        }
    }

    /// Moves every due entry to "in flight" and stores the outbox if any moved (before the lock is
    /// released, so other tabs see them and keep off); returns the entries moved. With a
    /// `beacon` endpoint (the page is going away), only entries `sendBeacon` took are moved.
    /// One routine for both paths (the delivery pump and `flush`).
    fn begin_due(&mut self, now: i64, beacon: Option<&str>) -> Vec<DueDelivery> {
        let mut begun = Vec::new();
        for d in self.outbox.due(now) {
            let handed = beacon.is_none_or(|endpoint| net::beacon(endpoint, &d.body));
            if handed && self.outbox.try_begin(&d.handoff_id, now).is_ok() {
                begun.push(d);
            }
        }
        if !begun.is_empty() {
            self.persist_outbox();
        }
        begun
    }

    /// Stores the visitor and the outbox (only with consent).
    fn persist(&mut self) {
        self.persist_visitor();
        self.persist_outbox();
    }

    /// Writes the visitor record: the whole state, so every pending event with it (nothing
    /// while this tab yields to another model's record).
    fn persist_visitor(&mut self) {
        if self.consent != Consent::Granted {
            return;
        }
        self.pending.clear();
        if self.yielded {
            return;
        }
        let text = VisitorRecord::write(&self.visitor_id, self.engine.model(), self.engine.state());
        self.store.set(VISITOR, &text);
        self.seen_visitor = Some(text);
    }

    fn persist_outbox(&mut self) {
        if self.consent != Consent::Granted {
            return;
        }
        let text = self.outbox.export();
        self.store.set(OUTBOX, &text);
        self.seen_outbox = Some(text);
    }
}

/// The retry policy is the model's (`handoff.retry`); a model without a handoff never enqueues.
fn new_outbox(model: &Model) -> Outbox {
    Outbox::new(model.handoff().map(|h| h.retry).unwrap_or_default())
}

/// Sends whatever is due, under the cross-tab lock, then sleeps until the next due time.
fn pump(inner: &Rc<RefCell<Inner>>) {
    if !inner.borrow().can_send() {
        return;
    }
    let weak = Rc::downgrade(inner);
    net::with_lock(DELIVERY_LOCK, move |locked| {
        let Some(inner) = weak.upgrade() else { return };
        if !locked {
            // Another tab is moving entries right now; look again shortly.
            arm(&inner, LOCK_BUSY_RETRY_MS);
            return;
        }
        let (endpoint, timeout, batch) = {
            let mut s = inner.borrow_mut();
            if !s.can_send() {
                return;
            }
            s.sync();
            let batch = s.begin_due(Date::now() as i64, None);
            (
                s.endpoint.clone().unwrap_or_default(),
                s.request_timeout_ms,
                batch,
            )
        };
        notify(&inner);
        for d in batch {
            let weak = Rc::downgrade(&inner);
            let id = d.handoff_id.clone();
            net::post(&endpoint, &d.body, timeout, Date::now(), move |sent| {
                if let Some(inner) = weak.upgrade() {
                    settle(&inner, &id, sent);
                }
            });
        }
        schedule(&inner);
    });
}

/// Records one attempt's result in the outbox (acknowledged, retry later, failed for good).
fn settle(inner: &Rc<RefCell<Inner>>, id: &str, result: DeliveryResult) {
    {
        let mut s = inner.borrow_mut();
        if s.consent != Consent::Granted {
            return;
        }
        s.sync();
        let now = Date::now() as i64;
        let mut notes: Notes = Vec::new();
        if let DeliveryResult::Status { code, .. } = result {
            if (200..300).contains(&code) && s.has_hook(Hook::Delivered) {
                let o = js_sys::Object::new();
                net::set(&o, "handoffId", &id.into());
                net::set(&o, "status", &code.into());
                notes.push((Hook::Delivered, o.into()));
            }
        }
        // An error here means another tab already settled this entry: nothing left to do.
        let failed = match s.outbox.record(id, result, now, random_seed()) {
            Ok(DeliveryState::Failed { reason, .. } | DeliveryState::GaveUp { reason, .. }) => {
                Some(reason.clone())
            }
            _ => None,
        };
        s.persist_outbox();
        if let Some(reason) = failed {
            // A lost lead must not be silent: the site owner sees where and why in the console.
            let endpoint = s.endpoint.clone().unwrap_or_default();
            let mut message = String::from("baton: handoff ");
            message.push_str(id);
            message.push_str(" was not delivered to ");
            message.push_str(&endpoint);
            message.push_str(": ");
            message.push_str(&reason);
            web_sys::console::warn_1(&message.into());
            if s.has_hook(Hook::DeliveryFailed) {
                let o = js_sys::Object::new();
                net::set(&o, "handoffId", &id.into());
                net::set(&o, "endpoint", &endpoint.into());
                net::set(&o, "reason", &reason.into());
                notes.push((Hook::DeliveryFailed, o.into()));
            }
        }
        s.notes.append(&mut notes);
    }
    notify(inner);
    schedule(inner);
}

/// Arms the timer for the outbox's next due time (replacing any earlier one).
fn schedule(inner: &Rc<RefCell<Inner>>) {
    let wake = inner.borrow().outbox.next_wake();
    match wake {
        Some(at) => {
            let delay = (at as f64 - Date::now()).max(0.0) + Math::random() * WAKE_SPREAD_MS;
            arm(inner, delay.min(u32::MAX as f64) as u32);
        }
        None => inner.borrow_mut().timer = None,
    }
}

fn arm(inner: &Rc<RefCell<Inner>>, delay_ms: u32) {
    let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    let timer = Timeout::new(delay_ms, move || {
        if let Some(inner) = weak.upgrade() {
            inner.borrow_mut().timer = None;
            pump(&inner);
        }
    });
    // Replacing the handle cancels the previous timer.
    inner.borrow_mut().timer = Some(timer);
}

/// JSON text the engine produced → a JS value (it is always valid JSON; `null` if not).
fn parse_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// 128 random bits as 32 hex digits (ids need uniqueness, not secrecy).
fn random_id() -> String {
    let mut out = String::with_capacity(32);
    for _ in 0..4 {
        let word = (Math::random() * 4_294_967_296.0) as u32;
        crate::text::int::push_hex(word.into(), 8, &mut out);
    }
    out
}

/// Per-attempt jitter seed: the outbox's jitter is deterministic given the seed, the seed is not.
fn random_seed() -> u64 {
    ((Math::random() * 9_007_199_254_740_992.0) as u64) ^ (Date::now() as u64)
}

#[cfg(test)]
mod tests {
    use super::random_id;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn random_ids_are_32_hex_digits_and_differ() {
        let a = random_id();
        let b = random_id();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
