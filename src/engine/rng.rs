//! Deterministic random streams. Every draw comes from a ChaCha8 stream whose key is derived from
//! (seed, replicate) and whose 64-bit stream number encodes (purpose, step, chunk). Chunks have a fixed
//! size, so the numbers an agent sees never depend on the thread count or on scheduling.

use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// What a stream is used for; part of the stream number so purposes never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    EnterpriseInit = 1,
    PublicInit = 2,
    EnterpriseStep = 3,
    PublicStep = 4,
    Government = 5,
    /// Experimental designs and bootstrap resampling.
    Design = 6,
    /// Calibration proposals.
    Calibration = 7,
}

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash (Steele, Lea & Flood 2014).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key material for one replicate of one scenario.
#[derive(Debug, Clone, Copy)]
pub struct StreamKey {
    key: [u8; 32],
    /// A 64-bit digest of the key, for hash-based static structure (the social network).
    pub digest: u64,
}

impl StreamKey {
    pub fn new(seed: u64, replicate: u32) -> Self {
        let mut key = [0u8; 32];
        let mut h = mix64(seed ^ 0x636F_676F_7600_0000);
        h = mix64(h ^ u64::from(replicate));
        for chunk in key.chunks_exact_mut(8) {
            h = mix64(h);
            chunk.copy_from_slice(&h.to_le_bytes());
        }
        StreamKey {
            key,
            digest: mix64(h),
        }
    }

    /// The stream for `purpose` at `step` for chunk `chunk` (or agent, or region).
    pub fn stream(&self, purpose: Purpose, step: u32, chunk: u32) -> Stream {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        let id = (u64::from(purpose as u8) << 56) ^ (u64::from(step) << 28) ^ u64::from(chunk);
        rng.set_stream(id);
        Stream { rng }
    }
}

/// A random stream with the few draws the model needs.
pub struct Stream {
    rng: ChaCha8Rng,
}

impl Stream {
    /// Uniform on [0, 1) with 53 bits of precision.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (p ≤ 0 never, p ≥ 1 always).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform on [0, 1) with 32 bits of precision: half a 64-bit draw, for the per-agent loops.
    #[inline]
    pub fn uniform32(&mut self) -> f64 {
        f64::from(self.word()) * (1.0 / 4_294_967_296.0)
    }

    /// The next 32-bit word: the draw behind [`Stream::uniform32`], as u = word/2³².
    #[inline]
    pub fn word(&mut self) -> u32 {
        self.rng.next_u32()
    }

    /// The next two 32-bit words, in order: the same as two calls of [`Stream::word`], for one
    /// look at the generator's buffer.
    #[inline]
    pub fn two_words(&mut self) -> (u32, u32) {
        let pair = self.rng.next_u64();
        (pair as u32, (pair >> 32) as u32)
    }

    /// True with probability `p` to 32 bits (within 2.4·10⁻¹⁰ of `p`; p ≤ 0 never, p ≥ 1 always),
    /// from one 32-bit word: the per-agent loops' Bernoulli draw.
    #[inline]
    pub fn hit(&mut self, p: f64) -> bool {
        self.uniform32() < p
    }

    /// The number of failures before the next success of Bernoulli(p) trials, given
    /// `log_fail = ln(1 − p)` < 0: geometric, by inversion of one 53-bit uniform. Skipping a run of
    /// rare events this way takes one draw per event instead of one per trial.
    #[inline]
    pub fn gap(&mut self, log_fail: f64) -> usize {
        // A saturating cast: a gap beyond any chunk comes out as usize::MAX.
        ((1.0 - self.uniform()).ln() / log_fail) as usize
    }

    /// Standard normal draw (Box–Muller; one of the pair is discarded to keep the stream position
    /// independent of call history).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_and_stream_give_same_draws() {
        let k = StreamKey::new(7, 3);
        let a: Vec<f64> = (0..5)
            .map({
                let mut s = k.stream(Purpose::EnterpriseStep, 4, 9);
                move |_| s.uniform()
            })
            .collect();
        let mut s = StreamKey::new(7, 3).stream(Purpose::EnterpriseStep, 4, 9);
        let b: Vec<f64> = (0..5).map(|_| s.uniform()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn two_words_are_the_next_two_words() {
        // At every offset in the generator's buffer, odd ones included, across refills.
        let key = StreamKey::new(4, 1);
        let (mut a, mut b) = (
            key.stream(Purpose::EnterpriseStep, 2, 7),
            key.stream(Purpose::EnterpriseStep, 2, 7),
        );
        for i in 0..500 {
            if i % 3 == 0 {
                assert_eq!(a.word(), b.word());
            }
            assert_eq!(a.two_words(), (b.word(), b.word()), "draw {i}");
        }
    }

    #[test]
    fn different_steps_chunks_and_replicates_differ() {
        let k = StreamKey::new(7, 3);
        let first = |key: StreamKey, step, chunk| {
            key.stream(Purpose::EnterpriseStep, step, chunk).uniform()
        };
        let base = first(k, 4, 9);
        assert_ne!(base, first(k, 5, 9));
        assert_ne!(base, first(k, 4, 10));
        assert_ne!(base, first(StreamKey::new(7, 4), 4, 9));
        assert_ne!(base, first(StreamKey::new(8, 3), 4, 9));
    }

    #[test]
    fn uniform_mean_and_normal_moments_are_right() {
        let mut s = StreamKey::new(1, 0).stream(Purpose::Government, 0, 0);
        let n = 200_000;
        let mean = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        // SE of a U(0,1) mean is 0.2887/sqrt(n) ≈ 6.5e-4; allow 5 SE.
        assert!((mean - 0.5).abs() < 3.3e-3, "mean {mean}");
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        assert!(
            m.abs() < 0.012 && (v - 1.0).abs() < 0.02,
            "mean {m}, var {v}"
        );
    }
}
