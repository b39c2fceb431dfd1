//! The engine compiled to wasm32, run in Node by wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

mod common_wasm;

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn seed_journey_qualifies_in_node() {
    common_wasm::seed_journey_qualifies();
}

#[wasm_bindgen_test]
fn malformed_event_is_rejected_in_node() {
    common_wasm::malformed_event_is_an_error_naming_the_field();
}

#[wasm_bindgen_test]
fn js_numbers_match_core_in_node() {
    common_wasm::js_numbers_match_core();
}

#[wasm_bindgen_test]
fn allocator_keeps_blocks_intact_in_node() {
    common_wasm::allocator_keeps_blocks_intact();
}
