//! The targets of a calibration file: rows of the observed-pattern suite by id, or indicators with
//! an observed value and a scale.

use serde::{Deserialize, Serialize};

use super::{Statistic, Target, invalid};
use crate::error::InputError;
use crate::model::observe::Indicator;
use crate::validation::patterns::{Measure, PATTERNS, Pattern, Phase};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    #[serde(default)]
    pub(super) pattern: Option<String>,
    #[serde(default)]
    pub(super) indicator: Option<String>,
    #[serde(default)]
    pub(super) denominator: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) set: Vec<String>,
    #[serde(default)]
    pub(super) observed: Option<f64>,
    #[serde(default)]
    pub(super) scale: Option<f64>,
}

/// Pattern ids of the suite, for messages.
pub(super) fn pattern_ids() -> String {
    PATTERNS
        .iter()
        .map(|p| format!("\"{}\"", p.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A pattern of the suite as a target: observed at the middle of its accepted range, scaled by half
/// its width.
pub(super) fn pattern_target(p: &Pattern) -> Target {
    let (statistic, sets) = match p.measure {
        Measure::Window {
            numerator,
            denominator,
            sets,
        } => (
            Statistic::Window {
                numerator,
                denominator,
            },
            sets.iter().map(|s| s.to_string()).collect(),
        ),
        Measure::Stay(phase) => (
            Statistic::Stay {
                after: phase == Phase::YearAfter,
            },
            Vec::new(),
        ),
    };
    Target {
        name: p.id.into(),
        statistic,
        sets,
        observed: 0.5 * (p.low + p.high),
        scale: 0.5 * (p.high - p.low),
        low: p.low,
        high: p.high,
        fitted: true,
        label: p.label.name().into(),
    }
}

pub(super) fn target(t: &RawTarget, index: usize, file: &str) -> Result<Target, InputError> {
    let at = |field: &str| format!("targets[{index}].{field}");
    let positive = |v: f64| v.is_finite() && v > 0.0;
    let mut target = match (&t.pattern, &t.indicator) {
        (Some(id), None) => {
            let Some(p) = PATTERNS.iter().find(|p| p.id == id) else {
                return Err(invalid(
                    file,
                    &at("pattern"),
                    format!("\"{id}\""),
                    &format!("a pattern of the suite: {}", pattern_ids()),
                ));
            };
            if t.denominator.is_some() || !t.set.is_empty() {
                return Err(invalid(
                    file,
                    &at("pattern"),
                    format!("\"{id}\""),
                    "a pattern alone (its statistic and overrides come from the suite)",
                ));
            }
            let mut target = pattern_target(p);
            if let Some(name) = &t.name {
                target.name = name.clone();
            }
            target
        }
        (None, Some(name)) => {
            let indicator = |n: &str, field: &str| {
                Indicator::parse(n).ok_or_else(|| {
                    invalid(
                        file,
                        &at(field),
                        format!("\"{n}\""),
                        &format!(
                            "an indicator of timeseries.csv: {}",
                            Indicator::names().join(", ")
                        ),
                    )
                })
            };
            let numerator = indicator(name, "indicator")?;
            let denominator = t
                .denominator
                .as_deref()
                .map(|d| indicator(d, "denominator"))
                .transpose()?;
            let Some(observed) = t.observed.filter(|v| v.is_finite()) else {
                return Err(invalid(
                    file,
                    &at("observed"),
                    "(missing)",
                    "the observed value, a finite number",
                ));
            };
            let Some(scale) = t.scale.filter(|&v| positive(v)) else {
                return Err(invalid(
                    file,
                    &at("scale"),
                    t.scale.map_or("(missing)".into(), |v| v.to_string()),
                    "a number > 0 (the difference that counts as one unit of distance)",
                ));
            };
            Target {
                name: t.name.clone().unwrap_or_else(|| name.clone()),
                statistic: Statistic::Window {
                    numerator,
                    denominator,
                },
                sets: t.set.clone(),
                observed,
                scale,
                low: observed - scale,
                high: observed + scale,
                fitted: true,
                label: "indicator".into(),
            }
        }
        _ => {
            return Err(invalid(
                file,
                &at("pattern"),
                "both or neither of pattern and indicator",
                &format!(
                    "either pattern = one of {} or indicator = an indicator of timeseries.csv",
                    pattern_ids()
                ),
            ));
        }
    };
    if t.pattern.is_some() {
        if let Some(v) = t.observed {
            target.observed = v;
        }
        if let Some(v) = t.scale {
            if !positive(v) {
                return Err(invalid(file, &at("scale"), v, "a number > 0"));
            }
            target.scale = v;
        }
    }
    if !crate::scenario::plain_name(&target.name) {
        return Err(invalid(
            file,
            &at("name"),
            format!("{:?}", target.name),
            "a plain name (it heads a column)",
        ));
    }
    Ok(target)
}
