//! `BatchReplay`: replay a large time-ordered log fed in NDJSON chunks, one boundary crossing per
//! chunk instead of one per event (the per-event `Engine.ingest` pays a JSON round trip of the event
//! and of its outcome on every call). Same grouping and per-visitor engine as `crate::replay::replay`, but
//! streaming, so a million-event log never has to sit in wasm memory at once.

use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{js_error, json_value, millis, to_js};
use crate::event::Event;
use crate::handoff::Handoff;
use crate::model::Model;
use crate::replay::visitor_result;
use crate::stage::Stage;

/// Replays a time-ordered log of many visitors' events, chunk by chunk.
///
/// ```js
/// const replay = new BatchReplay(model);
/// for await (const chunk of ndjsonChunks) replay.pushNdjson(chunk); // whole lines per chunk
/// const { visitors, mql, scoreSum } = replay.summary(asOf);
/// ```
#[wasm_bindgen]
pub struct BatchReplay {
    model: Model,
    engines: Vec<(crate::Engine, Vec<Handoff>)>,
    by_id: HashMap<String, usize>,
    events: u64,
}

/// Counts over every visitor of a replay.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplaySummary {
    events: u64,
    visitors: usize,
    known: usize,
    mql: usize,
    /// Sum of every visitor's total score at `asOf`, rounded to cents.
    score_sum: f64,
}

#[wasm_bindgen]
impl BatchReplay {
    /// Starts an empty replay with a model (an object or its JSON text).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
    ) -> Result<BatchReplay, JsError> {
        let model = Model::from_value(&json_value(model)?).map_err(js_error)?;
        Ok(BatchReplay {
            model,
            engines: Vec::new(),
            by_id: HashMap::new(),
            events: 0,
        })
    }

    /// Ingests every non-empty line of `text` (one Segment-spec event per line, time order across
    /// calls). Returns how many events were ingested. A malformed line throws an Error naming its
    /// line number within the chunk; the lines before it stay ingested.
    #[wasm_bindgen(js_name = pushNdjson)]
    pub fn push_ndjson(&mut self, text: &str) -> Result<u32, JsError> {
        let mut n = 0u32;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let event = Event::from_json(line)
                .map_err(|e| JsError::new(&format!("line {}: {e}", i + 1)))?;
            self.ingest(event);
            n += 1;
        }
        Ok(n)
    }

    /// Visitors, stage counts and the summed total score, read at `asOf`.
    #[wasm_bindgen(
        unchecked_return_type = "{ events: number, visitors: number, known: number, mql: number, scoreSum: number }"
    )]
    pub fn summary(&self, as_of: f64) -> Result<JsValue, JsError> {
        let as_of = millis(as_of, "asOf")?;
        let mut s = ReplaySummary {
            events: self.events,
            visitors: self.engines.len(),
            known: 0,
            mql: 0,
            score_sum: 0.0,
        };
        for (engine, handoffs) in &self.engines {
            let r = visitor_result(engine, handoffs.clone(), as_of);
            match r.stage {
                Stage::Known => s.known += 1,
                Stage::Mql => s.mql += 1,
                _ => {}
            }
            s.score_sum += r.score.total;
        }
        s.score_sum = (s.score_sum * 100.0).round() / 100.0;
        to_js(&s)
    }

    /// Size of this module's linear memory in bytes (it only grows): the wasm side of a
    /// replay's peak memory, which the process RSS alone does not separate out.
    #[wasm_bindgen(js_name = wasmMemoryBytes)]
    pub fn wasm_memory_bytes() -> f64 {
        core::arch::wasm32::memory_size(0) as f64 * 65536.0
    }
}

impl BatchReplay {
    /// The visitor an event belongs to: known by its userId, else by its anonymousId; the event
    /// links both ids to that visitor (the grouping of `crate::replay::replay`).
    fn ingest(&mut self, event: Event) {
        let user_key = event.user_id.as_ref().map(|u| format!("u:{u}"));
        let anon_key = event.anonymous_id.as_ref().map(|a| format!("a:{a}"));
        let found = user_key
            .as_ref()
            .and_then(|k| self.by_id.get(k))
            .or_else(|| anon_key.as_ref().and_then(|k| self.by_id.get(k)))
            .copied();
        let idx = found.unwrap_or_else(|| {
            self.engines
                .push((crate::Engine::new(self.model.clone()), Vec::new()));
            self.engines.len() - 1
        });
        for key in [user_key, anon_key].into_iter().flatten() {
            self.by_id.entry(key).or_insert(idx);
        }
        let (engine, handoffs) = &mut self.engines[idx];
        let now = event.timestamp;
        handoffs.extend(engine.ingest(event, now).handoffs);
        self.events += 1;
    }
}
