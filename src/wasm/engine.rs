//! `Engine`: one visitor scored against one model, the same engine the snippet, the dashboard
//! and a server use. Each method: decode the input, call the engine, encode the result.

use wasm_bindgen::prelude::*;

use super::convert::{js_error, json_text, model_error, model_text, parse_json, time_arg, to_js};
use crate::error::Problem;
use crate::model::Model;

#[wasm_bindgen(typescript_custom_section)]
const MODEL_ERROR: &str = r#"
/**
 * The `Error` thrown for an invalid model (`new Engine`, `Engine.withState`, `CompiledModel`,
 * and every other function that takes a model): `message` lists every problem with its path,
 * `problems` holds them, the same list `Engine.validate` returns.
 *
 * ```ts
 * try { new Engine(model); } catch (e) { for (const p of (e as ModelError).problems) show(p.path, p.message); }
 * ```
 */
export interface ModelError extends Error {
  problems: Problem[];
  /**
   * Which model, where a call takes two (`Workspace.backtest`: `'current'` or `'candidate'`);
   * the message starts with it too (`candidate: invalid model: ...`).
   */
  argument?: string;
}
"#;

/// Scores one visitor against one scoring model.
///
/// ```js
/// import { Engine } from 'baton';
/// const engine = new Engine(model);                 // throws an Error listing every problem
/// const out = engine.ingest({ type: 'page', messageId: 'm1', anonymousId: 'a1',
///   timestamp: '2026-11-02T10:00:00Z', properties: { path: '/pricing' } }, Date.now());
/// console.log(out.score.total, engine.explain(Date.now()).entries.length);
/// ```
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    inner: crate::Engine,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// Builds an engine from a model (an object or its JSON text).
    /// Throws a `ModelError`: its message lists every problem with its JSON path, its
    /// `problems` holds them.
    ///
    /// ```js
    /// const engine = new Engine({ version: '1', rules: [] });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
    ) -> Result<JsEngine, JsError> {
        let model = decode_model(model)?;
        Ok(JsEngine {
            inner: crate::Engine::new(model),
        })
    }

    /// Builds an engine and restores a visitor's state exported by `exportState()`.
    /// A corrupt or foreign state throws; the caller decides whether to start fresh.
    ///
    /// ```js
    /// const again = Engine.withState(model, engine.exportState());
    /// ```
    #[wasm_bindgen(js_name = withState)]
    pub fn with_state(
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        state: &str,
    ) -> Result<JsEngine, JsError> {
        let model = decode_model(model)?;
        let inner = crate::Engine::with_state(model, state).map_err(js_error)?;
        Ok(JsEngine { inner })
    }

    /// Every problem in a model, each with its JSON path, all in one pass; an empty array when
    /// the model is valid. Takes anything (validating untyped input is its purpose) and never
    /// throws: text that is not JSON, or a value that is no model at all, is a problem at `$`.
    ///
    /// ```js
    /// Engine.validate({ rules: [{ points: 'x' }] }); // [{ path: 'version', message: 'missing' }, ...]
    /// Engine.validate('{bad json'); // [{ path: '$', message: 'not valid JSON: ... at line 1 column 2' }]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn validate(
        #[wasm_bindgen(unchecked_param_type = "unknown")] model: JsValue,
    ) -> Result<JsValue, JsError> {
        let problems = match checked(&model) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        };
        to_js(&problems)
    }

    /// Feeds one Segment-spec event (`page`, `track`, `identify`, `group`) observed at `now`
    /// (ms since the epoch). Returns what changed: score, stages entered, handoffs created.
    /// A malformed event throws an `Error` naming the field; the state is left untouched.
    ///
    /// ```js
    /// const { score, stagesEntered, handoffs } = engine.ingest(event, Date.now());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "IngestOutcome")]
    pub fn ingest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "BatonEvent")] event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsError> {
        let text = match event.as_string() {
            Some(text) => text,
            None => json_text(&event).map_err(|_| unwritable(&event))?,
        };
        let now_ms = time_arg(&now, "now");
        // Read straight from the text (no JSON tree for the top level, see `Event::from_json`);
        // on any problem the general path below words the error exactly as before. Not in the
        // snippet's build: it ingests through `Tracker`, and this reader would only add bytes.
        #[cfg(feature = "analytics")]
        if let Ok(now) = now_ms.as_ref() {
            if let Ok(event) = crate::event::Event::from_json_or(&text, Some(*now)) {
                return to_js(&self.inner.ingest(event, *now));
            }
        }
        let event = parse_json(&text)?;
        let now = now_ms?;
        let outcome = self
            .inner
            .ingest_owned_value(event, now)
            .map_err(js_error)?;
        to_js(&outcome)
    }

    /// The score as of a time: total, fit, engagement, per group, fit grade.
    ///
    /// ```js
    /// const { total, fit, engagement, grade } = engine.score(Date.now());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Score")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.inner.score(time_arg(&as_of, "asOf")?))
    }

    /// The ledger behind the score: every point counted, with its event, rule, raw points,
    /// decay factor, cap and clamp.
    ///
    /// ```js
    /// for (const e of engine.explain(Date.now()).entries) console.log(e.ruleId, e.countedPoints);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.inner.explain(time_arg(&as_of, "asOf")?))
    }

    /// When decay will next drop the visitor below a stage threshold, or `null`.
    ///
    /// ```js
    /// const cold = engine.nextChange(Date.now()); // { at, ... } or null
    /// ```
    #[wasm_bindgen(js_name = nextChange, unchecked_return_type = "NextChange | null")]
    pub fn next_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        to_js(&self.inner.next_change(time_arg(&as_of, "asOf")?))
    }

    /// The visitor's state as compact, versioned JSON (a few KB at most).
    ///
    /// ```js
    /// localStorage.setItem('baton:v1', engine.exportState());
    /// ```
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> String {
        self.inner.export_state()
    }

    /// Forgets the visitor (consent revoked, `reset()`), keeping the model.
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// The content hash of the model this engine scores with.
    ///
    /// ```js
    /// engine.modelHash; // e.g. '9f2c4e1a7b3d5f60'
    /// ```
    #[wasm_bindgen(getter, js_name = modelHash)]
    pub fn model_hash(&self) -> String {
        self.inner.model().hash().to_string()
    }

    /// The model's own version label.
    #[wasm_bindgen(getter, js_name = modelVersion)]
    pub fn model_version(&self) -> String {
        self.inner.model().version().to_string()
    }
}

/// The error for an event JSON cannot hold (a `BigInt`, a cycle), worded as every invalid
/// event is, naming the first top-level field that cannot be written (`$` if none alone is).
fn unwritable(event: &JsValue) -> JsError {
    let mut field = String::from("$");
    if let Some(object) = event.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(object).iter() {
            let value = js_sys::Reflect::get(event, &key).unwrap_or(JsValue::UNDEFINED);
            if json_text(&value).is_err() {
                field = key.as_string().unwrap_or(field);
                break;
            }
        }
    }
    js_error(crate::Error::event(
        &field,
        "cannot be written as JSON (a BigInt or a cycle inside?)",
    ))
}

/// A scoring model parsed and validated once, shared by any number of engines: a replay or a
/// server scoring many visitors pays the model's parse, validation and hashing once instead of
/// in every `new Engine(model)`. (Not in the site snippet's build, which scores one visitor.)
///
/// ```js
/// import { CompiledModel, Engine } from 'baton';
/// const compiled = new CompiledModel(model);        // throws an Error listing every problem
/// const engines = visitors.map(() => Engine.fromModel(compiled));
/// console.log(compiled.hash === engines[0].modelHash); // true
/// ```
#[cfg(feature = "analytics")]
#[wasm_bindgen(js_name = CompiledModel)]
pub struct JsCompiledModel {
    inner: Model,
}

#[cfg(feature = "analytics")]
#[wasm_bindgen(js_class = CompiledModel)]
impl JsCompiledModel {
    /// Parses and validates a model (an object or its JSON text).
    /// Throws a `ModelError` listing every problem with its JSON path.
    ///
    /// ```js
    /// const compiled = new CompiledModel({ version: '1', rules: [] });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
    ) -> Result<JsCompiledModel, JsError> {
        Ok(JsCompiledModel {
            inner: decode_model(model)?,
        })
    }

    /// The model's content hash (the same as `engine.modelHash`).
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// The model's own version label.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.inner.version().to_string()
    }
}

// NOTE: a second `impl` block for `Engine`, so the constructors that take a `CompiledModel`
// exist only in the builds that export `CompiledModel` (wasm-bindgen merges the blocks).
#[cfg(feature = "analytics")]
#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// Builds an engine on an already compiled model: no parse, no validation, the model is
    /// shared rather than copied.
    ///
    /// ```js
    /// const engine = Engine.fromModel(compiled);
    /// ```
    #[wasm_bindgen(js_name = fromModel)]
    pub fn from_model(model: &JsCompiledModel) -> JsEngine {
        JsEngine {
            inner: crate::Engine::new(model.inner.clone()),
        }
    }

    /// `Engine.withState` on an already compiled model.
    ///
    /// ```js
    /// const again = Engine.fromModelWithState(compiled, engine.exportState());
    /// ```
    #[wasm_bindgen(js_name = fromModelWithState)]
    pub fn from_model_with_state(
        model: &JsCompiledModel,
        state: &str,
    ) -> Result<JsEngine, JsError> {
        let inner = crate::Engine::with_state(model.inner.clone(), state).map_err(js_error)?;
        Ok(JsEngine { inner })
    }
}

/// A model given to any binding (an object or its JSON text) → the model, or the `ModelError`
/// listing every problem: the numbers JSON cannot hold, the keys given twice in the text, then
/// the document's own. Every entry that takes a model decodes it here, so all report the same.
pub(super) fn decode_model(model: JsValue) -> Result<Model, JsError> {
    let (text, model) = checked(&model).map_err(model_error)?;
    remember(text, &model);
    Ok(model)
}

/// [`decode_model`] for one of several models a call takes: an invalid one's error names the
/// argument (`candidate: invalid model: ...`, `err.argument`).
#[cfg(feature = "analytics")]
pub(super) fn decode_model_named(model: JsValue, argument: &str) -> Result<Model, JsError> {
    let (text, model) = checked(&model)
        .map_err(|problems| super::convert::model_error_of(problems, Some(argument)))?;
    remember(text, &model);
    Ok(model)
}

/// Keeps the last model decoded, by its text (the dashboard's calls pass the same one again).
fn remember(text: String, model: &Model) {
    #[cfg(feature = "analytics")]
    LAST_MODEL.with(|last| *last.borrow_mut() = Some((text, model.clone())));
    #[cfg(not(feature = "analytics"))]
    let _ = (text, model);
}

/// A model given to the bindings, validated: with its JSON text, or every problem, in this
/// order: the numbers JSON cannot hold, the keys given twice, then the document's own (leaving
/// out those at the path of a non-finite number: they are about the `null` written for it).
fn checked(model: &JsValue) -> Result<(String, Model), Vec<Problem>> {
    let (text, non_finite) = model_text(model).map_err(|p| vec![p])?;
    #[cfg(feature = "analytics")]
    if non_finite.is_empty() {
        if let Some(model) = LAST_MODEL.with(|last| {
            let last = last.borrow();
            let (seen, model) = last.as_ref()?;
            (*seen == text).then(|| model.clone())
        }) {
            return Ok((text, model));
        }
    }
    let (doc, repeated) = Model::read_json(&text).map_err(|p| vec![p])?;
    let own = match Model::checked(&doc, repeated) {
        Ok(model) if non_finite.is_empty() => return Ok((text, model)),
        Ok(_) => Vec::new(),
        Err(own) => own,
    };
    let mut all = Vec::new();
    for p in own {
        if !non_finite.iter().any(|n| n.path == p.path) {
            all.push(p);
        }
    }
    let mut first = non_finite;
    first.extend(all);
    Err(first)
}

// The last model text compiled, and its model: code that builds one engine per visitor with
// `new Engine(model)` (a replay, a server) passes the same model again and again. A model is a
// pure function of its JSON text and immutable, so the same text gets the same (shared) model
// without another parse, validation and hash. Not in the snippet's build, which builds one
// engine per page.
#[cfg(feature = "analytics")]
thread_local! {
    static LAST_MODEL: std::cell::RefCell<Option<(String, Model)>> =
        const { std::cell::RefCell::new(None) };
}
