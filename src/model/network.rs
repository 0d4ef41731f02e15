//! The residents' social network (`docs/MODEL.md` §5, random streams and the network): a
//! Watts–Strogatz small world in each region, a ring lattice with `neighbors` links, each link
//! rewired with probability β to a random resident of the same community (consecutive blocks of
//! `community` residents, e.g. a township; 0 = the whole region). Keeping long-range ties within a
//! community matches the locality of real social ties and keeps the reads of rewired neighbours in
//! cache: at 10 million residents it is 1.5× faster than region-wide rewiring (BENCHMARKS.md). The
//! lattice is not stored: link j of resident i is a hash of (replicate key, i, j), and only the
//! rewired links (about 0.3 per resident at β = 0.05) are listed with the resident they end at,
//! 6 bytes each, so that a step hashes none of them — what lets the public reach a hundred million
//! agents. `public.rs` sums last month's awareness over each resident's links here.

use rayon::prelude::*;

use super::PUBLIC_CHUNK;
use crate::engine::rng::mix64;

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
    /// The links of chunk `chunk` (numbered as in [`super::public::step_region`]), or `None` when none are listed.
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
                                at.push(((local - first) << 4) as u16 | slot as u16);
                                end.push(self.rewired_end(hash, local, n) as u32);
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

thread_local! {
    /// Each thread's list of the rewired links of the chunk it builds.
    static LIST: std::cell::RefCell<(Vec<u16>, Vec<u32>)> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new()))
    };
}

/// The sum of last month's awareness over the links of each resident of the chunk starting at
/// local index `first` of its region, in `sums` (every entry is written; none is read first).
#[inline(always)]
pub(super) fn neighbourhood_sums(
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
#[inline(always)]
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
