//! Summary statistics over replicates: mean, sample standard deviation and the Student-t 95% interval.

/// Two-sided 97.5% quantiles of Student's t for 1..=30 degrees of freedom.
const T975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// 97.5% quantile of Student's t with `df` degrees of freedom (table up to 30, then the Cornish–Fisher
/// expansion around the normal quantile, accurate to better than 1e-4).
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        _ => {
            let z: f64 = 1.959_963_985;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// An estimate with its 95% interval (e.g. a sensitivity index with its bootstrap interval).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Mean, sample SD and 95% confidence interval of the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: usize,
}

impl Summary {
    /// The interval clipped to the range `(lo, hi)` the quantity can take (see `observe::Domain`).
    pub fn within(self, (lo, hi): (f64, f64)) -> Summary {
        Summary {
            ci_low: self.ci_low.clamp(lo, hi),
            ci_high: self.ci_high.clamp(lo, hi),
            ..self
        }
    }
}

/// Paired differences `variant − base`, replicate by replicate (the same seeds: common random numbers),
/// summarised with their Student-t interval. This is how cogov compares two regimes.
pub fn paired(variant: &[f64], base: &[f64]) -> Summary {
    debug_assert_eq!(variant.len(), base.len(), "paired samples");
    let diffs: Vec<f64> = variant.iter().zip(base).map(|(v, b)| v - b).collect();
    summarize(&diffs)
}

pub fn summarize(values: &[f64]) -> Summary {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Summary {
            mean,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            n,
        };
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t975(n - 1) * sd / (n as f64).sqrt();
    Summary {
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantile_expansion_joins_the_table_and_tends_to_normal() {
        // df = 30 by the expansion vs the table value 2.042272.
        let z = 1.959_963_985f64;
        let n = 30.0;
        let approx = z
            + (z.powi(3) + z) / (4.0 * n)
            + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n);
        assert!((approx - 2.042272).abs() < 5e-4);
        assert!((t975(1_000_000) - 1.96).abs() < 1e-3);
        assert!(t975(31) < t975(30));
    }

    #[test]
    fn summary_of_known_sample() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let half = 3.182446 * s.sd / 2.0;
        assert!((s.ci_high - (2.5 + half)).abs() < 1e-12);
        assert!(summarize(&[1.0]).sd.is_nan());
    }

    #[test]
    fn paired_differences_cancel_what_the_samples_share() {
        // A common shift of 100 per replicate vanishes from the paired interval, not from the unpaired.
        let base = [100.0, 200.0, 300.0, 400.0];
        let variant = [101.0, 202.0, 301.0, 402.0];
        let d = paired(&variant, &base);
        assert_eq!(d.mean, 1.5);
        assert!((d.sd - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!(d.ci_high - d.ci_low < 2.0);
        let unpaired = summarize(&variant);
        assert!(unpaired.ci_high - unpaired.ci_low > 100.0);
    }

    #[test]
    fn a_share_interval_is_clipped_to_its_range_and_the_mean_kept() {
        // 0.9, 1, 1, 1: the t interval reaches past 1.
        let raw = summarize(&[0.9, 1.0, 1.0, 1.0]);
        assert!(raw.ci_high > 1.0 && raw.ci_low < 0.975);
        let s = raw.within((0.0, 1.0));
        assert_eq!(
            (s.mean, s.sd, s.ci_low, s.ci_high),
            (raw.mean, raw.sd, raw.ci_low, 1.0)
        );
        assert!(summarize(&[1.0]).within((0.0, 1.0)).ci_low.is_nan());
    }
}
