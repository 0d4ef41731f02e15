//! Sensitivity estimators with bootstrap confidence intervals.
//!
//! *Sobol indices* from Saltelli's design (A, B, AB_i; see `design.rs`), with V the variance of the
//! pooled f(A) and f(B) outputs:
//!   first order  S_i  = mean((f(B) − f̄)·(f(AB_i) − f(A))) / V    (Saltelli et al. 2010, Table 2 (b),
//!                                                                  with f(B) centred on the pooled mean f̄)
//!   total order  S_Ti = mean((f(A) − f(AB_i))²) / (2V)            (Jansen 1999)
//! *Morris elementary effects* EE = (f(x + Δe_i) − f(x)) / Δ in the unit cube, summarised by μ, μ* =
//! mean |EE| (Campolongo et al. 2007) and σ. Confidence intervals are 95% percentile bootstrap
//! intervals over the N base rows (Sobol) or the r trajectories (Morris), with a seeded stream.

use super::design::MorrisMove;
use crate::engine::rng::{Purpose, Stream, StreamKey};

pub use crate::output::stats::Estimate;

/// Sobol indices of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub first: Estimate,
    pub total: Estimate,
}

/// Morris measures of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    pub mu: Estimate,
    pub mu_star: Estimate,
    pub sigma: Estimate,
}

fn bootstrap_stream(seed: u64) -> Stream {
    StreamKey::new(seed, u32::MAX - 1).stream(Purpose::Design, 1, 0)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

fn interval(value: f64, mut draws: Vec<f64>) -> Estimate {
    draws.retain(|x| x.is_finite());
    draws.sort_by(f64::total_cmp);
    Estimate {
        value,
        low: percentile(&draws, 0.025),
        high: percentile(&draws, 0.975),
    }
}

/// First and total indices from outputs on a subset `rows` of the N base rows.
fn sobol_point(fa: &[f64], fb: &[f64], fab: &[f64], rows: &[usize]) -> (f64, f64) {
    let n = rows.len() as f64;
    let pooled_mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * n);
    let variance = rows
        .iter()
        .map(|&j| (fa[j] - pooled_mean).powi(2) + (fb[j] - pooled_mean).powi(2))
        .sum::<f64>()
        / (2.0 * n);
    if variance <= 0.0 {
        return (0.0, 0.0);
    }
    // Centring f(B) on the pooled mean leaves the estimator's expectation unchanged
    // (E[f(AB_i) − f(A)] = 0) and removes the variance a large output mean adds.
    let first = rows
        .iter()
        .map(|&j| (fb[j] - pooled_mean) * (fab[j] - fa[j]))
        .sum::<f64>()
        / n
        / variance;
    let total = rows.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / n / (2.0 * variance);
    (first, total)
}

/// `bootstrap` resamples with replacement of the indices 0..n, from the experiment's bootstrap stream.
fn resamples(n: usize, bootstrap: u32, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = bootstrap_stream(seed);
    (0..bootstrap)
        .map(|_| {
            (0..n)
                .map(|_| ((rng.uniform() * n as f64) as usize).min(n - 1))
                .collect()
        })
        .collect()
}

/// Sobol indices for each parameter from f(A), f(B) and f(AB_i) (each of length N).
pub fn sobol(
    fa: &[f64],
    fb: &[f64],
    fab: &[Vec<f64>],
    bootstrap: u32,
    seed: u64,
) -> Vec<SobolIndex> {
    let all: Vec<usize> = (0..fa.len()).collect();
    let resamples = resamples(fa.len(), bootstrap, seed);
    fab.iter()
        .map(|f| {
            let (first, total) = sobol_point(fa, fb, f, &all);
            let (firsts, totals): (Vec<f64>, Vec<f64>) = resamples
                .iter()
                .map(|rows| sobol_point(fa, fb, f, rows))
                .unzip();
            SobolIndex {
                first: interval(first, firsts),
                total: interval(total, totals),
            }
        })
        .collect()
}

/// Elementary effects of each factor along each trajectory: `effects[factor][trajectory]`.
pub fn elementary_effects(
    outputs: &[f64],
    moves: &[Vec<MorrisMove>],
    factors: usize,
) -> Vec<Vec<f64>> {
    let mut effects = vec![Vec::with_capacity(moves.len()); factors];
    for (t, path) in moves.iter().enumerate() {
        let start = t * (path.len() + 1);
        for (s, m) in path.iter().enumerate() {
            effects[m.factor].push((outputs[start + s + 1] - outputs[start + s]) / m.delta);
        }
    }
    effects
}

fn morris_point(ee: &[f64], rows: &[usize]) -> (f64, f64, f64) {
    let n = rows.len() as f64;
    let mu = rows.iter().map(|&j| ee[j]).sum::<f64>() / n;
    let mu_star = rows.iter().map(|&j| ee[j].abs()).sum::<f64>() / n;
    let sigma = if rows.len() > 1 {
        (rows.iter().map(|&j| (ee[j] - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mu, mu_star, sigma)
}

/// Morris μ, μ* and σ for each factor, with bootstrap intervals over trajectories.
pub fn morris(
    outputs: &[f64],
    moves: &[Vec<MorrisMove>],
    factors: usize,
    bootstrap: u32,
    seed: u64,
) -> Vec<MorrisIndex> {
    let effects = elementary_effects(outputs, moves, factors);
    let all: Vec<usize> = (0..moves.len()).collect();
    let resamples = resamples(moves.len(), bootstrap, seed);
    effects
        .iter()
        .map(|ee| {
            let (mu, mu_star, sigma) = morris_point(ee, &all);
            let boot: Vec<(f64, f64, f64)> = resamples
                .iter()
                .map(|rows| morris_point(ee, rows))
                .collect();
            MorrisIndex {
                mu: interval(mu, boot.iter().map(|b| b.0).collect()),
                mu_star: interval(mu_star, boot.iter().map(|b| b.1).collect()),
                sigma: interval(sigma, boot.iter().map(|b| b.2).collect()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::design::{build, sobol_unit_samples};
    use crate::experiment::{DesignKind, Parameter, Range};
    use std::f64::consts::PI;

    fn run_sobol(f: impl Fn(&[f64]) -> f64, k: usize, n: usize) -> Vec<SobolIndex> {
        let (a, b) = sobol_unit_samples(n, k, 11);
        let fa: Vec<f64> = a.iter().map(|x| f(x)).collect();
        let fb: Vec<f64> = b.iter().map(|x| f(x)).collect();
        let fab: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                a.iter()
                    .zip(&b)
                    .map(|(ra, rb)| {
                        let mut x = ra.clone();
                        x[i] = rb[i];
                        f(&x)
                    })
                    .collect()
            })
            .collect();
        sobol(&fa, &fb, &fab, 300, 5)
    }

    /// Ishigami & Homma (1990) on the unit cube mapped to [−π, π]^3, with a = 7, b = 0.1.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Each 95% interval covers the truth (first, total); 0.01 of slack for the 5% of misses.
    fn assert_cover(indices: &[SobolIndex], expected: &[(f64, f64)]) {
        assert_eq!(indices.len(), expected.len());
        for (i, (s, (s1, st))) in indices.iter().zip(expected).enumerate() {
            assert!(
                covers(s.first, *s1, 0.01),
                "S{} = {:?}, truth {s1}",
                i + 1,
                s.first
            );
            assert!(
                covers(s.total, *st, 0.01),
                "ST{} = {:?}, truth {st}",
                i + 1,
                s.total
            );
        }
    }

    fn covers(e: Estimate, truth: f64, slack: f64) -> bool {
        e.low - slack <= truth && truth <= e.high + slack
    }

    #[test]
    fn sobol_estimates_cover_the_analytic_ishigami_indices() {
        // Ishigami (a = 7, b = 0.1) on [−π, π]^3 (Ishigami & Homma 1990; Saltelli et al. 2008).
        let (a, b) = (7.0, 0.1);
        let f = ishigami;
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + v13;
        let expected = [(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)];
        let indices = run_sobol(f, 3, 8192);
        assert_cover(&indices, &expected);
    }

    #[test]
    fn sobol_first_order_stays_precise_when_the_output_has_a_large_mean() {
        // Model outputs (e.g. a stock of ~10^3 t) have large means; shifting Ishigami by 10^4 must
        // change neither the indices nor, thanks to centring, the width of their intervals.
        let f = |u: &[f64]| 1e4 + ishigami(u);
        let s2 =
            (49.0 / 8.0) / (49.0 / 8.0 + 0.1 * PI.powi(4) / 5.0 + 0.01 * PI.powi(8) / 18.0 + 0.5);
        let indices = run_sobol(f, 3, 2048);
        assert!(
            covers(indices[1].first, s2, 0.01),
            "{:?} vs {s2}",
            indices[1].first
        );
        for s in &indices {
            assert!(
                s.first.high - s.first.low < 0.15,
                "interval too wide: {:?}",
                s.first
            );
        }
    }

    #[test]
    fn sobol_estimates_cover_the_analytic_g_function_indices() {
        // Sobol's G function with a = (0, 1, 4.5, 9, 99): V_i = 1/(3(1 + a_i)²).
        let coef = [0.0, 1.0, 4.5, 9.0, 99.0];
        let f = |x: &[f64]| {
            x.iter()
                .zip(coef)
                .map(|(xi, ai)| ((4.0 * xi - 2.0).abs() + ai) / (1.0 + ai))
                .product::<f64>()
        };
        let vi: Vec<f64> = coef
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
        let expected: Vec<(f64, f64)> = (0..coef.len())
            .map(|i| {
                let others: f64 = vi
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, x)| 1.0 + x)
                    .product();
                (vi[i] / v, vi[i] * others / v)
            })
            .collect();
        assert_cover(&run_sobol(f, 5, 8192), &expected);
    }

    #[test]
    fn morris_effects_of_a_linear_function_are_its_slopes() {
        let slopes = [3.0, -2.0, 0.0, 0.5];
        let params: Vec<Parameter> = (0..4)
            .map(|i| Parameter {
                key: format!("x{i}"),
                range: Range::Continuous {
                    min: 0.0,
                    max: 1.0,
                    log: false,
                },
                integer: false,
            })
            .collect();
        let d = build(
            DesignKind::Morris {
                trajectories: 15,
                levels: 4,
            },
            &params,
            2,
        );
        let outputs: Vec<f64> = d
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(slopes)
                    .map(|(x, c)| c * x.as_float().unwrap())
                    .sum()
            })
            .collect();
        let m = morris(&outputs, &d.moves, 4, 100, 1);
        for (i, c) in slopes.iter().enumerate() {
            assert!(
                (m[i].mu.value - c).abs() < 1e-9 && (m[i].mu_star.value - c.abs()).abs() < 1e-9
            );
            assert!(m[i].sigma.value < 1e-9);
        }
    }
}
