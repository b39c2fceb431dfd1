//! `verifyHandoff`: the server side of a handoff. Decode the payload and the model, re-score with
//! the engine (`crate::verify`), encode the verdict.

use wasm_bindgen::prelude::*;

use super::convert::{json_value, to_js};
use super::engine::decode_model;

/// Re-scores a handoff payload with the model it names and reports whether its score, ledger,
/// stage, routing, SLA deadline, model hash and `handoffId` are what the engine computes from the
/// payload's own data. Never trust a score posted by a browser that you cannot reproduce.
///
/// `payload` is whatever was posted, parsed or as text (typed `unknown`: it is untrusted until
/// verified); `model` is the model whose hash the payload names (object or text). An invalid
/// model throws; an invalid or forged payload never throws, it is reported in `mismatches`.
///
/// ```ts
/// import { verifyHandoff } from 'baton';
/// const payload: unknown = JSON.parse(body);
/// const hash = (payload as { model?: { hash?: unknown } } | null)?.model?.hash;
/// const model = typeof hash === 'string' ? models.get(hash) : undefined; // Map<string, Model>
/// if (!model) return reply(422, ['model.hash: not a model we published']);
/// const verdict = verifyHandoff(payload, model);
/// if (!verdict.ok) return reply(422, verdict.mismatches.map((m) => `${m.field}: ${m.reason}`));
/// ```
#[wasm_bindgen(js_name = verifyHandoff, unchecked_return_type = "VerifyResult")]
pub fn verify_handoff(
    #[wasm_bindgen(unchecked_param_type = "unknown")] payload: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Model | string")] model: JsValue,
) -> Result<JsValue, JsError> {
    let model = decode_model(model)?;
    let verdict = match payload.as_string() {
        Some(text) => crate::verify::verify_handoff_json(&text, &model),
        None => crate::verify::verify_handoff(&json_value(payload)?, &model),
    };
    to_js(&verdict)
}
