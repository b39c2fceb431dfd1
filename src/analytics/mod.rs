//! Dashboard analytics (issue 6): imports, lead rows, funnel, SLA, rejected-lead patterns,
//! backtest, score histogram and sample data. Pure Rust like the engine (no clock: `as_of` is a
//! parameter); compiled only with the `analytics` feature, so site visitors never download it.
//!
//! Data flow: [`import`] / [`outcomes`] / handoff lines → [`workspace::Workspace`] (events kept
//! compact in [`store::EventStore`]) → replay under a
//! model → [`lead::Lead`] rows → [`funnel`], [`sla`], [`rejected`], [`histogram`], [`backtest`].

pub mod backtest;
pub mod csv_stream;
pub mod dates;
pub mod funnel;
pub mod histogram;
pub mod import;
pub mod json_array;
pub mod lead;
pub mod outcomes;
pub mod rejected;
pub mod report;
pub mod sample;
pub mod sla;
pub mod stats;
pub mod store;
pub mod workspace;
