//! Initial populations (ODD "Initialization", `docs/MODEL.md` §5): enterprises with log-normal output
//! and emission intensity, uniform cost factors, a violation type drawn from the departments'
//! shares, online monitoring of the largest emitters, inspection weights and cap allocations; residents
//! with a uniform education level and awareness from it.

use rayon::prelude::*;

use super::PUBLIC_CHUNK;
use super::enterprise::Enterprise;
use super::public::Public;
use super::targets;
use crate::engine::rng::{Purpose, StreamKey};
use crate::scenario::Params;

/// Log-normal draw with the given mean and shape σ.
fn lognormal(rng: &mut crate::engine::rng::Stream, mean: f64, sigma: f64) -> f64 {
    mean * (sigma * rng.normal() - 0.5 * sigma * sigma).exp()
}

pub fn enterprises(p: &Params, key: &StreamKey, region: usize, out: &mut [Enterprise]) {
    let e = &p.enterprises;
    let shares = &p.departments.violation_shares;
    let mut rng = key.stream(Purpose::EnterpriseInit, 0, region as u32);
    for firm in out.iter_mut() {
        let output = lognormal(&mut rng, e.output_mean, e.output_sigma);
        let intensity = lognormal(&mut rng, e.intensity_mean, e.intensity_sigma);
        let factor = 1.0 + e.abatement_cost_spread * (2.0 * rng.uniform() - 1.0);
        let u = rng.uniform();
        let mut cumulative = 0.0;
        let kind = shares
            .iter()
            .position(|s| {
                cumulative += s;
                u < cumulative
            })
            .unwrap_or(shares.len() - 1);
        *firm = Enterprise {
            output: output as f32,
            emission: (output * intensity) as f32,
            cost: (e.abatement_cost_share * output * factor) as f32,
            belief: e.prior_sanction as f32,
            weight: 1.0,
            allocation: 1.0,
            kind: kind as u8,
            covered: false,
            complying: false,
            order: 0,
        };
    }
    // Online monitoring covers the largest emitters first (the key-polluter list).
    // Ties go to the earlier enterprise, so the order is total and the covered set one set; only
    // which enterprises are in it matters, so they are selected, not sorted.
    let covered = (p.monitoring.coverage * out.len() as f64).round() as usize;
    let mut order: Vec<usize> = (0..out.len()).collect();
    if covered > 0 && covered < out.len() {
        order.select_nth_unstable_by(covered - 1, |&a, &b| {
            out[b].emission.total_cmp(&out[a].emission).then(a.cmp(&b))
        });
    }
    for &i in order.iter().take(covered) {
        out[i].covered = true;
    }
    let risk = p.monitoring.targeting == crate::scenario::Targeting::Risk;
    assign_weights(out, risk);
    targets::assign_allocation(p, out);
}

pub fn public(p: &Params, key: &StreamKey, residents: usize) -> Public {
    let a0 = p.public.initial_awareness;
    let mut education = vec![0u8; residents];
    let mut awareness = vec![0f32; residents];
    education
        .par_chunks_mut(PUBLIC_CHUNK)
        .zip(awareness.par_chunks_mut(PUBLIC_CHUNK))
        .enumerate()
        .for_each(|(c, (edu, aw))| {
            let mut rng = key.stream(Purpose::PublicInit, 0, c as u32);
            for (e, a) in edu.iter_mut().zip(aw.iter_mut()) {
                let level = rng.uniform();
                *e = (level * 255.0).round() as u8;
                *a = (a0 * (0.5 + level)).min(1.0) as f32;
            }
        });
    Public {
        next: awareness.clone(),
        awareness,
        education,
        rewired: Default::default(),
    }
}

/// Inspection weights: 1 for random inspections, emission relative to the regional mean under
/// risk-based targeting (lever 4). The mean weight is 1 either way, so the budget buys the same number
/// of inspections.
pub fn assign_weights(enterprises: &mut [Enterprise], risk_based: bool) {
    if !risk_based || enterprises.is_empty() {
        enterprises.iter_mut().for_each(|e| e.weight = 1.0);
        return;
    }
    let mean = enterprises
        .iter()
        .map(|e| f64::from(e.emission))
        .sum::<f64>()
        / enterprises.len() as f64;
    for e in enterprises.iter_mut() {
        e.weight = if mean > 0.0 {
            (f64::from(e.emission) / mean) as f32
        } else {
            1.0
        };
    }
}
