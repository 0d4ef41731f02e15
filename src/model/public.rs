//! The public: environmental awareness on a social network, and complaints (`docs/MODEL.md` §7.5
//! Awareness, §7.4 Complaints: filing).
//!
//! Residents of a region sit on a Watts–Strogatz small world: a ring lattice with `neighbors` links,
//! each link rewired with probability β to a random resident of the same community (consecutive
//! blocks of `community` residents, e.g. a township; 0 = the whole region). Keeping long-range ties
//! within a community matches the locality of real social ties and keeps the reads of rewired
//! neighbours in cache: at 10 million residents it is 1.5× faster than region-wide rewiring
//! (BENCHMARKS.md). The lattice is not stored: link j of resident i is a hash of (replicate key, i,
//! j), and only the rewired links (about 0.3 per resident at β = 0.05) are listed with the resident
//! they end at, 6 bytes each, so that a step hashes none of them — what lets the public reach a
//! hundred million agents.
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
use crate::engine::rng::{Purpose, Stream, StreamKey, mix64};
use crate::scenario::Params;

/// Residents of all regions, stored as plain arrays (9 bytes per resident, and 6 per rewired link).
#[derive(Debug, Clone)]
pub struct Public {
    pub awareness: Vec<f32>,
    /// Write buffer for the synchronous update; swapped with `awareness` after each step.
    pub next: Vec<f32>,
    /// Education level in [0, 1], stored as a byte.
    pub education: Vec<u8>,
    /// The rewired links, chunk by chunk (networks of at most [`LISTED_LINKS`] links per resident;
    /// empty otherwise). The network is the hashed one either way: the list caches where its
    /// rewired links end so that a step hashes none of them.
    pub rewired: RewiredLinks,
}

/// Links per resident up to which the rewired links are listed (a link's slot takes four bits).
pub const LISTED_LINKS: u32 = 16;

/// The rewired links of the residents away from their region's ends (those whose lattice links do
/// not wrap), listed per chunk of [`PUBLIC_CHUNK`] residents, resident by resident and each one's
/// links in slot order: where each ends, hashed once when the world is built instead of every
/// month. About 0.3 links per resident at β = 0.05 with six links, 6 bytes each.
#[derive(Debug, Clone, Default)]
pub struct RewiredLinks {
    /// Chunk k's links (chunks numbered across regions, as their random streams are), each in
    /// exactly the space it needs: the resident's offset in its chunk times 16 plus the link's
    /// slot, and the local index (within its region) of the resident the link ends at.
    chunks: Vec<ChunkList>,
}

/// One chunk's links: where each starts (offset × 16 + slot) and the resident it ends at.
type ChunkList = (Box<[u16]>, Box<[u32]>);

/// One chunk's part of [`RewiredLinks`].
#[derive(Debug, Clone, Copy)]
pub struct ChunkLinks<'a> {
    at: &'a [u16],
    end: &'a [u32],
}

impl RewiredLinks {
    /// The links of chunk `chunk` (numbered as in [`step_all`]), or `None` when none are listed.
    pub fn chunk(&self, chunk: usize) -> Option<ChunkLinks<'_>> {
        self.chunks
            .get(chunk)
            .map(|(at, end)| ChunkLinks { at, end })
    }

    /// Listed links in all.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|(at, _)| at.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.chunks.capacity() * CHUNK_LIST_BYTES as usize + self.len() * LINK_BYTES as usize
    }
}

/// Bytes of one chunk's entry in [`RewiredLinks`] (two boxed slices).
pub const CHUNK_LIST_BYTES: u64 = 2 * 16;

/// Bytes per listed rewired link.
pub const LINK_BYTES: u64 = 2 + 4;

/// The residents of a chunk of `len` starting at local index `first` in a region of `region_len`
/// whose `h` lattice links on either side do not wrap around the region's ends, as the local range
/// `[lo, hi)`.
fn inner(first: usize, len: usize, region_len: usize, h: usize) -> (usize, usize) {
    let lo = first.max(h).min(first + len);
    let hi = (first + len).min(region_len.saturating_sub(h)).max(lo);
    (lo, hi)
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

    /// The hash of link `slot` of resident `i` (a global index): below the threshold, the link is
    /// rewired, and the hash places its other end.
    #[inline]
    fn link_hash(&self, i: usize, slot: u32) -> u64 {
        mix64(self.key ^ (i as u64).wrapping_mul(0x9E37_79B9) ^ (u64::from(slot) << 48))
    }

    /// Local index (within a region of `n` residents) of link `slot` of resident `local`.
    /// No integer division on the common path.
    #[inline]
    pub fn neighbor(&self, region_start: usize, local: usize, slot: u32, n: usize) -> usize {
        let h = self.link_hash(region_start + local, slot);
        if h < self.rewire_threshold {
            self.rewired_end(h, local, n)
        } else {
            lattice(local, slot, n)
        }
    }

    /// The other end of a rewired link of hash `h`: a uniform resident of `local`'s community.
    #[inline]
    fn rewired_end(&self, h: u64, local: usize, n: usize) -> usize {
        let block = self.block(n);
        let base = local / block * block;
        Self::uniform_in(h, base, block.min(n - base))
    }

    /// Residents per community in a region of `n`.
    #[inline]
    fn block(&self, n: usize) -> usize {
        if self.community == 0 {
            n
        } else {
            self.community.min(n)
        }
    }

    /// The resident of `[base, base + len)` that hash `h` places a rewired link on: Lemire's
    /// multiply-shift maps a 64-bit hash onto [0, len) without a division.
    #[inline]
    fn uniform_in(h: u64, base: usize, len: usize) -> usize {
        base + ((u128::from(mix64(h)) * len as u128) >> 64) as usize
    }

    /// The rewired links of every chunk of `regions` regions of `n` residents each (see
    /// [`RewiredLinks`]); empty when there are more links than [`LISTED_LINKS`] or a region is
    /// too small for a lattice that does not wrap.
    pub fn rewired_links(&self, regions: usize, n: usize) -> RewiredLinks {
        let degree = 2 * self.half_degree;
        let h = self.half_degree as usize;
        if degree > LISTED_LINKS || n <= 2 * h || regions == 0 {
            return RewiredLinks::default();
        }
        let chunks_per_region = n.div_ceil(PUBLIC_CHUNK);
        let block = self.block(n);
        let chunks = (0..regions * chunks_per_region)
            .into_par_iter()
            .map(|k| {
                let (r, c) = (k / chunks_per_region, k % chunks_per_region);
                let first = c * PUBLIC_CHUNK;
                let (lo, hi) = inner(first, PUBLIC_CHUNK.min(n - first), n, h);
                LIST.with_borrow_mut(|(at, end)| {
                    at.clear();
                    end.clear();
                    for local in lo..hi {
                        for slot in 0..degree {
                            let hash = self.link_hash(r * n + local, slot);
                            if hash < self.rewire_threshold {
                                let base = local / block * block;
                                at.push(((local - first) << 4) as u16 | slot as u16);
                                end.push(Self::uniform_in(hash, base, block.min(n - base)) as u32);
                            }
                        }
                    }
                    // Copied out in exactly the space they need (a hundred million residents
                    // have tens of millions of rewired links).
                    (Box::from(at.as_slice()), Box::from(end.as_slice()))
                })
            })
            .collect();
        RewiredLinks { chunks }
    }
}

/// Local index of lattice link `slot` of resident `local` in a ring of `n`: slot 2d − 2 is the
/// d-th neighbour ahead, slot 2d − 1 the d-th behind.
#[inline]
fn lattice(local: usize, slot: u32, n: usize) -> usize {
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
    let mut tally = SUMS.with_borrow_mut(|sums| {
        // Scratch that every step overwrites before reading, so it is never cleared.
        let sums = &mut sums[..len];
        neighbourhood_sums(sums, region, links, start - region_start, region_start, net);
        update(next, own, &education[start..start + len], sums, net, env)
    });
    file_complaints(&mut tally, own, env, rng);
    tally
}

thread_local! {
    /// Each thread's list of the rewired links of the chunk it builds.
    static LIST: std::cell::RefCell<(Vec<u16>, Vec<u32>)> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new()))
    };
    /// Each thread's neighbourhood sums of the chunk it steps.
    static SUMS: std::cell::RefCell<Vec<f32>> = std::cell::RefCell::new(vec![0.0; PUBLIC_CHUNK]);
}

/// The sum of last month's awareness over the links of each resident of the chunk starting at
/// local index `first` of its region, in `sums` (every entry is written; none is read first).
fn neighbourhood_sums(
    sums: &mut [f32],
    region: &[f32],
    links: Option<ChunkLinks<'_>>,
    first: usize,
    region_start: usize,
    net: &Network,
) {
    let (len, region_len) = (sums.len(), region.len());
    let degree = 2 * net.half_degree;
    if degree == 0 {
        return;
    }
    let h = net.half_degree as usize;
    // Every link of resident `local`, each hashed: the region's ends, and networks whose rewired
    // links are not listed.
    let full = |local: usize| -> f32 {
        (0..degree)
            .map(|slot| region[net.neighbor(region_start, local, slot, region_len)])
            .sum()
    };
    let Some(links) = links else {
        for (o, sum) in sums.iter_mut().enumerate() {
            *sum = full(first + o);
        }
        return;
    };
    // Residents whose lattice links do not wrap around the region's ends.
    let (lo, hi) = inner(first, len, region_len, h);
    let inside = &mut sums[lo - first..hi - first];
    match h {
        1 => lattice_sums::<1>(inside, region, lo),
        2 => lattice_sums::<2>(inside, region, lo),
        3 => lattice_sums::<3>(inside, region, lo),
        4 => lattice_sums::<4>(inside, region, lo),
        _ => lattice_sums_any(inside, region, lo, h),
    }
    // Their rewired links, in the list's order (resident by resident, each one's in slot order):
    // the rewired end replaces the lattice one, which away from the ends is local ± (slot/2 + 1).
    for (&at, &end) in links.at.iter().zip(links.end) {
        let o = usize::from(at >> 4);
        let slot = usize::from(at & 15);
        let offset = slot / 2 + 1;
        let lattice = if slot % 2 == 0 {
            first + o + offset
        } else {
            first + o - offset
        };
        sums[o] += region[end as usize] - region[lattice];
    }
    // The residents at the region's ends, link by link.
    for o in (0..lo - first).chain(hi - first..len) {
        sums[o] = full(first + o);
    }
}

/// The lattice part of the neighbourhood sums of the residents `[lo, lo + sums.len())` of a region,
/// whose `H` links on either side do not wrap: the nearest pair first, then the farther ones
/// added in the order (+1, −1, +2, −2, …). One pass, its `2H` reads kept in registers; the same
/// additions in the same order as [`lattice_sums_any`], so the same sums bit for bit.
fn lattice_sums<const H: usize>(sums: &mut [f32], region: &[f32], lo: usize) {
    let window = &region[lo - H..lo + sums.len() + H];
    for (s, w) in sums.iter_mut().zip(window.windows(2 * H + 1)) {
        let mut sum = w[H + 1] + w[H - 1];
        for d in 2..=H {
            sum += w[H + d];
            sum += w[H - d];
        }
        *s = sum;
    }
}

/// [`lattice_sums`] for any half degree `h` ≥ 1, one pass per link.
fn lattice_sums_any(sums: &mut [f32], region: &[f32], lo: usize, h: usize) {
    let hi = lo + sums.len();
    for ((s, &right), &left) in sums
        .iter_mut()
        .zip(&region[lo + 1..hi + 1])
        .zip(&region[lo - 1..hi - 1])
    {
        *s = right + left;
    }
    for d in 2..=h {
        for (s, &v) in sums.iter_mut().zip(&region[lo + d..hi + d]) {
            *s += v;
        }
        for (s, &v) in sums.iter_mut().zip(&region[lo - d..hi - d]) {
            *s += v;
        }
    }
}

/// The awareness update of the chunk into `next`, from its residents' awareness `own`, education
/// and neighbourhood sums; returns the chunk's tally without its complaints.
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
    let rewired = &public.rewired;
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
                        rewired.chunk(id as usize),
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

    #[test]
    fn no_links_are_listed_beyond_sixteen_or_in_a_region_too_small_for_the_lattice() {
        assert!(
            Network::new(18, 0.3, 0, 5)
                .rewired_links(2, 1000)
                .is_empty()
        );
        assert!(
            Network::new(6, 0.3, 0, 5)
                .rewired_links(2, 6)
                .chunk(0)
                .is_none()
        );
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

    #[test]
    fn the_one_pass_lattice_sums_are_the_link_by_link_sums_bit_for_bit() {
        // Values of many magnitudes, so that a different order of the additions would round
        // differently somewhere.
        let region: Vec<f32> = (0..600u32)
            .map(|i| (mix64(u64::from(i)) >> 40) as f32 * 1e-7 * (1 + i % 7 * 1000) as f32)
            .collect();
        let lo = 9;
        let check = |h: usize, fused: &dyn Fn(&mut [f32])| {
            let (mut a, mut b) = (vec![0f32; 577], vec![0f32; 577]);
            fused(&mut a);
            lattice_sums_any(&mut b, &region, lo, h);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "half degree {h}");
            // The sums are of the right links: resident lo + 5 at half degree h.
            let c = lo + 5;
            let direct: f64 = (1..=h)
                .map(|d| f64::from(region[c + d]) + f64::from(region[c - d]))
                .sum();
            assert!((f64::from(a[5]) - direct).abs() < 1e-5 * direct.abs().max(1.0));
        };
        check(1, &|s| lattice_sums::<1>(s, &region, lo));
        check(2, &|s| lattice_sums::<2>(s, &region, lo));
        check(3, &|s| lattice_sums::<3>(s, &region, lo));
        check(4, &|s| lattice_sums::<4>(s, &region, lo));
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
