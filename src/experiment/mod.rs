//! Experiments: a base scenario, parameters to vary, a design and the metrics to keep.
//!
//! An experiment file is TOML with the same `extends` rule as scenarios:
//!
//! ```toml
//! name = "deterrence-grid"
//! base = "../fragmented.toml"     # scenario, relative to the file that sets it
//! replicates = 4                  # optional overrides of the base scenario's run size
//! metrics = ["pollution_mean", "compliance_rate"]   # default: every indicator
//! [design]
//! kind = "grid"                   # grid | lhs | morris | sobol
//! [[parameters]]
//! key = "law.fine"
//! values = [0.1, 0.2, 0.5]        # grid levels; or min/max (+ scale = "log")
//! ```
//!
//! Every design point runs with the same seeds (common random numbers), so differences between points
//! come from the parameters, not from sampling noise.

pub mod design;
pub mod merge;
pub mod results;
pub mod sensitivity;
pub mod sweep;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::error::InputError;
use crate::model::observe::Indicator;
use crate::output::sha256_hex;
use crate::scenario::{Params, load_scenario, read_chain, schema};

/// Raw experiment file, after `extends`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExperiment {
    #[serde(default)]
    pub name: Option<String>,
    pub base: String,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub steps: Option<u32>,
    #[serde(default)]
    pub replicates: Option<u32>,
    #[serde(default)]
    pub metrics: Vec<String>,
    pub design: RawDesign,
    pub parameters: Vec<RawParameter>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    /// `grid`, `lhs`, `morris` or `sobol`.
    pub kind: String,
    /// lhs: number of points.
    #[serde(default)]
    pub points: Option<u32>,
    /// grid (parameters given by min/max) and morris: number of levels.
    #[serde(default)]
    pub levels: Option<u32>,
    /// morris: number of trajectories.
    #[serde(default)]
    pub trajectories: Option<u32>,
    /// sobol: base sample size N (N·(k + 2) points).
    #[serde(default)]
    pub samples: Option<u32>,
    /// morris and sobol: bootstrap resamples for confidence intervals.
    #[serde(default)]
    pub bootstrap: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// `linear` (default) or `log`.
    #[serde(default)]
    pub scale: Option<String>,
}

/// How a parameter's values are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    Levels(Vec<Value>),
    Continuous { min: f64, max: f64, log: bool },
}

/// One varied scenario key.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub key: String,
    pub range: Range,
    /// The key takes whole numbers (values are rounded).
    pub integer: bool,
}

impl Parameter {
    /// The value at unit coordinate u ∈ [0, 1] of a continuous range.
    pub fn at(&self, u: f64) -> Value {
        let Range::Continuous { min, max, log } = self.range else {
            unreachable!("only continuous parameters are sampled in the unit cube")
        };
        // The ends of the range are the values written in the experiment file, exactly.
        let x = if u <= 0.0 {
            min
        } else if u >= 1.0 {
            max
        } else if log {
            (min.ln() + u * (max.ln() - min.ln())).exp()
        } else {
            min + u * (max - min)
        };
        if self.integer {
            Value::Integer(x.round() as i64)
        } else {
            Value::Float(x)
        }
    }
}

/// Design kinds with their sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DesignKind {
    Grid { levels: u32 },
    Lhs { points: u32 },
    Morris { trajectories: u32, levels: u32 },
    Sobol { samples: u32 },
}

/// A validated experiment.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub name: String,
    pub file: PathBuf,
    pub base: Params,
    pub kind: DesignKind,
    pub bootstrap: u32,
    pub parameters: Vec<Parameter>,
    /// The indicators kept, in the order of the results' columns.
    pub metrics: Vec<Indicator>,
    /// `base` as the experiment file gives it.
    pub base_file: String,
}

impl Experiment {
    /// The experiment as it runs now (design, parameters, metrics) followed by its resolved base
    /// scenario, run size included: what the manifest records and what shards and resumes must share.
    pub fn resolved(&self) -> String {
        let (points, levels, trajectories, samples) = match self.kind {
            DesignKind::Grid { levels } => (None, Some(levels), None, None),
            DesignKind::Lhs { points } => (Some(points), None, None, None),
            DesignKind::Morris {
                trajectories,
                levels,
            } => (None, Some(levels), Some(trajectories), None),
            DesignKind::Sobol { samples } => (None, None, None, Some(samples)),
        };
        let sensitivity = matches!(
            self.kind,
            DesignKind::Morris { .. } | DesignKind::Sobol { .. }
        );
        let raw = RawExperiment {
            name: Some(self.name.clone()),
            base: self.base_file.clone(),
            seed: None,
            steps: None,
            replicates: None,
            metrics: self.metrics.iter().map(|m| m.name().to_string()).collect(),
            design: RawDesign {
                kind: design_kind_name(self.kind).into(),
                points,
                levels,
                trajectories,
                samples,
                bootstrap: sensitivity.then_some(self.bootstrap),
            },
            parameters: self.parameters.iter().map(Parameter::to_raw).collect(),
        };
        format!(
            "# experiment\n{}\n# base scenario\n{}",
            toml::to_string_pretty(&raw).expect("an experiment serializes"),
            self.base.to_toml()
        )
    }

    /// SHA-256 of the resolved experiment: shards merge, and sweeps resume, only if theirs agree.
    pub fn digest(&self) -> String {
        sha256_hex(self.resolved().as_bytes())
    }
}

/// The `design.kind` of a design.
pub fn design_kind_name(kind: DesignKind) -> &'static str {
    match kind {
        DesignKind::Grid { .. } => "grid",
        DesignKind::Lhs { .. } => "lhs",
        DesignKind::Morris { .. } => "morris",
        DesignKind::Sobol { .. } => "sobol",
    }
}

impl Parameter {
    fn to_raw(&self) -> RawParameter {
        let (values, min, max, scale) = match &self.range {
            Range::Levels(v) => (v.clone(), None, None, None),
            Range::Continuous { min, max, log } => (
                Vec::new(),
                Some(*min),
                Some(*max),
                Some(if *log { "log" } else { "linear" }.to_string()),
            ),
        };
        RawParameter {
            key: self.key.clone(),
            values,
            min,
            max,
            scale,
        }
    }
}

/// Largest number of design points accepted (the design rows are held in memory).
const MAX_POINTS: u64 = 10_000_000;
/// Bootstrap resamples of the sensitivity intervals: enough for a 95% interval, few enough to finish.
const MIN_BOOTSTRAP: u32 = 20;
const MAX_BOOTSTRAP: u32 = 100_000;

fn invalid(file: &str, key: &str, value: impl ToString, allowed: &str) -> InputError {
    InputError::OutOfRange {
        file: file.into(),
        key: key.into(),
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

/// A file with a `name` and a `base` scenario (an experiment or a calibration), after `extends`: its
/// name (the file stem by default), its other keys as `T`, and the base scenario's path, relative
/// to the file that set `base`.
pub(crate) fn read_with_base<T: serde::de::DeserializeOwned>(
    path: &Path,
    base_of: impl Fn(&T) -> &str,
) -> Result<(String, T, PathBuf), InputError> {
    let file = path.display().to_string();
    let (mut table, provenance) = read_chain(path, &mut Vec::new())?;
    let base_source = provenance
        .get("base")
        .cloned()
        .unwrap_or_else(|| file.clone());
    let name = match table.remove("name") {
        Some(Value::String(s)) => s,
        Some(v) => return Err(invalid(&file, "name", v, "a string")),
        None => path
            .file_stem()
            .map_or("unnamed".into(), |s| s.to_string_lossy().into_owned()),
    };
    if !crate::scenario::plain_name(&name) {
        return Err(invalid(
            &file,
            "name",
            format!("{name:?}"),
            "a plain name: 1 to 128 characters, not starting with `.`, without / \\ , \" or control characters",
        ));
    }
    let raw: T = Table::try_into(table).map_err(|e: toml::de::Error| InputError::Syntax {
        file: file.clone(),
        message: e.to_string().trim_end().replace('\n', " "),
    })?;
    let base = base_of(&raw);
    let base_path = Path::new(&base_source)
        .parent()
        .unwrap_or(Path::new("."))
        .join(base);
    if !base_path.is_file() {
        return Err(invalid(
            &base_source,
            "base",
            format!("\"{base}\""),
            "a scenario file (relative to this file)",
        ));
    }
    Ok((name, raw, base_path))
}

/// Load an experiment file; `sets` override keys of its base scenario (as `--set` does).
pub fn load_experiment(path: &Path, sets: &[String]) -> Result<Experiment, InputError> {
    let file = path.display().to_string();
    let (name, raw, base_path) = read_with_base(path, |r: &RawExperiment| &r.base)?;
    let base = load_scenario(&base_path, sets)?.params.with_run_size(
        raw.seed,
        raw.steps,
        raw.replicates,
    )?;

    let metrics = if raw.metrics.is_empty() {
        Indicator::ALL.to_vec()
    } else {
        raw.metrics
            .iter()
            .map(|m| {
                Indicator::parse(m).ok_or_else(|| {
                    invalid(
                        &file,
                        "metrics",
                        format!("\"{m}\""),
                        &format!(
                            "indicators of timeseries.csv: {}",
                            Indicator::names().join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?
    };
    let kind = design_kind(&raw.design, &file)?;
    let parameters = raw
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| parameter(p, i, kind, &file))
        .collect::<Result<Vec<_>, _>>()?;
    if parameters.is_empty() {
        return Err(invalid(
            &file,
            "parameters",
            "[]",
            "at least one [[parameters]] entry",
        ));
    }
    let mut keys: Vec<&str> = parameters.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid(&file, "parameters", w[0], "each key at most once"));
    }
    let points = design::point_count(kind, &parameters);
    if points == 0 || points > MAX_POINTS {
        return Err(invalid(
            &file,
            "design",
            format!("{points} points in all"),
            &format!("a design of 1 to {MAX_POINTS} points in all"),
        ));
    }
    let bootstrap = raw.design.bootstrap.unwrap_or(500);
    if !(MIN_BOOTSTRAP..=MAX_BOOTSTRAP).contains(&bootstrap) {
        return Err(invalid(
            &file,
            "design.bootstrap",
            bootstrap,
            &format!(
                "a whole number in [{MIN_BOOTSTRAP}, {MAX_BOOTSTRAP}] (resamples for the intervals)"
            ),
        ));
    }
    Ok(Experiment {
        name,
        file: path.to_path_buf(),
        base,
        kind,
        bootstrap,
        parameters,
        metrics,
        base_file: raw.base.clone(),
    })
}

fn design_kind(d: &RawDesign, file: &str) -> Result<DesignKind, InputError> {
    let positive = |key: &str, v: Option<u32>, default: Option<u32>| -> Result<u32, InputError> {
        match v.or(default) {
            Some(n) if n >= 1 => Ok(n),
            Some(n) => Err(invalid(file, key, n, "a whole number ≥ 1")),
            None => Err(invalid(file, key, "(missing)", "a whole number ≥ 1")),
        }
    };
    // A key the design's kind does not read is a mistake (e.g. `points` for a grid, which takes
    // `levels`), not something to ignore.
    let applies: &[&str] = match d.kind.as_str() {
        "grid" => &["levels"],
        "lhs" => &["points"],
        "morris" => &["levels", "trajectories", "bootstrap"],
        "sobol" => &["samples", "bootstrap"],
        _ => &["points", "levels", "trajectories", "samples", "bootstrap"],
    };
    for (key, given) in [
        ("points", d.points),
        ("levels", d.levels),
        ("trajectories", d.trajectories),
        ("samples", d.samples),
        ("bootstrap", d.bootstrap),
    ] {
        if let Some(v) = given
            && !applies.contains(&key)
        {
            return Err(invalid(
                file,
                &format!("design.{key}"),
                v,
                &format!(
                    "no `{key}` in a {} design, which takes {}",
                    d.kind,
                    applies
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(match d.kind.as_str() {
        "grid" => DesignKind::Grid {
            levels: positive("design.levels", d.levels, Some(5))?,
        },
        "lhs" => DesignKind::Lhs {
            points: positive("design.points", d.points, None)?,
        },
        "morris" => {
            let levels = positive("design.levels", d.levels, Some(4))?;
            if levels < 2 || levels % 2 == 1 {
                return Err(invalid(
                    file,
                    "design.levels",
                    levels,
                    "an even number ≥ 2 for Morris designs",
                ));
            }
            DesignKind::Morris {
                trajectories: positive("design.trajectories", d.trajectories, Some(10))?,
                levels,
            }
        }
        "sobol" => {
            let samples = positive("design.samples", d.samples, None)?;
            if samples < 8 {
                return Err(invalid(
                    file,
                    "design.samples",
                    samples,
                    "at least 8 base samples",
                ));
            }
            DesignKind::Sobol { samples }
        }
        other => {
            return Err(invalid(
                file,
                "design.kind",
                format!("\"{other}\""),
                "one of [\"grid\", \"lhs\", \"morris\", \"sobol\"]",
            ));
        }
    })
}

fn parameter(
    p: &RawParameter,
    index: usize,
    kind: DesignKind,
    file: &str,
) -> Result<Parameter, InputError> {
    let at = |field: &str| format!("parameters[{index}].{field}");
    let Some(default) = schema::default_value(&p.key) else {
        return Err(invalid(
            file,
            &at("key"),
            format!("\"{}\"", p.key),
            "a scenario key such as \"law.fine\" (see docs/MODEL.md §7.11)",
        ));
    };
    let numeric = matches!(default, Value::Float(_) | Value::Integer(_));
    let integer = matches!(default, Value::Integer(_));
    let log = match p.scale.as_deref() {
        None | Some("linear") => false,
        Some("log") => true,
        Some(other) => {
            return Err(invalid(
                file,
                &at("scale"),
                format!("\"{other}\""),
                "\"linear\" or \"log\"",
            ));
        }
    };
    if !p.values.is_empty() {
        if !matches!(kind, DesignKind::Grid { .. }) {
            return Err(invalid(
                file,
                &at("values"),
                "a list",
                "min and max (only grid designs take a list of values)",
            ));
        }
        return Ok(Parameter {
            key: p.key.clone(),
            range: Range::Levels(p.values.clone()),
            integer,
        });
    }
    let (Some(min), Some(max)) = (p.min, p.max) else {
        return Err(invalid(
            file,
            &at("min"),
            "(missing)",
            "min and max, or values = [...] for a grid",
        ));
    };
    if !numeric {
        return Err(invalid(
            file,
            &at("key"),
            &p.key,
            "a numeric key for min/max (use values = [...] in a grid)",
        ));
    }
    if !(min.is_finite() && max.is_finite() && min < max) || (log && min <= 0.0) {
        return Err(invalid(
            file,
            &at("max"),
            max,
            "finite min < max (and min > 0 with scale = \"log\")",
        ));
    }
    Ok(Parameter {
        key: p.key.clone(),
        range: Range::Continuous { min, max, log },
        integer,
    })
}
