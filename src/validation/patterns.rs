//! Observed patterns (pattern-oriented modelling, Grimm et al. 2005): statistics published for China
//! in 2017–2021, each compared with the same statistic of `scenarios/china-2020.toml` over its final
//! window (one row with the monitoring under local control, as before the 2016 reform), or, for the
//! central inspections, in an event study around every stay. Every row is labelled by how the model relates to it: **set** (a default was taken from
//! this statistic, so agreement is a consistency check), **fitted** (a parameter was tuned to it) or
//! **independent** (no parameter used it). A row passes when the model's mean lies in the accepted
//! range; the range and the reason for its width are stated beside it. Nothing here feeds back into
//! a parameter: a failing row is reported, not tuned away.

use super::window_means;
use crate::engine;
use crate::error::Result;
use crate::model::World;
use crate::model::central;
use crate::model::observe::{Indicator, StepRecord};
use crate::output::stats::{Summary, summarize};
use crate::scenario::Params;
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

/// How the model's value of a statistic is computed, per replicate.
#[derive(Debug, Clone, Copy)]
pub enum Measure {
    /// `numerator / denominator` of final-window means of china-2020 with `sets` applied.
    Window {
        numerator: Indicator,
        denominator: Option<Indicator>,
        sets: &'static [&'static str],
    },
    /// The relative change of an inspected region's emissions against the six months before a
    /// central stay: during the stay, or in months 7–12 after the team left.
    Stay(Phase),
}

/// When an event-study effect is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    During,
    YearAfter,
}

/// Months before a stay the event study compares with, and the last month after it it reads.
const BEFORE: u32 = 6;
const AFTER: u32 = 12;

const WINDOW: &[&str] = &[];

/// A published statistic, accepted inside `[low, high]`.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// A short name: a calibration target names the pattern by it.
    pub id: &'static str,
    pub statistic: &'static str,
    pub unit: &'static str,
    pub published: &'static str,
    pub source: &'static str,
    pub low: f64,
    pub high: f64,
    pub tolerance: &'static str,
    pub label: Label,
    pub measure: Measure,
}

/// The suite, in the order of docs/VALIDATION.md.
pub const PATTERNS: [Pattern; 11] = [
    Pattern {
        id: "fine_per_case",
        statistic: "fine per penalty case",
        unit: "¥",
        published: "88 k¥ (2021); 67.7 k¥ (Jan–Apr 2020)",
        source: "MEE release 22 Jan 2022; MEE 2020",
        low: 67_700.0,
        high: 101_000.0,
        tolerance: "the published yearly averages, up to 15% above 88 k¥ for daily penalties in the case mean",
        label: Label::Set,
        measure: Measure::Window {
            numerator: Indicator::FinePerCase,
            denominator: None,
            sets: WINDOW,
        },
    },
    Pattern {
        id: "ngo_cases",
        statistic: "NGO public-interest cases per prefecture and year",
        unit: "1/year",
        published: "about 0.17 (112 NGO cases in 2015–2016, 333 prefectures)",
        source: "Gong & An (2017) Climate Law 7",
        low: 0.08,
        high: 0.28,
        tolerance: "from 38 cases heard in 2015 to 185 (NGOs and procuratorates) in about two years; all pollution types, so generous for a basin's sources",
        label: Label::Set,
        measure: Measure::Window {
            numerator: Indicator::CourtCasesPerRegion,
            denominator: None,
            sets: WINDOW,
        },
    },
    Pattern {
        id: "sanctions_per_source",
        statistic: "sanctions per registered source and year",
        unit: "1/year",
        published: "0.16–0.20 (132,818–166,210 decisions / 827,500 sources)",
        source: "MEE 2018–2021; registered sources of the pollution census",
        low: 0.15,
        high: 0.25,
        tolerance: "the range over 2018–2021, widened by the uncertain count of registered sources",
        label: Label::Fitted,
        measure: Measure::Window {
            numerator: Indicator::SanctionsPerSource,
            denominator: None,
            sets: WINDOW,
        },
    },
    Pattern {
        id: "daily_penalty_share",
        statistic: "daily-penalty cases per penalty case",
        unit: "share",
        published: "0.15–0.7% (199–1,165 cases a year, 2015–2021)",
        source: "MEE; 严厚福 (2021) 中国环境管理 13(1)",
        low: 0.0015,
        high: 0.007,
        tolerance: "the range over 2015–2021",
        label: Label::Independent,
        measure: Measure::Window {
            numerator: Indicator::DailyPenaltyCases,
            denominator: Some(Indicator::Sanctions),
            sets: WINDOW,
        },
    },
    Pattern {
        id: "daily_penalty_size",
        statistic: "daily penalty per daily-penalty case",
        unit: "M¥",
        published: "0.9–1.4 M¥ (2017, 2018, 2021)",
        source: "MEE: 1.075 bn / 1,046 (2017), 985 M / 691 (2018), 185.8 M / 199 (2021)",
        low: 0.9,
        high: 1.4,
        tolerance: "the range of the three published years",
        label: Label::Independent,
        measure: Measure::Window {
            numerator: Indicator::DailyPenalties,
            denominator: Some(Indicator::DailyPenaltyCases),
            sets: WINDOW,
        },
    },
    Pattern {
        id: "reoffences",
        statistic: "re-offences per correction order",
        unit: "share",
        published: "15.79% → 9.81% → 3.23% (successive years, after daily penalties)",
        source: "严厚福 (2021) 中国环境管理 13(1); MEE",
        low: 0.0323,
        high: 0.1579,
        tolerance: "the published span; the model counts re-offences after every corrected order",
        label: Label::Independent,
        measure: Measure::Window {
            numerator: Indicator::Reoffences,
            denominator: Some(Indicator::CorrectionOrders),
            sets: WINDOW,
        },
    },
    Pattern {
        id: "complaints_lost",
        statistic: "complaints not accepted (lost) per complaint filed",
        unit: "share",
        published: "17–24% (Dec 2019, Jan 2020, Aug 2020)",
        source: "MEE monthly 12369 bulletins",
        low: 0.17,
        high: 0.24,
        tolerance: "the range of the three published months",
        label: Label::Fitted,
        measure: Measure::Window {
            numerator: Indicator::ComplaintsLost,
            denominator: Some(Indicator::ComplaintsFiled),
            sets: WINDOW,
        },
    },
    Pattern {
        id: "complaints_per_1000",
        statistic: "water-pollution complaints per 1,000 people and year",
        unit: "1/year",
        published: "about 0.06 (13.9% of 0.38–0.51 reports per 1,000, 2017–2019)",
        source: "MEE annual 12369 reports 2017–2019",
        low: 0.04,
        high: 0.08,
        tolerance: "0.053–0.071 over 2017–2019, widened because one report can name several pollution types",
        label: Label::Fitted,
        measure: Measure::Window {
            numerator: Indicator::ComplaintsPer1000,
            denominator: None,
            sets: WINDOW,
        },
    },
    Pattern {
        id: "report_gap",
        statistic: "reported below true ambient levels under local monitoring",
        unit: "share",
        published: "about 26% (reported PM10 rose 35% when monitoring was automated)",
        source: "Greenstone et al. (2022) AER: Insights 4:54",
        low: 0.2,
        high: 0.32,
        tolerance: "1/1.35 − 1 = 26% for one pollutant and one reform; ±6 points for carrying it from air to a water pollutant; china-2020 with `monitoring.management = \"local\"`",
        label: Label::Fitted,
        measure: Measure::Window {
            numerator: Indicator::ReportGap,
            denominator: None,
            sets: &["monitoring.management=local"],
        },
    },
    Pattern {
        id: "stay_during",
        statistic: "emissions during a central inspection stay against the six months before",
        unit: "relative change",
        published: "PM2.5 −8.8%, PM10 −8.1%, NO2 −7.9%, SO2 −2.4% during the stay",
        source: "J. Cleaner Prod. 378:134496 (2022); Xu et al. (2020) Sustainability 12:3316",
        low: -0.12,
        high: -0.02,
        tolerance: "the four air pollutants' range, widened by a third; assumed to carry from air concentrations to a water pollutant's emissions",
        label: Label::Independent,
        measure: Measure::Stay(Phase::During),
    },
    Pattern {
        id: "stay_after",
        statistic: "emissions 7–12 months after a stay against the six months before",
        unit: "relative change",
        published: "not sustained: the improvement attenuates after the team leaves",
        source: "Yuan et al. (2022) EIA Review 106835; 毛益民 (2022) 治理研究; Xu et al. (2020)",
        low: -0.03,
        high: 0.02,
        tolerance: "at most a third of the largest stay effect left, or a small rebound",
        label: Label::Independent,
        measure: Measure::Stay(Phase::YearAfter),
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
    let size: Vec<String> = if quick {
        ["world.regions=2", "steps=60", "replicates=40"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    };
    // One run per distinct set of overrides, reading every indicator its rows need.
    let mut runs: Vec<WindowRun> = Vec::new();
    for p in &PATTERNS {
        if let Measure::Window {
            numerator,
            denominator,
            sets,
        } = p.measure
        {
            let at = match runs.iter().position(|(s, _, _)| *s == sets) {
                Some(at) => at,
                None => {
                    runs.push((sets, Vec::new(), Vec::new()));
                    runs.len() - 1
                }
            };
            for i in std::iter::once(numerator).chain(denominator) {
                if !runs[at].1.contains(&i) {
                    runs[at].1.push(i);
                }
            }
        }
    }
    for (sets, indicators, means) in &mut runs {
        let mut all = size.clone();
        all.extend(sets.iter().map(|s| s.to_string()));
        let params = load_scenario(&path, &all)?.params;
        *means = window_means(&params, indicators)?;
    }
    let params = load_scenario(&path, &size)?.params;
    let effects = stay_effects(&params)?;
    Ok(PATTERNS
        .iter()
        .map(|&pattern| {
            let values: Vec<f64> = match pattern.measure {
                Measure::Window {
                    numerator,
                    denominator,
                    sets,
                } => {
                    let (_, indicators, means) = runs
                        .iter()
                        .find(|(s, _, _)| *s == sets)
                        .expect("every window row has its run");
                    let column =
                        |i: Indicator| indicators.iter().position(|&j| j == i).expect("listed");
                    means
                        .iter()
                        .filter_map(|r| {
                            let top = r[column(numerator)];
                            match denominator {
                                None => Some(top),
                                Some(d) if r[column(d)] > 0.0 => Some(top / r[column(d)]),
                                Some(_) => None,
                            }
                        })
                        .collect()
                }
                Measure::Stay(phase) => effects
                    .iter()
                    .filter_map(|e| match phase {
                        Phase::During => e.during,
                        Phase::YearAfter => e.after,
                    })
                    .collect(),
            };
            let model = if values.is_empty() {
                Summary {
                    mean: f64::NAN,
                    sd: f64::NAN,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                    n: 0,
                }
            } else {
                let s = summarize(&values);
                match pattern.measure {
                    // A count, a rate or a share: its interval is clipped at 0.
                    Measure::Window { .. } => Summary {
                        ci_low: s.ci_low.max(0.0),
                        ..s
                    },
                    // A relative change is bounded below by −1.
                    Measure::Stay(_) => Summary {
                        ci_low: s.ci_low.max(-1.0),
                        ..s
                    },
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

/// One run of china-2020 for the window rows sharing its overrides: the overrides, the indicators
/// read, and each replicate's final-window means of them.
type WindowRun = (&'static [&'static str], Vec<Indicator>, Vec<Vec<f64>>);

/// One replicate's event study: the mean over its stays of each effect (None without a stay that
/// has `BEFORE` months before it and `AFTER` months after it inside the run).
#[derive(Debug, Clone, Copy, Default)]
pub struct StayEffects {
    pub during: Option<f64>,
    pub after: Option<f64>,
}

/// Emissions of every region in every month of one replicate.
struct RegionEmissions(Vec<Vec<f64>>);

impl<'p> engine::Observer<World<'p>> for RegionEmissions {
    type Output = Vec<Vec<f64>>;

    fn observe(&mut self, world: &World<'p>, _step: u32, _record: StepRecord) {
        self.0
            .push(world.region_records.iter().map(|r| r.emissions).collect());
    }

    fn finish(self) -> Vec<Vec<f64>> {
        self.0
    }
}

/// The event study of every replicate, a difference in differences against the other regions: for
/// each region r and each stay starting in month s (length L), let q(a, b) be the ratio of r's mean
/// emission over months a … b − 1 to the mean over the same months of the other regions' emissions
/// (the control: the same months' shocks and trends, such as the learning transient of the first
/// years). With the baseline q(s − 6, s), the stay effect is q(s, s + L)/q(s − 6, s) − 1 and the
/// year-after effect q(s + L + 6, s + L + 12)/q(s − 6, s) − 1; each is averaged over the replicate's
/// stays. Needs at least two regions.
pub fn stay_effects(p: &Params) -> Result<Vec<StayEffects>> {
    let runs = engine::run_replicates(p, &|_| {}, |_| RegionEmissions(Vec::new()))?.outputs;
    let regions = p.world.regions as usize;
    let stay = p.central.stay.min(p.central.inspection_period.max(1));
    Ok(runs
        .iter()
        .map(|months| {
            let steps = months.len() as u32;
            // r's emissions over months from … to − 1, relative to the other regions'.
            let ratio = |r: usize, from: u32, to: u32| {
                let (mut own, mut others) = (0.0, 0.0);
                for t in from..to {
                    let row = &months[t as usize];
                    own += row[r];
                    others += (row.iter().sum::<f64>() - row[r]) / (regions - 1) as f64;
                }
                own / others
            };
            let (mut during, mut after) = (Vec::new(), Vec::new());
            for r in 0..regions {
                for s in BEFORE..steps {
                    if !central::arrives(p, r, regions, s)
                        || s + stay + AFTER > steps
                        || regions < 2
                    {
                        continue;
                    }
                    let before = ratio(r, s - BEFORE, s);
                    if !(before.is_finite() && before > 0.0) {
                        continue;
                    }
                    during.push(ratio(r, s, s + stay) / before - 1.0);
                    after.push(ratio(r, s + stay + BEFORE, s + stay + AFTER) / before - 1.0);
                }
            }
            let average =
                |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            StayEffects {
                during: average(&during),
                after: average(&after),
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
