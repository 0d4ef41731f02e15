//! The public: environmental awareness on a social network, and complaints (`docs/MODEL.md` §7.5
//! Awareness, §7.4 Complaints: filing).
//!
//! Residents of a region sit on a Watts–Strogatz small world: a ring lattice with `neighbors` links,
//! each link rewired with probability β to a random resident of the same community (consecutive
//! blocks of `community` residents, e.g. a township; 0 = the whole region). Keeping long-range ties
//! within a community matches the locality of real social ties and keeps the reads of rewired
//! neighbours in cache: at 10 million residents it is 1.5× faster than region-wide rewiring
//! (BENCHMARKS.md). The network is not stored:
//! link j of resident i is recomputed from a hash of (replicate key, i, j), which costs a few
//! nanoseconds and no memory — what lets the public reach millions of agents.
//!
//! Awareness update (synchronous, from last step's values):
//!   a' = a + μ(ā_nbrs − a) + (1 − a)(edu_i·g_edu + g_obs·o_r + g_ngo,r) − f·a,
//! with o_r = v_r·S_r/(S_r + T) the pollution the resident sees (v_r rises with disclosure).
//! Each resident agent stands for `population / per_region` people; it files `λ = rate·people·a·o_r`
//! complaints in expectation (one Bernoulli draw while λ < 1), so the region's complaints do not
//! depend on how many agents represent it; the complaint names a real violator with
//! probability `accuracy·(violation share)`, reaches a competent department with probability `reach`
//! and is taken up with probability `handle` (see `complaints.rs`).

use rayon::prelude::*;

use super::PUBLIC_CHUNK;
use crate::engine::rng::{Purpose, Stream, StreamKey, mix64};
use crate::scenario::Params;

/// Residents of all regions, stored as plain arrays (9 bytes per resident).
#[derive(Debug, Clone)]
pub struct Public {
    pub awareness: Vec<f32>,
    /// Write buffer for the synchronous update; swapped with `awareness` after each step.
    pub next: Vec<f32>,
    /// Education level in [0, 1], stored as a byte.
    pub education: Vec<u8>,
}

/// Network shape, shared by all regions.
#[derive(Debug, Clone, Copy)]
pub struct Network {
    pub half_degree: u32,
    /// Rewiring probability β as a threshold on a 64-bit hash.
    rewire_threshold: u64,
    /// Residents per community (consecutive block within a region) that rewired ties stay in;
    /// 0 = the whole region.
    community: usize,
    key: u64,
}

impl Network {
    pub fn new(neighbors: u32, rewiring: f64, community: usize, key: u64) -> Self {
        Network {
            half_degree: neighbors / 2,
            rewire_threshold: (rewiring.clamp(0.0, 1.0) * u64::MAX as f64) as u64,
            community,
            key,
        }
    }

    /// Local index (within a region of `n` residents) of link `slot` of resident `local`.
    /// No integer division on the common path: this runs six times per resident per step.
    #[inline]
    pub fn neighbor(&self, region_start: usize, local: usize, slot: u32, n: usize) -> usize {
        let h = mix64(
            self.key
                ^ ((region_start + local) as u64).wrapping_mul(0x9E37_79B9)
                ^ (u64::from(slot) << 48),
        );
        if h < self.rewire_threshold {
            let block = if self.community == 0 {
                n
            } else {
                self.community.min(n)
            };
            let base = local / block * block;
            let len = block.min(n - base);
            // Lemire's multiply-shift maps a 64-bit hash onto [0, len) without a division.
            return base + ((u128::from(mix64(h)) * len as u128) >> 64) as usize;
        }
        let offset = (slot / 2 + 1) as usize;
        if offset >= n {
            // Tiny regions only: the ring wraps more than once.
            let offset = offset % n;
            return if slot.is_multiple_of(2) {
                (local + offset) % n
            } else {
                (local + n - offset) % n
            };
        }
        if slot.is_multiple_of(2) {
            let j = local + offset;
            if j >= n { j - n } else { j }
        } else if local >= offset {
            local - offset
        } else {
            local + n - offset
        }
    }
}

/// What one region presents to its residents this step.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicEnvironment {
    /// Pollution the public sees, o_r ∈ [0, 1].
    pub observed: f64,
    /// Awareness drift terms.
    pub education: f64,
    pub observation_gain: f64,
    pub campaign: f64,
    pub peer_influence: f64,
    pub forgetting: f64,
    /// Complaint chain probabilities.
    pub complaint_rate: f64,
    pub founded: f64,
    pub reach: f64,
    pub handle: f64,
}

/// What a chunk of residents did in one step.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicTally {
    pub residents: f64,
    pub awareness: f64,
    pub filed: f64,
    /// Complaints taken up by a department, before the capacity limit.
    pub taken_up: f64,
    /// Of those, the founded ones (naming a real violator).
    pub founded_taken_up: f64,
}

impl PublicTally {
    pub fn add(&mut self, o: &PublicTally) {
        self.residents += o.residents;
        self.awareness += o.awareness;
        self.filed += o.filed;
        self.taken_up += o.taken_up;
        self.founded_taken_up += o.founded_taken_up;
    }
}

/// Update the residents `[start, start + next.len())` of a region whose residents occupy
/// `[region_start, region_start + region_len)`.
#[allow(clippy::too_many_arguments)]
pub fn step_chunk(
    awareness: &[f32],
    education: &[u8],
    next: &mut [f32],
    start: usize,
    region_start: usize,
    region_len: usize,
    net: &Network,
    env: &PublicEnvironment,
    rng: &mut Stream,
) -> PublicTally {
    let mut tally = PublicTally::default();
    let region = &awareness[region_start..region_start + region_len];
    let degree = 2 * net.half_degree;
    for (offset, out) in next.iter_mut().enumerate() {
        let i = start + offset;
        let local = i - region_start;
        let a = f64::from(awareness[i]);
        let peers = if degree > 0 {
            let sum: f64 = (0..degree)
                .map(|slot| f64::from(region[net.neighbor(region_start, local, slot, region_len)]))
                .sum();
            sum / f64::from(degree)
        } else {
            a
        };
        let edu = f64::from(education[i]) / 255.0;
        let drift = edu * env.education + env.observation_gain * env.observed + env.campaign;
        let updated = a + env.peer_influence * (peers - a) + (1.0 - a) * drift - env.forgetting * a;
        *out = updated.clamp(0.0, 1.0) as f32;

        tally.residents += 1.0;
        tally.awareness += updated.clamp(0.0, 1.0);
        // Expected complaints of the people this agent stands for; below one (the usual case) a
        // single draw, above it the whole part for sure and the fraction by a draw.
        let expected = env.complaint_rate * a * env.observed;
        let complaints = if expected < 1.0 {
            u32::from(rng.chance(expected))
        } else {
            expected as u32 + u32::from(rng.chance(expected.fract()))
        };
        for _ in 0..complaints {
            tally.filed += 1.0;
            let founded = rng.chance(env.founded);
            if rng.chance(env.reach) && rng.chance(env.handle) {
                tally.taken_up += 1.0;
                tally.founded_taken_up += f64::from(u8::from(founded));
            }
        }
    }
    tally
}

/// This month's environment of each region's residents: what they see of the stock, the drift
/// terms, and the complaint chain (`violation_share` is each region's share of violators last month).
pub fn environments(
    p: &Params,
    stock: &[f64],
    violation_share: impl Iterator<Item = f64>,
    campaigns: &[bool],
    reach: f64,
    take_up: &[f64],
    out: &mut [PublicEnvironment],
) {
    let target = p.targets.stock;
    let visibility = p.public.visibility + (1.0 - p.public.visibility) * p.public.disclosure;
    let campaign = p.campaign_gain();
    let complaint_rate = p.complaints_per_agent();
    for ((((env, &stock), share), &stay), &handle) in out
        .iter_mut()
        .zip(stock)
        .zip(violation_share)
        .zip(campaigns)
        .zip(take_up)
    {
        *env = PublicEnvironment {
            observed: visibility * stock / (stock + target),
            education: p.public.education,
            observation_gain: p.public.observation_gain,
            campaign,
            peer_influence: p.public.peer_influence,
            forgetting: p.public.forgetting,
            complaint_rate: complaint_rate * super::central::complaint_factor(p, stay),
            founded: p.complaints.accuracy * share,
            reach,
            handle,
        };
    }
}

/// Step every resident of every region (`n` per region) in fixed chunks of [`PUBLIC_CHUNK`], each
/// with its own random stream, then swap the awareness buffers; returns each region's tally.
/// `tallies` is scratch of one entry per chunk.
pub fn step_all(
    public: &mut Public,
    tallies: &mut [PublicTally],
    environments: &[PublicEnvironment],
    network: &Network,
    key: StreamKey,
    month: u32,
    n: usize,
) -> Vec<PublicTally> {
    let regions = environments.len();
    let mut per_region = vec![PublicTally::default(); regions];
    if n == 0 {
        return per_region;
    }
    let chunks_per_region = n.div_ceil(PUBLIC_CHUNK);
    let awareness = &public.awareness;
    let education = &public.education;
    public
        .next
        .par_chunks_mut(n)
        .zip(tallies.par_chunks_mut(chunks_per_region))
        .enumerate()
        .for_each(|(r, (next, tallies))| {
            next.par_chunks_mut(PUBLIC_CHUNK)
                .zip(tallies.par_iter_mut())
                .enumerate()
                .for_each(|(c, (chunk, tally))| {
                    let id = (r * chunks_per_region + c) as u32;
                    let mut rng = key.stream(Purpose::PublicStep, month, id);
                    *tally = step_chunk(
                        awareness,
                        education,
                        chunk,
                        r * n + c * PUBLIC_CHUNK,
                        r * n,
                        n,
                        network,
                        &environments[r],
                        &mut rng,
                    );
                });
        });
    std::mem::swap(&mut public.awareness, &mut public.next);
    for (r, tallies) in tallies.chunks(chunks_per_region).enumerate() {
        tallies.iter().for_each(|t| per_region[r].add(t));
    }
    per_region
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewired_ties_stay_in_their_community() {
        let net = Network::new(6, 1.0, 100, 3);
        let n = 1050;
        for local in 0..n {
            for slot in 0..6 {
                let j = net.neighbor(0, local, slot, n);
                assert!(j < n && j / 100 == local / 100, "{local} → {j}");
            }
        }
    }

    #[test]
    fn lattice_without_rewiring_links_nearest_neighbours() {
        let net = Network::new(4, 0.0, 0, 99);
        let n = 10;
        let links: Vec<usize> = (0..4).map(|s| net.neighbor(0, 0, s, n)).collect();
        assert_eq!(links, vec![1, 9, 2, 8]);
    }

    #[test]
    fn rewiring_share_matches_beta() {
        let net = Network::new(2, 0.2, 0, 7);
        let n = 1000;
        let rewired = (0..n)
            .filter(|&i| {
                let j = net.neighbor(0, i, 0, n);
                j != (i + 1) % n
            })
            .count();
        // Binomial(1000, 0.2) (minus rare rewirings onto the lattice neighbour): SE ≈ 12.6.
        assert!((rewired as f64 - 200.0).abs() < 60.0, "rewired {rewired}");
    }
}
