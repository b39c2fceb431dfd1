//! Small string routines the engine uses in place of core's general ones.
//!
//! Why: the site snippet's wasm is downloaded by every site visitor (benches/SIZE.md, step 26).
//! core's versions carry machinery the engine does not need for its inputs: the two-way substring
//! searcher, the Unicode alphabetic/numeric tables behind `char::is_alphanumeric`, and
//! `{:?}`'s escaping with its Unicode printable tables. Each routine here says what it agrees
//! with and where (if anywhere) it deliberately differs; its tests pin that.

pub mod search;
pub mod words;
