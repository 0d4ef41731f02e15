//! Observed patterns (pattern-oriented modelling, Grimm et al. 2005): statistics published for China
//! in 2017–2021, each compared with the same statistic of `scenarios/china-2020.toml` over its final
//! window. Every row is labelled by how the model relates to it: **set** (a default was taken from
//! this statistic, so agreement is a consistency check), **fitted** (a parameter was tuned to it) or
//! **independent** (no parameter used it). A row passes when the model's mean lies in the accepted
//! range; the range and the reason for its width are stated beside it. Nothing here feeds back into
//! a parameter: a failing row is reported, not tuned away.

use super::window_means;
use crate::error::Result;
use crate::model::observe::Indicator;
use crate::output::stats::{Summary, summarize};
use crate::scenario::load_scenario;

/// How a parameter relates to a published statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Set,
    Fitted,
    Independent,
}

impl Label {
    pub fn name(self) -> &'static str {
        match self {
            Label::Set => "set",
            Label::Fitted => "fitted",
            Label::Independent => "independent",
        }
    }
}

/// A published statistic: the model's value is `numerator / denominator` of final-window means
/// (per replicate), accepted inside `[low, high]`.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    pub statistic: &'static str,
    pub unit: &'static str,
    pub published: &'static str,
    pub source: &'static str,
    pub low: f64,
    pub high: f64,
    pub tolerance: &'static str,
    pub label: Label,
    numerator: Indicator,
    denominator: Option<Indicator>,
}

/// The suite, in the order of docs/VALIDATION.md.
pub const PATTERNS: [Pattern; 8] = [
    Pattern {
        statistic: "fine per penalty case",
        unit: "¥",
        published: "88 k¥ (2021); 67.7 k¥ (Jan–Apr 2020)",
        source: "MEE release 22 Jan 2022; MEE 2020",
        low: 67_700.0,
        high: 101_000.0,
        tolerance: "the published yearly averages, up to 15% above 88 k¥ for daily penalties in the case mean",
        label: Label::Set,
        numerator: Indicator::FinePerCase,
        denominator: None,
    },
    Pattern {
        statistic: "NGO public-interest cases per prefecture and year",
        unit: "1/year",
        published: "about 0.17 (112 NGO cases in 2015–2016, 333 prefectures)",
        source: "Gong & An (2017) Climate Law 7",
        low: 0.08,
        high: 0.28,
        tolerance: "from 38 cases heard in 2015 to 185 (NGOs and procuratorates) in about two years; all pollution types, so generous for a basin's sources",
        label: Label::Set,
        numerator: Indicator::CourtCasesPerRegion,
        denominator: None,
    },
    Pattern {
        statistic: "sanctions per registered source and year",
        unit: "1/year",
        published: "0.16–0.20 (132,818–166,210 decisions / 827,500 sources)",
        source: "MEE 2018–2021; registered sources of the pollution census",
        low: 0.15,
        high: 0.25,
        tolerance: "the range over 2018–2021, widened by the uncertain count of registered sources",
        label: Label::Independent,
        numerator: Indicator::SanctionsPerSource,
        denominator: None,
    },
    Pattern {
        statistic: "daily-penalty cases per penalty case",
        unit: "share",
        published: "0.15–0.7% (199–1,165 cases a year, 2015–2021)",
        source: "MEE; 严厚福 (2021) 中国环境管理 13(1)",
        low: 0.0015,
        high: 0.007,
        tolerance: "the range over 2015–2021",
        label: Label::Independent,
        numerator: Indicator::DailyPenaltyCases,
        denominator: Some(Indicator::Sanctions),
    },
    Pattern {
        statistic: "daily penalty per daily-penalty case",
        unit: "M¥",
        published: "0.9–1.4 M¥ (2017, 2018, 2021)",
        source: "MEE: 1.075 bn / 1,046 (2017), 985 M / 691 (2018), 185.8 M / 199 (2021)",
        low: 0.9,
        high: 1.4,
        tolerance: "the range of the three published years",
        label: Label::Independent,
        numerator: Indicator::DailyPenalties,
        denominator: Some(Indicator::DailyPenaltyCases),
    },
    Pattern {
        statistic: "re-offences per correction order",
        unit: "share",
        published: "15.79% → 9.81% → 3.23% (successive years, after daily penalties)",
        source: "严厚福 (2021) 中国环境管理 13(1); MEE",
        low: 0.0323,
        high: 0.1579,
        tolerance: "the published span; the model counts re-offences after every corrected order",
        label: Label::Independent,
        numerator: Indicator::Reoffences,
        denominator: Some(Indicator::CorrectionOrders),
    },
    Pattern {
        statistic: "complaints not accepted (lost) per complaint filed",
        unit: "share",
        published: "17–24% (Dec 2019, Jan 2020, Aug 2020)",
        source: "MEE monthly 12369 bulletins",
        low: 0.17,
        high: 0.24,
        tolerance: "the range of the three published months",
        label: Label::Independent,
        numerator: Indicator::ComplaintsLost,
        denominator: Some(Indicator::ComplaintsFiled),
    },
    Pattern {
        statistic: "water-pollution complaints per 1,000 people and year",
        unit: "1/year",
        published: "about 0.06 (13.9% of 0.38–0.51 reports per 1,000, 2017–2019)",
        source: "MEE annual 12369 reports 2017–2019",
        low: 0.04,
        high: 0.08,
        tolerance: "0.053–0.071 over 2017–2019, widened because one report can name several pollution types",
        label: Label::Independent,
        numerator: Indicator::ComplaintsPer1000,
        denominator: None,
    },
];

/// One pattern against the model.
#[derive(Debug, Clone)]
pub struct PatternResult {
    pub pattern: Pattern,
    /// Over the replicates in which the denominator is positive (n = 0: the statistic is undefined).
    pub model: Summary,
    pub pass: bool,
}

/// Every pattern on `scenarios/china-2020.toml`: quick is 2 regions, 60 months, 40 replicates; the
/// full size is the scenario's own.
pub fn patterns(quick: bool) -> Result<Vec<PatternResult>> {
    let path = crate::scenario::shipped_dir()?.join("china-2020.toml");
    let sets: Vec<String> = if quick {
        ["world.regions=2", "steps=60", "replicates=40"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    };
    let params = load_scenario(&path, &sets)?.params;
    let mut indicators: Vec<Indicator> = Vec::new();
    for p in &PATTERNS {
        for i in std::iter::once(p.numerator).chain(p.denominator) {
            if !indicators.contains(&i) {
                indicators.push(i);
            }
        }
    }
    let column = |i: Indicator| indicators.iter().position(|&j| j == i).expect("listed");
    let means = window_means(&params, &indicators)?;
    Ok(PATTERNS
        .iter()
        .map(|&pattern| {
            let values: Vec<f64> = means
                .iter()
                .filter_map(|r| {
                    let top = r[column(pattern.numerator)];
                    match pattern.denominator {
                        None => Some(top),
                        Some(d) if r[column(d)] > 0.0 => Some(top / r[column(d)]),
                        Some(_) => None,
                    }
                })
                .collect();
            let model = if values.is_empty() {
                Summary {
                    mean: f64::NAN,
                    sd: f64::NAN,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                    n: 0,
                }
            } else {
                // Every statistic here is a count, a rate or a share: its interval is clipped at 0.
                let s = summarize(&values);
                Summary {
                    ci_low: s.ci_low.max(0.0),
                    ..s
                }
            };
            let pass = (pattern.low..=pattern.high).contains(&model.mean);
            PatternResult {
                pattern,
                model,
                pass,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_ordered_and_at_least_four_rows_are_independent() {
        for p in &PATTERNS {
            assert!(p.low < p.high, "{}", p.statistic);
        }
        let independent = PATTERNS
            .iter()
            .filter(|p| p.label == Label::Independent)
            .count();
        assert!(independent >= 4);
    }
}
