//! Experimental designs: the list of design points, each a value per parameter. All randomness comes
//! from a seeded stream, so a design is the same on every machine and in every shard.
//!
//! - *grid*: the Cartesian product of each parameter's levels (the first parameter varies slowest);
//! - *lhs*: Latin hypercube, one point per stratum of every dimension, jittered within the stratum;
//! - *morris*: r trajectories of k + 1 points on a p-level grid, each step moving one factor by
//!   Δ = p / (2(p − 1)) (Morris 1991; Campolongo et al. 2007);
//! - *sobol*: Saltelli's (2010) scheme: matrices A and B of N independent uniform rows, then for each
//!   parameter i the matrix AB_i (A with column i from B); points in the order A, B, AB_1 … AB_k.

use toml::Value;

use super::{DesignKind, Parameter, Range};
use crate::engine::rng::{Purpose, StreamKey};

/// One step of a Morris trajectory: which factor moved and by how much in the unit cube.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisMove {
    pub factor: usize,
    pub delta: f64,
}

/// The design points.
#[derive(Debug, Clone)]
pub struct Design {
    pub rows: Vec<Vec<Value>>,
    /// Morris only: for each trajectory, the k moves between its k + 1 consecutive points.
    pub moves: Vec<Vec<MorrisMove>>,
}

/// Number of design points without building them.
pub fn point_count(kind: DesignKind, parameters: &[Parameter]) -> u64 {
    let k = parameters.len() as u64;
    match kind {
        DesignKind::Grid { levels } => parameters
            .iter()
            .map(|p| match &p.range {
                Range::Levels(v) => v.len() as u64,
                Range::Continuous { .. } => u64::from(levels),
            })
            .try_fold(1u64, |a, b| a.checked_mul(b))
            .unwrap_or(u64::MAX),
        DesignKind::Lhs { points } => u64::from(points),
        DesignKind::Morris { trajectories, .. } => u64::from(trajectories) * (k + 1),
        DesignKind::Sobol { samples } => u64::from(samples) * (k + 2),
    }
}

fn levels_of(p: &Parameter, levels: u32) -> Vec<Value> {
    match &p.range {
        Range::Levels(v) => v.clone(),
        Range::Continuous { .. } => (0..levels)
            .map(|j| {
                p.at(if levels > 1 {
                    f64::from(j) / f64::from(levels - 1)
                } else {
                    0.5
                })
            })
            .collect(),
    }
}

/// Build the design of `kind` over `parameters`, drawing from streams keyed by `seed`.
pub fn build(kind: DesignKind, parameters: &[Parameter], seed: u64) -> Design {
    let k = parameters.len();
    let mut rng = StreamKey::new(seed, u32::MAX).stream(Purpose::Design, 0, 0);
    let from_unit =
        |u: &[f64]| -> Vec<Value> { parameters.iter().zip(u).map(|(p, &x)| p.at(x)).collect() };
    match kind {
        DesignKind::Grid { levels } => {
            let axes: Vec<Vec<Value>> = parameters.iter().map(|p| levels_of(p, levels)).collect();
            let mut rows = vec![Vec::new()];
            for axis in &axes {
                rows = rows
                    .into_iter()
                    .flat_map(|row| {
                        axis.iter().map(move |v| {
                            let mut r = row.clone();
                            r.push(v.clone());
                            r
                        })
                    })
                    .collect();
            }
            Design {
                rows,
                moves: Vec::new(),
            }
        }
        DesignKind::Lhs { points } => {
            let n = points as usize;
            let mut columns: Vec<Vec<f64>> = Vec::with_capacity(k);
            for _ in 0..k {
                let mut strata: Vec<usize> = (0..n).collect();
                shuffle(&mut strata, &mut rng);
                columns.push(
                    strata
                        .iter()
                        .map(|&s| (s as f64 + rng.uniform()) / n as f64)
                        .collect(),
                );
            }
            let rows = (0..n)
                .map(|i| from_unit(&columns.iter().map(|c| c[i]).collect::<Vec<_>>()))
                .collect();
            Design {
                rows,
                moves: Vec::new(),
            }
        }
        DesignKind::Morris {
            trajectories,
            levels,
        } => {
            let p = f64::from(levels);
            let delta = p / (2.0 * (p - 1.0));
            let mut rows = Vec::new();
            let mut moves = Vec::new();
            for _ in 0..trajectories {
                // Start on the grid {0, 1/(p−1), …, 1}; each factor moves once, by +Δ or −Δ.
                let mut x: Vec<f64> = (0..k)
                    .map(|_| (rng.uniform() * p).floor().min(p - 1.0) / (p - 1.0))
                    .collect();
                let mut order: Vec<usize> = (0..k).collect();
                shuffle(&mut order, &mut rng);
                rows.push(from_unit(&x));
                let mut path = Vec::with_capacity(k);
                for &i in &order {
                    let up_ok = x[i] + delta <= 1.0 + 1e-12;
                    let down_ok = x[i] - delta >= -1e-12;
                    let up = if up_ok && down_ok {
                        rng.uniform() < 0.5
                    } else {
                        up_ok
                    };
                    let d = if up { delta } else { -delta };
                    x[i] = (x[i] + d).clamp(0.0, 1.0);
                    rows.push(from_unit(&x));
                    path.push(MorrisMove {
                        factor: i,
                        delta: d,
                    });
                }
                moves.push(path);
            }
            Design { rows, moves }
        }
        DesignKind::Sobol { samples } => {
            let n = samples as usize;
            let a: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..k).map(|_| rng.uniform()).collect())
                .collect();
            let b: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..k).map(|_| rng.uniform()).collect())
                .collect();
            let mut rows: Vec<Vec<Value>> = a.iter().chain(&b).map(|u| from_unit(u)).collect();
            for i in 0..k {
                for (ra, rb) in a.iter().zip(&b) {
                    let mut u = ra.clone();
                    u[i] = rb[i];
                    rows.push(from_unit(&u));
                }
            }
            Design {
                rows,
                moves: Vec::new(),
            }
        }
    }
}

/// Fisher–Yates shuffle.
fn shuffle<T>(v: &mut [T], rng: &mut crate::engine::rng::Stream) {
    for i in (1..v.len()).rev() {
        let j = ((rng.uniform() * (i + 1) as f64) as usize).min(i);
        v.swap(i, j);
    }
}

/// Unit-cube matrices A, B (N × k) as built by [`build`] for a Sobol design, for testing estimators
/// on analytic functions with exactly the sampler the sweeps use.
pub fn sobol_unit_samples(samples: usize, k: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut rng = StreamKey::new(seed, u32::MAX).stream(Purpose::Design, 0, 0);
    let a = (0..samples)
        .map(|_| (0..k).map(|_| rng.uniform()).collect())
        .collect();
    let b = (0..samples)
        .map(|_| (0..k).map(|_| rng.uniform()).collect())
        .collect();
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn continuous(key: &str) -> Parameter {
        Parameter {
            key: key.into(),
            range: Range::Continuous {
                min: 0.0,
                max: 1.0,
                log: false,
            },
            integer: false,
        }
    }

    #[test]
    fn lhs_puts_one_point_in_every_stratum_of_every_dimension() {
        let params = [continuous("a"), continuous("b"), continuous("c")];
        let d = build(DesignKind::Lhs { points: 50 }, &params, 3);
        for j in 0..3 {
            let mut strata: Vec<usize> = d
                .rows
                .iter()
                .map(|r| (r[j].as_float().unwrap() * 50.0) as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn morris_trajectories_move_each_factor_once_by_delta() {
        let params = [
            continuous("a"),
            continuous("b"),
            continuous("c"),
            continuous("d"),
        ];
        let d = build(
            DesignKind::Morris {
                trajectories: 20,
                levels: 4,
            },
            &params,
            5,
        );
        assert_eq!(d.rows.len(), 20 * 5);
        for (t, path) in d.moves.iter().enumerate() {
            let mut seen: Vec<usize> = path.iter().map(|m| m.factor).collect();
            seen.sort_unstable();
            assert_eq!(seen, vec![0, 1, 2, 3]);
            for (s, m) in path.iter().enumerate() {
                let before = d.rows[t * 5 + s][m.factor].as_float().unwrap();
                let after = d.rows[t * 5 + s + 1][m.factor].as_float().unwrap();
                assert!(
                    (after - before - m.delta).abs() < 1e-12
                        && (m.delta.abs() - 2.0 / 3.0).abs() < 1e-12
                );
            }
        }
    }

    #[test]
    fn grid_is_the_cartesian_product_first_parameter_slowest() {
        let a = Parameter {
            key: "a".into(),
            range: Range::Levels(vec![Value::Integer(1), Value::Integer(2)]),
            integer: true,
        };
        let b = Parameter {
            key: "b".into(),
            range: Range::Levels(vec!["x".into(), "y".into(), "z".into()]),
            integer: false,
        };
        let d = build(DesignKind::Grid { levels: 3 }, &[a, b], 0);
        assert_eq!(d.rows.len(), 6);
        assert_eq!(
            d.rows[1],
            vec![Value::Integer(1), Value::String("y".into())]
        );
        assert_eq!(
            d.rows[3],
            vec![Value::Integer(2), Value::String("x".into())]
        );
    }
}
