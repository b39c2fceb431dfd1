//! `BatchReplay`: replay a large time-ordered log fed in NDJSON chunks, one boundary crossing per
//! chunk instead of one per event (the per-event `Engine.ingest` pays a JSON round trip of the event
//! and of its outcome on every call). It is `crate::replay::Replay`, the streaming form of
//! `crate::replay::replay`, so a million-event log never has to sit in wasm memory at once.

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
        self.push_lines(text)
    }

    /// `pushNdjson` for UTF-8 bytes, e.g. the `Buffer`s of a file stream in Node cut at
    /// line ends: the bytes are copied into the module as they are, where a JS string is
    /// re-encoded character by character on its way in. Invalid UTF-8 throws an Error naming the
    /// line; the lines before it stay ingested.
    ///
    /// ```js
    /// for await (const chunk of lineChunks) replay.pushNdjsonBytes(chunk); // Uint8Array, whole lines
    /// ```
    #[wasm_bindgen(js_name = pushNdjsonBytes)]
    pub fn push_ndjson_bytes(&mut self, bytes: &[u8]) -> Result<u32, JsError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.push_lines(text),
            Err(e) => {
                let (good, _) = bytes.split_at(e.valid_up_to());
                // The complete lines before the bad byte are valid UTF-8: ingest them, then
                // name the line that holds the bad byte.
                let end = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                let text = std::str::from_utf8(&good[..end]).unwrap_or_default();
                let n = self.push_lines(text)?;
                let line = text.lines().count() + 1;
                Err(JsError::new(&format!(
                    "line {line}: not valid UTF-8 ({n} lines before it ingested)"
                )))
            }
        }
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

impl BatchReplay {
    /// Ingests the non-empty lines of `text`; errors name the line (counted from 1).
    fn push_lines(&mut self, text: &str) -> Result<u32, JsError> {
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
}
