//! Score distribution: fixed-width bins, with MQLs and wins counted per bin so the chart shows
//! where the threshold cuts.

use serde::Serialize;

use super::lead::Lead;
use super::outcomes::SalesStage;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Histogram {
    /// Lower edge of each bin (the last bin includes its upper edge).
    pub lower: Vec<f64>,
    pub width: f64,
    pub all: Vec<f64>,
    pub mql: Vec<f64>,
    pub won: Vec<f64>,
}

/// `bins` equal-width bins from min(0, lowest score) to the highest score.
pub fn histogram(leads: &[Lead], bins: usize) -> Histogram {
    let bins = bins.clamp(1, 500);
    let lo = leads.iter().map(|l| l.score).fold(0.0f64, f64::min).floor();
    let hi = leads
        .iter()
        .map(|l| l.score)
        .fold(lo + 1.0, f64::max)
        .ceil();
    let width = (hi - lo) / bins as f64;
    let mut h = Histogram {
        lower: (0..bins).map(|i| lo + width * i as f64).collect(),
        width,
        all: vec![0.0; bins],
        mql: vec![0.0; bins],
        won: vec![0.0; bins],
    };
    for l in leads {
        let i = (((l.score - lo) / width) as usize).min(bins - 1);
        h.all[i] += 1.0;
        if l.is_mql() {
            h.mql[i] += 1.0;
        }
        if l.reached(SalesStage::Won).is_some() {
            h.won[i] += 1.0;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lead::tests::lead;

    #[test]
    fn worked_example() {
        let leads: Vec<Lead> = [0.0, 9.9, 10.0, 55.0, 100.0]
            .iter()
            .enumerate()
            .map(|(i, &s)| lead(&i.to_string(), s, (s >= 50.0).then_some(0), &[]))
            .collect();
        let h = histogram(&leads, 10);
        assert_eq!(h.width, 10.0);
        assert_eq!(h.lower[5], 50.0);
        assert_eq!(h.all, [2.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(h.mql.iter().sum::<f64>(), 2.0);
        let empty = histogram(&[], 4);
        assert_eq!(empty.all, [0.0; 4]);
    }
}
