//! The public: environmental awareness on a social network, and complaints (`docs/MODEL.md` §7.5
//! Awareness, §7.4 Complaints: filing).
//!
//! Residents of a region sit on a Watts–Strogatz small world (`network.rs`), which carries the
//! peers' awareness each resident sees.
//!
//! Awareness update (synchronous, from last step's values):
//!   a' = a + μ(ā_nbrs − a) + (1 − a)(edu_i·g_edu + g_obs·o_r + g_ngo,r) − f·a,
//! with o_r = v_r·S_r/(S_r + T) the pollution the resident sees (v_r rises with disclosure).
//! Each resident agent stands for `population / per_region` people; it files `λ = rate·people·a·o_r`
//! complaints in expectation (a Bernoulli event while λ < 1, reached by geometric skips), so the
//! region's complaints do not depend on how many agents represent it; the complaint names a real
//! violator with probability `accuracy·(violation share)`, reaches a competent department with
//! probability `reach` and is taken up with probability `handle` (see `complaints.rs`).

use rayon::prelude::*;

use super::PUBLIC_CHUNK;
use super::network::{ChunkLinks, Network, RewiredLinks, neighbourhood_sums};
use crate::engine::rng::{Purpose, Stream, StreamKey};
use crate::scenario::Params;

/// Residents of all regions, stored as plain arrays (9 bytes per resident, and 6 per rewired link).
#[derive(Debug, Clone)]
pub struct Public {
    pub awareness: Vec<f32>,
    /// Write buffer for the synchronous update; swapped with `awareness` after each step.
    pub next: Vec<f32>,
    /// Education level in [0, 1], stored as a byte.
    pub education: Vec<u8>,
    /// The rewired links, chunk by chunk (networks of at most [`super::network::LISTED_LINKS`] links;
    /// empty otherwise). The network is the hashed one either way: the list caches where its
    /// rewired links end so that a step hashes none of them.
    pub rewired: RewiredLinks,
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

/// Complaint probabilities per resident (at full awareness) below which the filings of a chunk are
/// drawn by skipping to the next candidate instead of one draw per resident.
const SKIP_BELOW: f64 = 0.25;

/// Update the residents `[start, start + next.len())` of a region whose residents occupy
/// `[region_start, region_start + region_len)`; `links` are the chunk's listed rewired links
/// ([`RewiredLinks::chunk`]), or `None` to hash every link.
///
/// Three passes over the chunk: the neighbourhood sums (the ring lattice for every resident in one
/// vectorised pass, then each rewired link swapped in for the lattice link it replaces, and the
/// residents at the region's ends summed link by link), the awareness update, and the complaints.
#[allow(clippy::too_many_arguments)]
pub fn step_chunk(
    awareness: &[f32],
    education: &[u8],
    links: Option<ChunkLinks<'_>>,
    next: &mut [f32],
    start: usize,
    region_start: usize,
    region_len: usize,
    net: &Network,
    env: &PublicEnvironment,
    rng: &mut Stream,
) -> PublicTally {
    let len = next.len();
    debug_assert!(len <= PUBLIC_CHUNK);
    let region = &awareness[region_start..region_start + region_len];
    let own = &awareness[start..start + len];
    let edu = &education[start..start + len];
    let mut tally = SUMS.with_borrow_mut(|sums| {
        let work = ChunkWork {
            // Scratch that every step overwrites before reading, so it is never cleared.
            sums: &mut sums[..len],
            region,
            links,
            first: start - region_start,
            region_start,
            net,
            next,
            own,
            edu,
            env,
        };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, as just checked.
            return unsafe { sums_and_update_avx2(work) };
        }
        sums_and_update(work)
    });
    file_complaints(&mut tally, own, env, rng);
    tally
}

/// What the neighbourhood sums and the awareness update of one chunk read and write: the sums'
/// scratch, its region's awareness and the chunk's listed links, where the chunk starts in its
/// region (and the region among all residents), the chunk's next and current awareness and
/// education, and its region's environment.
struct ChunkWork<'a> {
    sums: &'a mut [f32],
    region: &'a [f32],
    links: Option<ChunkLinks<'a>>,
    first: usize,
    region_start: usize,
    net: &'a Network,
    next: &'a mut [f32],
    own: &'a [f32],
    edu: &'a [u8],
    env: &'a PublicEnvironment,
}

/// The neighbourhood sums and the awareness update of a chunk.
#[inline(always)]
fn sums_and_update(w: ChunkWork<'_>) -> PublicTally {
    neighbourhood_sums(w.sums, w.region, w.links, w.first, w.region_start, w.net);
    update(w.next, w.own, w.edu, w.sums, w.net, w.env)
}

/// [`sums_and_update`] compiled for AVX2 (eight residents to an instruction where it had four),
/// chosen at run time where the processor has it. The same operations in the same order, element
/// by element (no fused multiply-add), so the same results bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sums_and_update_avx2(w: ChunkWork<'_>) -> PublicTally {
    sums_and_update(w)
}

thread_local! {
    /// Each thread's neighbourhood sums of the chunk it steps.
    static SUMS: std::cell::RefCell<Vec<f32>> = std::cell::RefCell::new(vec![0.0; PUBLIC_CHUNK]);
}

/// The awareness update of the chunk into `next`, from its residents' awareness `own`, education
/// and neighbourhood sums; returns the chunk's tally without its complaints.
#[inline(always)]
fn update(
    next: &mut [f32],
    own: &[f32],
    edu: &[u8],
    sums: &[f32],
    net: &Network,
    env: &PublicEnvironment,
) -> PublicTally {
    let len = next.len();
    let degree = 2 * net.half_degree;
    // The awareness update in f32 (the precision awareness is stored in), branch-free, so that it
    // runs four residents to an instruction; four partial f64 sums in a fixed order for the tally.
    let inv_degree = if degree > 0 { 1.0 / degree as f32 } else { 0.0 };
    let constant = (env.observation_gain * env.observed + env.campaign) as f32;
    let (influence, forgetting) = (env.peer_influence as f32, env.forgetting as f32);
    let education_gain = (env.education / 255.0) as f32;
    let mut lanes = [0f64; 4];
    let one = |a: f32, e: u8, sum: f32| {
        let peers = if degree > 0 { sum * inv_degree } else { a };
        let drift = f32::from(e) * education_gain + constant;
        let v = a + influence * (peers - a) + (1.0 - a) * drift - forgetting * a;
        // Clamped to [0, 1] by comparisons the compiler turns into min/max.
        let v = if v < 0.0 { 0.0 } else { v };
        if v > 1.0 { 1.0 } else { v }
    };
    for (((out, &a), &e), &s) in next.iter_mut().zip(own).zip(edu).zip(sums) {
        *out = one(a, e, s);
    }
    // The tally in a second pass, resident i in lane i mod 4 (so that the update above runs four
    // residents to an instruction rather than two).
    let body = len / 4 * 4;
    for v in next[..body].chunks_exact(4) {
        for k in 0..4 {
            lanes[k] += f64::from(v[k]);
        }
    }
    for (k, &v) in next[body..].iter().enumerate() {
        lanes[k] += f64::from(v);
    }
    PublicTally {
        residents: len as f64,
        awareness: (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]),
        ..PublicTally::default()
    }
}

/// The complaints the chunk's residents file this month, into `tally`.
fn file_complaints(
    tally: &mut PublicTally,
    own: &[f32],
    env: &PublicEnvironment,
    rng: &mut Stream,
) {
    let len = own.len();
    // Complaints of last month's awareness: resident i's people file λ_i = rate·a_i·o_r in
    // expectation. While λ < 1 for everyone, a Bernoulli(λ_max) candidate (λ_max = rate·o_r, the
    // most aware resident's) is accepted with probability a_i — the same Bernoulli(λ_i) per
    // resident — and the candidates are reached by geometric skips.
    let full = env.complaint_rate * env.observed;
    if full <= 0.0 {
    } else if full < SKIP_BELOW {
        let log_fail = (-full).ln_1p();
        let mut o = rng.gap(log_fail);
        while o < len {
            if rng.hit(f64::from(own[o])) {
                file(tally, env, rng);
            }
            o = o.saturating_add(1).saturating_add(rng.gap(log_fail));
        }
    } else {
        for &a in own {
            // Above one expected complaint, the whole part for sure and the fraction by a draw.
            let expected = env.complaint_rate * f64::from(a) * env.observed;
            let complaints = if expected < 1.0 {
                u32::from(rng.hit(expected))
            } else {
                expected as u32 + u32::from(rng.hit(expected.fract()))
            };
            for _ in 0..complaints {
                file(tally, env, rng);
            }
        }
    }
}

/// One complaint filed: it names a real violator, reaches a competent department and is taken up,
/// each with its probability.
#[inline]
fn file(tally: &mut PublicTally, env: &PublicEnvironment, rng: &mut Stream) {
    tally.filed += 1.0;
    let founded = rng.hit(env.founded);
    if rng.hit(env.reach) && rng.hit(env.handle) {
        tally.taken_up += 1.0;
        tally.founded_taken_up += f64::from(u8::from(founded));
    }
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

/// Step the `n` residents of region `r` in fixed chunks of [`PUBLIC_CHUNK`], each with its own
/// random stream (numbered across regions), writing their new awareness into `next` (the region's
/// part of [`Public::next`]); returns the region's tally, its chunks' tallies added in order.
/// `tallies` is scratch of one entry per chunk. Once every region has stepped, the caller swaps the
/// awareness buffers.
#[allow(clippy::too_many_arguments)]
pub fn step_region(
    awareness: &[f32],
    education: &[u8],
    rewired: &RewiredLinks,
    next: &mut [f32],
    tallies: &mut [PublicTally],
    environment: &PublicEnvironment,
    network: &Network,
    key: StreamKey,
    month: u32,
    r: usize,
) -> PublicTally {
    let n = next.len();
    let chunks_per_region = n.div_ceil(PUBLIC_CHUNK);
    next.par_chunks_mut(PUBLIC_CHUNK)
        .zip(tallies.par_iter_mut())
        .enumerate()
        .for_each(|(c, (chunk, tally))| {
            let id = (r * chunks_per_region + c) as u32;
            let mut rng = key.stream(Purpose::PublicStep, month, id);
            *tally = step_chunk(
                awareness,
                education,
                rewired.chunk(id as usize),
                chunk,
                r * n + c * PUBLIC_CHUNK,
                r * n,
                n,
                network,
                environment,
                &mut rng,
            );
        });
    let mut region = PublicTally::default();
    tallies.iter().for_each(|t| region.add(t));
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(complaint_rate: f64) -> PublicEnvironment {
        PublicEnvironment {
            observed: 0.3,
            education: 0.002,
            observation_gain: 0.02,
            campaign: 0.001,
            peer_influence: 0.2,
            forgetting: 0.01,
            complaint_rate,
            founded: 0.3,
            reach: 0.6,
            handle: 0.75,
        }
    }

    /// Awareness and education of `n` residents in two regions, varied.
    fn residents(n: usize) -> (Vec<f32>, Vec<u8>) {
        let awareness = (0..2 * n)
            .map(|i| ((i * 37) % 101) as f32 / 100.0)
            .collect();
        let education = (0..2 * n).map(|i| ((i * 53) % 256) as u8).collect();
        (awareness, education)
    }

    #[test]
    fn the_listed_rewired_links_give_the_hashed_networks_update() {
        // Two regions of 10,000 residents (chunks cross a community boundary and a region's ends),
        // β high enough that most residents have a rewired link: the step with the listed links
        // equals the step that hashes every link, to rounding (the rewired links are summed in
        // another order), for lattices of 2, 6, 8 and 16 links.
        let n = 10_000;
        let (awareness, education) = residents(n);
        for neighbors in [2, 6, 8, 16] {
            let net = Network::new(neighbors, 0.3, 4096, 5);
            let links = net.rewired_links(2, n);
            let expected = 2.0 * n as f64 * f64::from(neighbors) * 0.3;
            assert!(
                (links.len() as f64 - expected).abs() < 0.05 * expected,
                "{neighbors} links: {} listed, about {expected} expected",
                links.len()
            );
            let step = |listed: bool| {
                let mut next = vec![0f32; 2 * n];
                let chunks = n.div_ceil(PUBLIC_CHUNK);
                for r in 0..2 {
                    for (c, chunk) in next[r * n..(r + 1) * n]
                        .chunks_mut(PUBLIC_CHUNK)
                        .enumerate()
                    {
                        let mut rng = StreamKey::new(1, 0).stream(Purpose::PublicStep, 0, c as u32);
                        step_chunk(
                            &awareness,
                            &education,
                            links.chunk(r * chunks + c).filter(|_| listed),
                            chunk,
                            r * n + c * PUBLIC_CHUNK,
                            r * n,
                            n,
                            &net,
                            &environment(0.0),
                            &mut rng,
                        );
                    }
                }
                next
            };
            let (cached, hashed) = (step(true), step(false));
            let worst = cached
                .iter()
                .zip(&hashed)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst <= 1e-6, "{neighbors} links: worst difference {worst}");
            let moved = cached
                .iter()
                .zip(&awareness)
                .filter(|(a, b)| a != b)
                .count();
            assert!(moved > n, "the update moved only {moved} residents");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_sums_and_update_are_the_plain_ones_bit_for_bit() {
        // Values of many magnitudes, rewired links, the region's ends and a short last chunk:
        // next awareness and the tally's sum the same to the bit either way.
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let n = 9_000;
        let awareness: Vec<f32> = (0..n as u64)
            .map(|i| (crate::engine::rng::mix64(i) >> 40) as f32 / (1u64 << 24) as f32)
            .collect();
        let education: Vec<u8> = (0..n).map(|i| ((i * 53) % 256) as u8).collect();
        let env = environment(0.0);
        for neighbors in [2, 6, 8, 20] {
            let net = Network::new(neighbors, 0.3, 4096, 5);
            let links = net.rewired_links(1, n);
            for (c, start) in (0..n).step_by(PUBLIC_CHUNK).enumerate() {
                let len = PUBLIC_CHUNK.min(n - start);
                let own = &awareness[start..start + len];
                let edu = &education[start..start + len];
                let run = |avx2: bool| {
                    let (mut sums, mut next) = (vec![0f32; len], vec![0f32; len]);
                    let work = ChunkWork {
                        sums: &mut sums,
                        region: &awareness,
                        links: links.chunk(c),
                        first: start,
                        region_start: 0,
                        net: &net,
                        next: &mut next,
                        own,
                        edu,
                        env: &env,
                    };
                    let t = if avx2 {
                        // SAFETY: AVX2 is present, checked above.
                        unsafe { sums_and_update_avx2(work) }
                    } else {
                        sums_and_update(work)
                    };
                    let bits: Vec<u32> = next.iter().map(|v| v.to_bits()).collect();
                    (bits, t.awareness.to_bits())
                };
                assert_eq!(run(true), run(false), "{neighbors} links, chunk {c}");
            }
        }
    }

    #[test]
    fn skipped_complaint_draws_file_the_expected_number() {
        // 40 chunks of 4,096 residents; λ_i = rate·a_i·o with rate 0.1 (skipping) and 0.9 (a draw
        // per resident): filings within 4 SE of Σλ_i either way.
        let n = 40 * PUBLIC_CHUNK;
        let (awareness, education) = residents(n);
        let net = Network::new(6, 0.05, 4096, 5);
        let links = net.rewired_links(1, n);
        for rate in [0.1, 0.9] {
            let env = environment(rate);
            let mut next = vec![0f32; n];
            let mut filed = 0.0;
            for (c, chunk) in next.chunks_mut(PUBLIC_CHUNK).enumerate() {
                let mut rng = StreamKey::new(2, 0).stream(Purpose::PublicStep, 0, c as u32);
                let t = step_chunk(
                    &awareness,
                    &education,
                    links.chunk(c),
                    chunk,
                    c * PUBLIC_CHUNK,
                    0,
                    n,
                    &net,
                    &env,
                    &mut rng,
                );
                filed += t.filed;
            }
            let lambdas: Vec<f64> = awareness[..n]
                .iter()
                .map(|&a| rate * f64::from(a) * env.observed)
                .collect();
            let mean: f64 = lambdas.iter().sum();
            let se = lambdas.iter().map(|l| l * (1.0 - l)).sum::<f64>().sqrt();
            assert!(
                (filed - mean).abs() < 4.0 * se,
                "rate {rate}: {filed} filed, {mean:.0} ± {se:.0} expected"
            );
        }
    }
}
