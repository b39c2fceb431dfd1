//! Calibration speed on the UCI Bank Marketing table (45,211 rows × 16 attribute columns).
//! `cargo bench --features analytics --bench calibrate`; the wasm figure comes from
//! `node benches/calibrate-wasm.mjs`, which prints both side by side.

use baton::calibrate::dataset::Dataset;
use baton::calibrate::{calibrate_csv, calibrate_dataset, csv, CalibrateOptions, SplitKind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

/// Median and fastest of the runs: on a shared machine the fastest is the closest to the
/// uncontended cost, the median to what a user sees.
fn median_and_min(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[0])
}

fn time<T>(mut f: impl FnMut() -> T) -> ((Duration, Duration), T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(start.elapsed());
    }
    (median_and_min(times), last.expect("RUNS > 0"))
}

fn main() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/uci-bank-marketing/bank-full.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("SKIPPED: {} is absent", path.display());
        return;
    };
    let options = CalibrateOptions {
        outcome_column: "y".into(),
        exclude: vec!["duration".into()],
        split: Some(SplitKind::Stratified),
        ..CalibrateOptions::default()
    };
    let (parse, dataset) = time(|| {
        let table = csv::parse(&text, None).expect("csv");
        Dataset::from_csv(
            &table,
            "y",
            &options.positive_values,
            None,
            None,
            &options.exclude,
        )
        .expect("dataset")
    });
    let (train, report) = time(|| calibrate_dataset(&dataset, &options, &mut |_| {}).expect("fit"));
    let (total, _) = time(|| calibrate_csv(&text, &options, &mut |_| {}).expect("calibrate"));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "calibrate native ({} rows, {} columns, {} parameters, median (min) of {RUNS}): \
         parse {:.1} ({:.1}) ms, bin+screen+fit+evaluate {:.1} ({:.1}) ms, \
         calibrate(csv) total {:.1} ({:.1}) ms; test AUC {:.4}",
        dataset.len(),
        dataset.columns.len(),
        report.fit.parameters,
        ms(parse.0),
        ms(parse.1),
        ms(train.0),
        ms(train.1),
        ms(total.0),
        ms(total.1),
        report.evaluation.test.auc.unwrap_or(f64::NAN)
    );
}
