//! Approximate Bayesian computation by sequential Monte Carlo with a fixed number of simulations per
//! generation (population Monte Carlo ABC, Beaumont, Cornuet, Marin & Robert 2009, with the
//! tolerance chosen as a quantile of each generation's distances, as in Del Moral, Doucet & Jasra
//! 2012 and Lenormand, Jabot & Deffuant 2013).
//!
//! Parameters live in the unit cube: coordinate u ∈ [0, 1] of each prior (linear or logarithmic),
//! where every prior is uniform, so the prior density is a constant.
//!
//! - Generation 0 draws S proposals from the prior. Every later generation draws each of its S
//!   proposals by picking particle j of the previous population with probability W_j and adding a
//!   normal perturbation with covariance Σ = 2·(the previous population's weighted covariance); a
//!   draw outside the cube is redrawn whole (particle and perturbation), so the proposal density is
//!   q(u) ∝ Σ_j W_j N(u; u_j, Σ) on the cube.
//! - Each generation keeps the N proposals with the smallest distance (ties by proposal index); its
//!   tolerance ε_g is the largest kept distance. A kept proposal weighs prior/q ∝
//!   1 / Σ_j W_j exp(−½ (u − u_j)ᵀ Σ⁻¹ (u − u_j)) (generation 0: equal weights); weights are
//!   normalised to sum to 1.
//! - SMC stops after the last generation or after one in which fewer than `min_acceptance` of the
//!   proposals fall within the previous tolerance. Rejection ABC is generation 0 alone.

use crate::engine::rng::{Purpose, Stream, StreamKey, mix64};
use crate::error::{Error, Result};

/// A prior's key, minimum and maximum.
pub type PriorRange = (String, f64, f64);

/// Each parameter's values and the particles' weights.
pub struct Particles {
    pub values: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
}

/// One simulated proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Sim {
    pub generation: u32,
    pub index: u32,
    /// The scenario seed the proposal ran with.
    pub seed: u64,
    /// Unit coordinates of the parameters.
    pub u: Vec<f64>,
    /// The fitted targets' simulated values.
    pub values: Vec<f64>,
    pub distance: f64,
}

/// A particle of a population.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    pub sim: Sim,
    pub weight: f64,
}

/// The population a generation leaves.
#[derive(Debug, Clone)]
pub struct Population {
    pub generation: u32,
    pub particles: Vec<Particle>,
    pub tolerance: f64,
    /// Share of the generation's proposals within the previous tolerance (generation 0: 1).
    pub acceptance: f64,
    /// Effective sample size of the weights, (Σw)² / Σw².
    pub ess: f64,
}

/// Distance of simulated values from the observed ones: the root mean square of
/// (value − observed)/scale. An undefined value (no replicate where its denominator is positive)
/// puts a simulation at infinite distance.
pub fn distance(values: &[f64], observed: &[(f64, f64)]) -> f64 {
    let mut sum = 0.0;
    for (v, (o, s)) in values.iter().zip(observed) {
        let z = (v - o) / s;
        if !z.is_finite() {
            return f64::INFINITY;
        }
        sum += z * z;
    }
    (sum / values.len() as f64).sqrt()
}

const SALT: u64 = 0x6361_6C69_6272_6174;

fn key(seed: u64, generation: u32) -> StreamKey {
    StreamKey::new(seed ^ SALT, generation)
}

/// The scenario seed of proposal `index` of `generation` (62 bits, so TOML can hold it).
pub fn sim_seed(seed: u64, generation: u32, index: u32) -> u64 {
    mix64(key(seed, generation).digest ^ mix64(u64::from(index))) >> 2
}

/// The random stream of proposal `index` of `generation`: the same draws whatever ran before it.
pub fn stream(seed: u64, generation: u32, index: u32) -> Stream {
    key(seed, generation).stream(Purpose::Calibration, 0, index)
}

/// The perturbation kernel of a population: the lower Cholesky factor of Σ (row-major, k × k).
#[derive(Debug, Clone)]
pub struct Kernel {
    k: usize,
    lower: Vec<f64>,
    /// Cumulative weights, for picking a particle.
    cumulative: Vec<f64>,
}

impl Kernel {
    pub fn new(population: &Population) -> Result<Kernel> {
        let k = population.particles[0].sim.u.len();
        let mut mean = vec![0.0; k];
        for p in &population.particles {
            for (m, u) in mean.iter_mut().zip(&p.sim.u) {
                *m += p.weight * u;
            }
        }
        let mut cov = vec![0.0; k * k];
        for p in &population.particles {
            for a in 0..k {
                for b in 0..=a {
                    cov[a * k + b] += p.weight * (p.sim.u[a] - mean[a]) * (p.sim.u[b] - mean[b]);
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                cov[b * k + a] = cov[a * k + b];
            }
            // Twice the covariance (Beaumont et al. 2009); a parameter the population has
            // collapsed on keeps a small spread of the unit range.
            for b in 0..k {
                cov[a * k + b] *= 2.0;
            }
            cov[a * k + a] = cov[a * k + a].max(1e-8);
        }
        let lower = cholesky(&cov, k).ok_or_else(|| {
            Error::Invariant("the population's covariance is not positive definite".into())
        })?;
        let mut total = 0.0;
        let cumulative = population
            .particles
            .iter()
            .map(|p| {
                total += p.weight;
                total
            })
            .collect();
        Ok(Kernel {
            k,
            lower,
            cumulative,
        })
    }

    /// ½ (u − v)ᵀ Σ⁻¹ (u − v), by forward substitution with the Cholesky factor.
    fn half_mahalanobis(&self, u: &[f64], v: &[f64]) -> f64 {
        let k = self.k;
        let mut y = vec![0.0; k];
        let mut sum = 0.0;
        for a in 0..k {
            let mut r = u[a] - v[a];
            for b in 0..a {
                r -= self.lower[a * k + b] * y[b];
            }
            y[a] = r / self.lower[a * k + a];
            sum += y[a] * y[a];
        }
        0.5 * sum
    }

    /// A proposal from the population, inside the unit cube.
    pub fn propose(&self, population: &Population, s: &mut Stream) -> Result<Vec<f64>> {
        let total = *self.cumulative.last().expect("a population is not empty");
        for _ in 0..100_000 {
            let x = s.uniform() * total;
            let j = self
                .cumulative
                .partition_point(|&c| c <= x)
                .min(self.cumulative.len() - 1);
            let centre = &population.particles[j].sim.u;
            let z: Vec<f64> = (0..self.k).map(|_| s.normal()).collect();
            let u: Vec<f64> = (0..self.k)
                .map(|a| {
                    centre[a]
                        + (0..=a)
                            .map(|b| self.lower[a * self.k + b] * z[b])
                            .sum::<f64>()
                })
                .collect();
            if u.iter().all(|x| (0.0..=1.0).contains(x)) {
                return Ok(u);
            }
        }
        Err(Error::Invariant(
            "100,000 perturbed proposals in a row fell outside the prior's range".into(),
        ))
    }

    /// log of the (unnormalised) importance weight prior/q of `u`.
    pub fn log_weight(&self, population: &Population, u: &[f64]) -> f64 {
        let terms: Vec<f64> = population
            .particles
            .iter()
            .map(|p| p.weight.ln() - self.half_mahalanobis(u, &p.sim.u))
            .collect();
        -log_sum_exp(&terms)
    }
}

fn log_sum_exp(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Lower Cholesky factor of a symmetric positive definite k × k matrix (row-major).
fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            if i == j {
                let d = a[i * k + i] - sum;
                if d.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return None;
                }
                l[i * k + i] = d.sqrt();
            } else {
                l[i * k + j] = (a[i * k + j] - sum) / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// A proposal of `generation` from the prior (generation 0) or from the previous population.
pub fn propose(
    seed: u64,
    generation: u32,
    index: u32,
    dims: usize,
    previous: Option<(&Population, &Kernel)>,
) -> Result<Vec<f64>> {
    let mut s = stream(seed, generation, index);
    match previous {
        None => Ok((0..dims).map(|_| s.uniform()).collect()),
        Some((population, kernel)) => kernel.propose(population, &mut s),
    }
}

/// The population of a complete generation: its `particles` best simulations, weighted.
pub fn select(
    sims: &[Sim],
    particles: usize,
    previous: Option<(&Population, &Kernel)>,
) -> Population {
    let mut order: Vec<usize> = (0..sims.len()).collect();
    order.sort_by(|&a, &b| {
        sims[a]
            .distance
            .total_cmp(&sims[b].distance)
            .then(sims[a].index.cmp(&sims[b].index))
    });
    order.truncate(particles);
    order.sort_by_key(|&i| sims[i].index);
    let tolerance = order
        .iter()
        .map(|&i| sims[i].distance)
        .fold(f64::NEG_INFINITY, f64::max);
    let log_weights: Vec<f64> = order
        .iter()
        .map(|&i| previous.map_or(0.0, |(p, k)| k.log_weight(p, &sims[i].u)))
        .collect();
    let top = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let raw: Vec<f64> = log_weights.iter().map(|w| (w - top).exp()).collect();
    let total: f64 = raw.iter().sum();
    let particles: Vec<Particle> = order
        .iter()
        .zip(&raw)
        .map(|(&i, w)| Particle {
            sim: sims[i].clone(),
            weight: w / total,
        })
        .collect();
    let acceptance = previous.map_or(1.0, |(p, _)| {
        sims.iter().filter(|s| s.distance <= p.tolerance).count() as f64 / sims.len() as f64
    });
    let ess = 1.0 / particles.iter().map(|p| p.weight * p.weight).sum::<f64>();
    Population {
        generation: sims.first().map_or(0, |s| s.generation),
        particles,
        tolerance,
        acceptance,
        ess,
    }
}

/// The weighted q-quantile (0 ≤ q ≤ 1) of `values`: the smallest value whose cumulative weight
/// reaches q.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += weights[i] / total;
        if cum >= q - 1e-12 {
            return values[i];
        }
    }
    values[*order.last().expect("not empty")]
}

/// Weighted mean and standard deviation.
pub fn weighted_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let var = values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(index: u32, u: f64, distance: f64) -> Sim {
        Sim {
            generation: 0,
            index,
            seed: 0,
            u: vec![u],
            values: vec![],
            distance,
        }
    }

    #[test]
    fn selection_keeps_the_closest_and_breaks_ties_by_index() {
        let sims = vec![
            sim(0, 0.1, 3.0),
            sim(1, 0.2, 1.0),
            sim(2, 0.3, f64::INFINITY),
            sim(3, 0.4, 1.0),
            sim(4, 0.5, 0.5),
        ];
        let p = select(&sims, 2, None);
        let kept: Vec<u32> = p.particles.iter().map(|p| p.sim.index).collect();
        assert_eq!(kept, vec![1, 4]);
        assert_eq!(p.tolerance, 1.0);
        assert!((p.ess - 2.0).abs() < 1e-12);
    }

    #[test]
    fn cholesky_reproduces_the_matrix_and_refuses_an_indefinite_one() {
        let a = [4.0, 2.0, 0.4, 2.0, 3.0, 0.3, 0.4, 0.3, 2.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|m| l[i * 3 + m] * l[j * 3 + m]).sum();
                assert!((v - a[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn weights_undo_the_proposal_density() {
        // Two particles: a proposal near the heavier one has the larger proposal density and so
        // the smaller weight.
        let population = Population {
            generation: 0,
            particles: vec![
                Particle {
                    sim: sim(0, 0.3, 0.0),
                    weight: 0.9,
                },
                Particle {
                    sim: sim(1, 0.7, 0.0),
                    weight: 0.1,
                },
            ],
            tolerance: 1.0,
            acceptance: 1.0,
            ess: 1.2,
        };
        let kernel = Kernel::new(&population).unwrap();
        assert!(kernel.log_weight(&population, &[0.3]) < kernel.log_weight(&population, &[0.7]));
    }

    #[test]
    fn weighted_quantiles_and_moments() {
        let v = [1.0, 2.0, 3.0, 4.0];
        let w = [0.1, 0.4, 0.4, 0.1];
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.51), 3.0);
        assert_eq!(weighted_quantile(&v, &w, 1.0), 4.0);
        let (m, s) = weighted_moments(&v, &w);
        assert!((m - 2.5).abs() < 1e-12);
        assert!((s - (0.1f64 * 2.25 * 2.0 + 0.4 * 0.25 * 2.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn distance_is_infinite_for_an_undefined_value() {
        assert_eq!(
            distance(&[1.0, 3.0], &[(1.0, 1.0), (1.0, 1.0)]),
            2f64.sqrt()
        );
        assert_eq!(distance(&[f64::NAN], &[(1.0, 1.0)]), f64::INFINITY);
    }
}
