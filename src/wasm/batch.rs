//! `BatchReplay`: replay a large time-ordered log fed in NDJSON chunks, one boundary crossing per
//! chunk instead of one per event (the per-event `Engine.ingest` pays a JSON round trip of the event
//! and of its outcome on every call). It is `crate::replay::NdjsonReplay` over
//! `crate::replay::Replay`, the streaming form of `crate::replay::replay`, so a million-event log
//! never has to sit in wasm memory at once.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{known_keys, optional_millis, time_arg, to_js};
use super::engine::decode_model;
use crate::replay::{Merges, NdjsonReplay, Replay, SkippedLine, DEFAULT_HISTORY_BYTES};
use crate::stage::Stage;

/// Replays a time-ordered log of many visitors' events, chunk by chunk.
///
/// ```js
/// const replay = new BatchReplay(model);
/// for await (const chunk of ndjsonChunks) replay.pushNdjson(chunk); // cut anywhere
/// replay.finish();
/// const { visitors, mql, scoreSum, skipped, skippedLines } = replay.summary(asOf);
/// ```
#[wasm_bindgen]
pub struct BatchReplay {
    inner: NdjsonReplay,
}

/// Counts over every visitor of a replay.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplaySummary<'a> {
    events: u64,
    visitors: usize,
    known: usize,
    mql: usize,
    /// Sum of every visitor's total score at `asOf`, rounded to cents.
    score_sum: f64,
    /// Malformed lines skipped, and the first 100 of them with their line and reason.
    skipped: u64,
    skipped_lines: &'a [SkippedLine],
    /// Anonymous visitors merged into a known one by an identify, by how they were scored, and
    /// merges refused (another userId on a device already identified).
    merges: Merges,
}

#[wasm_bindgen]
impl BatchReplay {
    /// Starts an empty replay with a model (an object or its JSON text; an invalid one throws a
    /// `ModelError`). `options.historyBytes` bounds the event text kept to re-score identity
    /// merges (default 16 MiB; 0 keeps none). `options.now` (ms, e.g. `Date.now()`) checks each
    /// line's time against the caller's clock: a line stamped more than a day after it, or a
    /// number that looks like epoch seconds, is skipped and counted with its reason. Without
    /// it, times are taken as given. Any other key throws, naming the nearest known one.
    ///
    /// ```js
    /// const replay = new BatchReplay(model, { now: Date.now() });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ historyBytes?: number, now?: number }")]
        options: Option<JsValue>,
    ) -> Result<BatchReplay, JsError> {
        let model = decode_model(model)?;
        let mut budget = DEFAULT_HISTORY_BYTES;
        let mut now = None;
        let options = options.unwrap_or(JsValue::UNDEFINED);
        if options.is_object() {
            known_keys(&options, "options", &["historyBytes", "now"])?;
            let v = js_sys::Reflect::get(&options, &JsValue::from_str("historyBytes"))
                .unwrap_or(JsValue::UNDEFINED);
            if !v.is_undefined() {
                budget = match v.as_f64() {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => n as usize,
                    _ => {
                        return Err(JsError::new(
                            "options.historyBytes: must be a whole number of bytes, 0 or more",
                        ))
                    }
                };
            }
            now = optional_millis(&options, "now", "options.now")?;
        } else if !options.is_undefined() && !options.is_null() {
            return Err(JsError::new(
                "options: must be an object like { historyBytes: 16777216, now: Date.now() }",
            ));
        }
        Ok(BatchReplay {
            inner: NdjsonReplay::at(Replay::with_history(model, budget), now),
        })
    }

    /// Ingests the lines of `text` (one Segment-spec event per line, time order across calls).
    /// Returns how many events were ingested. Chunks may be cut anywhere: an unfinished last line
    /// waits for the next chunk (or `finish()`); a last line that is whole JSON is taken at once.
    /// A malformed line is skipped and counted; `summary()` lists it with its line number in the
    /// whole stream and the reason. Every valid line is ingested.
    #[wasm_bindgen(js_name = pushNdjson)]
    pub fn push_ndjson(&mut self, text: &str) -> u32 {
        self.inner.push(text.as_bytes())
    }

    /// `pushNdjson` for UTF-8 bytes, e.g. the `Buffer`s of a file stream in Node: the bytes are
    /// copied into the module as they are, where a JS string is re-encoded character by character
    /// on its way in. A chunk may end inside a line or a character. A line that is not valid
    /// UTF-8 is skipped and counted like any malformed line. Anything but a `Uint8Array` (a
    /// `Buffer` is one) throws a `TypeError`: a string (a stream opened with an encoding) is
    /// text for `pushNdjson`, where it used to become one bad line.
    ///
    /// ```js
    /// for await (const chunk of fs.createReadStream(path)) replay.pushNdjsonBytes(chunk);
    /// replay.finish();
    /// ```
    #[wasm_bindgen(js_name = pushNdjsonBytes)]
    pub fn push_ndjson_bytes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<u32, JsValue> {
        match bytes.dyn_ref::<js_sys::Uint8Array>() {
            Some(bytes) => Ok(self.inner.push(&bytes.to_vec())),
            None => {
                let got = if bytes.is_string() {
                    "a string; pass text to pushNdjson instead"
                } else if bytes.is_undefined() {
                    "nothing"
                } else {
                    "something else; pass text to pushNdjson"
                };
                let mut m = String::from(
                    "BatchReplay.pushNdjsonBytes(): expected a Uint8Array (a Buffer is one), got ",
                );
                m.push_str(got);
                Err(js_sys::TypeError::new(&m).into())
            }
        }
    }

    /// Ends the stream: reads an unfinished last line (a cut one is skipped and counted).
    /// Returns how many events that ingested (0 or 1).
    pub fn finish(&mut self) -> u32 {
        self.inner.finish()
    }

    /// Visitors, stage counts and the summed total score, read at `asOf`; the malformed lines
    /// skipped and the identity merges made.
    #[wasm_bindgen(
        unchecked_return_type = "{ events: number, visitors: number, known: number, mql: number, scoreSum: number, skipped: number, skippedLines: { line: number, reason: string }[], merges: { exact: number, late: number, separate: number, refused: number } }"
    )]
    pub fn summary(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] as_of: JsValue,
    ) -> Result<JsValue, JsError> {
        let as_of = time_arg(&as_of, "asOf")?;
        let replay = &self.inner.replay;
        let mut s = ReplaySummary {
            events: self.inner.events,
            visitors: 0,
            known: 0,
            mql: 0,
            score_sum: 0.0,
            skipped: self.inner.skipped,
            skipped_lines: &self.inner.skipped_lines,
            merges: replay.merges(),
        };
        for (engine, _) in replay.visitors() {
            s.visitors += 1;
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
