//! `BatchReplay`: replay a large time-ordered log fed in NDJSON chunks, one boundary crossing per
//! chunk instead of one per event (the per-event `Engine.ingest` pays a JSON round trip of the event
//! and of its outcome on every call). Same grouping and per-visitor engine as `crate::replay::replay`, but
//! streaming, so a million-event log never has to sit in wasm memory at once.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{js_error, json_value, millis, to_js};
use crate::event::Event;
use crate::model::Model;
use crate::replay::Replay;
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
    replay: Replay,
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
            replay: Replay::new(model),
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
            self.replay.push(&event);
            self.events += 1;
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
            visitors: self.replay.visitors().len(),
            known: 0,
            mql: 0,
            score_sum: 0.0,
        };
        for (engine, _) in self.replay.visitors() {
            match engine.stage() {
                Stage::Known => s.known += 1,
                Stage::Mql => s.mql += 1,
                _ => {}
            }
            s.score_sum += engine.score(as_of).total;
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
