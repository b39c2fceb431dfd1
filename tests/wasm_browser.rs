//! The engine compiled to wasm32, run in headless Chromium (chromedriver) by
//! wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

mod common_wasm;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn seed_journey_qualifies_in_chromium() {
    common_wasm::seed_journey_qualifies();
}

#[wasm_bindgen_test]
fn malformed_event_is_rejected_in_chromium() {
    common_wasm::malformed_event_is_an_error_naming_the_field();
}

#[wasm_bindgen_test]
fn runs_in_a_real_browser() {
    // Guards against the suite silently running somewhere without a DOM.
    let global = js_sys::global();
    assert!(js_sys::Reflect::has(&global, &"document".into()).unwrap());
    assert!(js_sys::Reflect::has(&global, &"localStorage".into()).unwrap());
}

#[wasm_bindgen_test]
fn js_numbers_match_core_in_chromium() {
    common_wasm::js_numbers_match_core();
}

#[wasm_bindgen_test]
fn allocator_keeps_blocks_intact_in_chromium() {
    common_wasm::allocator_keeps_blocks_intact();
}
