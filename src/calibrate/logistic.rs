//! L2-regularised logistic regression over indicator features, fitted by Newton's method (IRLS).
//!
//! Every feature is a 0/1 indicator (a scorecard bin), so a row is the short list of its active
//! features and the Hessian is accumulated from those lists: cost per iteration is
//! rows × (active per row)² plus one Cholesky solve of the (features + 1)² system. The penalty is
//! `l2 / 2 · Σ β²` on the coefficients, not on the intercept (the same scale as scikit-learn's
//! `C = 1 / l2`). Deterministic: fixed iteration order, no randomness, a plain Cholesky solve.

use super::features::NO_BIN;

/// Rows of active indicator features: row `r` is `active[r * stride .. (r + 1) * stride]`;
/// entries equal to [`NO_BIN`] are skipped; a feature appears at most once per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub n_features: usize,
    pub stride: usize,
    pub active: Vec<u32>,
}

impl Design {
    pub fn row(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        self.active[r * self.stride..(r + 1) * self.stride]
            .iter()
            .filter(|&&f| f != NO_BIN)
            .map(|&f| f as usize)
    }

    /// The linear predictor `intercept + Σ coefficients[active]` of row `r`.
    pub fn eta(&self, r: usize, intercept: f64, coefficients: &[f64]) -> f64 {
        intercept + self.row(r).map(|f| coefficients[f]).sum::<f64>()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticOptions {
    /// Penalty weight; `0` fits plain maximum likelihood (only for designs without redundant
    /// features; one-hot with an intercept needs a positive penalty).
    pub l2: f64,
    pub max_iterations: u32,
    /// Stop when no parameter moves more than this in a step.
    pub tolerance: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions {
            l2: 1.0,
            max_iterations: 50,
            tolerance: 1e-8,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    pub iterations: u32,
    pub converged: bool,
    /// Penalised log-likelihood at the solution.
    pub objective: f64,
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    NoRows,
    /// The system is not positive definite at this pivot (redundant features without a penalty).
    Singular {
        pivot: usize,
    },
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::NoRows => write!(f, "no training rows"),
            FitError::Singular { pivot } => write!(
                f,
                "the features are redundant (singular system at parameter {pivot}); use l2 > 0"
            ),
        }
    }
}

pub fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^eta)` without overflow.
fn softplus(eta: f64) -> f64 {
    if eta > 0.0 {
        eta + (-eta).exp().ln_1p()
    } else {
        eta.exp().ln_1p()
    }
}

fn objective(design: &Design, rows: &[usize], y: &[bool], theta: &[f64], l2: f64) -> f64 {
    let (intercept, beta) = (theta[0], &theta[1..]);
    let ll: f64 = rows
        .iter()
        .map(|&r| {
            let eta = design.eta(r, intercept, beta);
            (if y[r] { eta } else { 0.0 }) - softplus(eta)
        })
        .sum();
    ll - 0.5 * l2 * beta.iter().map(|b| b * b).sum::<f64>()
}

/// Fits on the rows listed in `rows` (indices into `design` and `y`). `on_iteration` is called
/// after every Newton step with the step number (for progress reports).
pub fn fit(
    design: &Design,
    rows: &[usize],
    y: &[bool],
    options: &LogisticOptions,
    on_iteration: &mut dyn FnMut(u32),
) -> Result<LogisticFit, FitError> {
    if rows.is_empty() {
        return Err(FitError::NoRows);
    }
    let p = design.n_features + 1;
    let mut theta = vec![0.0; p];
    // Start at the base rate (clamped so an all-one-class sample still starts finite).
    let positives = rows.iter().filter(|&&r| y[r]).count() as f64;
    let rate = (positives / rows.len() as f64).clamp(1e-6, 1.0 - 1e-6);
    theta[0] = (rate / (1.0 - rate)).ln();
    let mut current = objective(design, rows, y, &theta, options.l2);
    let mut hessian = vec![0.0; p * p];
    let mut gradient = vec![0.0; p];
    let mut active: Vec<usize> = Vec::with_capacity(design.stride + 1);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        hessian.iter_mut().for_each(|h| *h = 0.0);
        gradient.iter_mut().for_each(|g| *g = 0.0);
        for &r in rows {
            active.clear();
            active.push(0);
            active.extend(design.row(r).map(|f| f + 1));
            // Calibration designs are already ascending (one bin per column in column order);
            // sorting keeps other callers correct at the cost of a check.
            if !active.windows(2).all(|w| w[0] < w[1]) {
                active.sort_unstable();
            }
            let mu = sigmoid(design.eta(r, theta[0], &theta[1..]));
            let residual = if y[r] { 1.0 - mu } else { -mu };
            let w = mu * (1.0 - mu);
            // `active` is ascending, so `active[a..]` is the upper triangle of the row's outer
            // product: half the work, mirrored below before the solve.
            for (a, &i) in active.iter().enumerate() {
                gradient[i] += residual;
                let row = &mut hessian[i * p..(i + 1) * p];
                for &j in &active[a..] {
                    row[j] += w;
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                hessian[i * p + j] = hessian[j * p + i];
            }
        }
        for j in 1..p {
            gradient[j] -= options.l2 * theta[j];
            hessian[j * p + j] += options.l2;
        }
        let mut step = gradient.clone();
        cholesky_solve(&mut hessian, p, &mut step)?;
        // Newton steps can overshoot far from the optimum; halve until the objective improves.
        let mut scale = 1.0;
        let mut candidate = vec![0.0; p];
        loop {
            for j in 0..p {
                candidate[j] = theta[j] + scale * step[j];
            }
            let value = objective(design, rows, y, &candidate, options.l2);
            if value >= current - 1e-12 * current.abs().max(1.0) || scale < 1e-6 {
                current = value;
                break;
            }
            scale *= 0.5;
        }
        let moved = step.iter().map(|s| (s * scale).abs()).fold(0.0, f64::max);
        std::mem::swap(&mut theta, &mut candidate);
        on_iteration(iterations);
        if moved < options.tolerance {
            converged = true;
            break;
        }
    }
    Ok(LogisticFit {
        intercept: theta[0],
        coefficients: theta[1..].to_vec(),
        iterations,
        converged,
        objective: current,
    })
}

/// Solves `A x = b` for a symmetric positive definite `A` (n × n, row-major) in place:
/// `A` is overwritten by its Cholesky factor, `b` by `x`.
pub fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> Result<(), FitError> {
    for j in 0..n {
        let diagonal = a[j * n + j];
        let mut d = diagonal;
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        // Relative test: rounding leaves a redundant column a tiny positive remainder, not zero.
        if d.is_nan() || d <= diagonal.abs() * 1e-12 || d.is_infinite() {
            return Err(FitError::Singular { pivot: j });
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    // Forward: L z = b.
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    // Backward: Lᵀ x = z.
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One optional indicator per row.
    fn single(flags: &[bool]) -> Design {
        Design {
            n_features: 1,
            stride: 1,
            active: flags.iter().map(|&f| if f { 0 } else { NO_BIN }).collect(),
        }
    }

    fn run(design: &Design, y: &[bool], l2: f64) -> LogisticFit {
        let rows: Vec<usize> = (0..y.len()).collect();
        let options = LogisticOptions {
            l2,
            ..LogisticOptions::default()
        };
        fit(design, &rows, y, &options, &mut |_| {}).unwrap()
    }

    #[test]
    fn cholesky_two_by_two() {
        // 4x + 2y = 2, 2x + 3y = 1  →  x = 1/2, y = 0.
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        cholesky_solve(&mut a, 2, &mut b).unwrap();
        assert!((b[0] - 0.5).abs() < 1e-15 && b[1].abs() < 1e-15);
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert_eq!(
            cholesky_solve(&mut singular, 2, &mut [1.0, 1.0]),
            Err(FitError::Singular { pivot: 1 })
        );
    }

    // Worked example: 8 rows. Feature on: 3 of 4 converted; feature off: 1 of 4.
    const FLAGS: [bool; 8] = [true, true, true, true, false, false, false, false];
    const Y: [bool; 8] = [true, true, true, false, true, false, false, false];

    #[test]
    fn unpenalised_fit_matches_the_closed_form() {
        // Maximum likelihood reproduces each group's log-odds:
        // intercept = logit(1/4) = -ln 3, coefficient = logit(3/4) - logit(1/4) = 2 ln 3.
        let f = run(&single(&FLAGS), &Y, 0.0);
        assert!(f.converged);
        assert!((f.intercept + 3f64.ln()).abs() < 1e-9, "{}", f.intercept);
        assert!((f.coefficients[0] - 2.0 * 3f64.ln()).abs() < 1e-9);
        assert!(f.iterations < 10);
    }

    #[test]
    fn penalised_fit_satisfies_the_hand_derived_conditions() {
        // With l2 = 1 the score equations are 1 - 4σ(b0) + 3 - 4σ(b0 + β) = 0 and
        // 3 - 4σ(b0 + β) = β. By symmetry b0 = -β/2, leaving σ(β/2) = (3 - β)/4,
        // whose root lies between 0.668 and 0.669 (bisection by hand: f(0.668) < 0 < f(0.669)).
        let f = run(&single(&FLAGS), &Y, 1.0);
        let beta = f.coefficients[0];
        assert!((0.668..0.669).contains(&beta), "{beta}");
        assert!((f.intercept + beta / 2.0).abs() < 1e-9);
        assert!((sigmoid(beta / 2.0) - (3.0 - beta) / 4.0).abs() < 1e-12);
    }

    #[test]
    fn separable_data_stays_finite_with_a_penalty() {
        // The indicator predicts the outcome perfectly: without a penalty β would run off to
        // infinity; with l2 = 1 it stops where 4(1 - σ(b0 + β)) = β.
        let y = FLAGS;
        let f = run(&single(&FLAGS), &y, 1.0);
        assert!(f.converged);
        let beta = f.coefficients[0];
        assert!(beta.is_finite() && beta > 1.0);
        assert!((4.0 * (1.0 - sigmoid(f.intercept + beta)) - beta).abs() < 1e-9);
        // And the intercept balances the off group: 4σ(b0) = the on group's shortfall.
        assert!(
            (4.0 * sigmoid(f.intercept) - 4.0 * (1.0 - sigmoid(f.intercept + beta))).abs() < 1e-9
        );
    }

    #[test]
    fn intercept_only_is_the_base_rate() {
        let design = Design {
            n_features: 0,
            stride: 0,
            active: Vec::new(),
        };
        let f = run(&design, &[true, true, true, false], 0.0);
        assert!((f.intercept - 3f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn redundant_features_without_a_penalty_are_reported() {
        // Two one-hot bins plus an intercept: one parameter too many.
        let design = Design {
            n_features: 2,
            stride: 1,
            active: vec![0, 0, 1, 1],
        };
        let rows = [0, 1, 2, 3];
        let options = LogisticOptions {
            l2: 0.0,
            ..LogisticOptions::default()
        };
        let err = fit(
            &design,
            &rows,
            &[true, false, true, false],
            &options,
            &mut |_| {},
        );
        assert!(matches!(err, Err(FitError::Singular { .. })));
        assert_eq!(
            fit(&design, &[], &[], &options, &mut |_| {}),
            Err(FitError::NoRows)
        );
    }
}
