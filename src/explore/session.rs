//! What the explorer computes, apart from HTTP: the presets compiled into the binary, the page's
//! settings resolved into validated parameters (the same validation as a scenario file), the run
//! limits, a run streamed month by month with pause, step and cancel, the one-lever comparison and
//! the downloads. Every number the page shows comes from here.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::engine::memory;
use crate::error::{Error, InputError, Result};
use crate::model::observe::{Indicator, StepRecord};
use crate::model::orders::{ORDER_AGE, ORDER_SEALED};
use crate::model::run::agent_counts;
use crate::model::{ReplicateOutput, ScenarioRun, World, run_scenario};
use crate::output::stats::{Summary, paired, summarize};
use crate::output::table::{CsvSink, TableSink};
use crate::output::tables;
use crate::scenario::registry::{Key, Lever, Valid, registry};
use crate::scenario::{Params, resolve_embedded, with_overrides};

/// Where the page's values come from, in error messages.
pub const SOURCE: &str = "the page";

pub use crate::scenario::shipped::SHIPPED;

/// Indicators the page charts, streamed per replicate every month.
pub const CHARTED: [Indicator; 9] = [
    Indicator::PollutionMean,
    Indicator::ComplianceRate,
    Indicator::WelfareNet,
    Indicator::AwarenessMean,
    Indicator::ComplaintsFiled,
    Indicator::ComplaintsHandled,
    Indicator::ComplaintsLost,
    Indicator::EnforcementCost,
    Indicator::Sanctions,
];

/// Most agent-steps one request may ask for (scenario and baseline together): about ten seconds of
/// both cores.
pub const MAX_AGENT_STEPS: f64 = 4e9;
/// Most bytes the worlds of one request may hold.
pub const MAX_BYTES: u64 = 2 << 30;
/// Most residents of the agent view sent each month.
pub const VIEW_RESIDENTS: usize = 1200;

/// One preset: a named, validated scenario.
pub struct Preset {
    pub name: String,
    pub params: Params,
}

/// The presets a page can start from.
pub struct Presets {
    pub list: Vec<Preset>,
    /// Most agent-steps one request may ask for (scenario and baseline together).
    pub max_agent_steps: f64,
}

impl Presets {
    /// The shipped presets, and `file` (a scenario given on the command line) first when given.
    pub fn new(file: Option<Params>) -> Result<Presets> {
        let text_of = |n: &str| SHIPPED.iter().find(|(s, _)| *s == n).map(|(_, t)| *t);
        let mut list = Vec::new();
        if let Some(p) = file {
            list.push(Preset {
                name: p.name.clone(),
                params: p,
            });
        }
        for (name, _) in SHIPPED {
            if list.iter().any(|p| p.name == *name) {
                continue;
            }
            list.push(Preset {
                name: name.to_string(),
                params: resolve_embedded(name, &text_of, &[])?,
            });
        }
        Ok(Presets {
            list,
            max_agent_steps: MAX_AGENT_STEPS,
        })
    }

    pub fn get(&self, name: &str) -> std::result::Result<&Preset, InputError> {
        self.list
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| InputError::OutOfRange {
                file: SOURCE.into(),
                key: "preset".into(),
                value: format!("{name:?}"),
                allowed: format!(
                    "one of {:?}",
                    self.list
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                ),
            })
    }
}

/// What the page sends: a preset and the keys changed from it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub preset: String,
    #[serde(default)]
    pub set: BTreeMap<String, Json>,
}

/// How the page edits a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Slider,
    Integer,
    Choice,
    Switch,
    /// Lists, matrices and names: shown, edited in a scenario file.
    Fixed,
}

/// The control of `key`.
pub fn control(key: &Key) -> Control {
    match key.valid {
        Valid::Number(_) | Valid::Probability | Valid::Money => Control::Slider,
        Valid::Count(_) | Valid::Seed => Control::Integer,
        Valid::Choice => Control::Choice,
        Valid::Bool => Control::Switch,
        _ => Control::Fixed,
    }
}

/// A page value as the TOML value a scenario file would hold, or why it cannot be one.
fn to_toml(key: &Key, value: &Json) -> std::result::Result<toml::Value, InputError> {
    let wrong = |expected: &str| InputError::WrongType {
        file: SOURCE.into(),
        key: key.path.clone(),
        value: value.to_string(),
        expected: expected.into(),
    };
    match (control(key), value) {
        (Control::Slider, Json::Number(n)) => n
            .as_f64()
            .map(toml::Value::Float)
            .ok_or_else(|| wrong("a number")),
        (Control::Integer, Json::Number(n)) => n
            .as_i64()
            .map(toml::Value::Integer)
            .ok_or_else(|| wrong("a whole number")),
        (Control::Choice, Json::String(s)) => Ok(toml::Value::String(s.clone())),
        (Control::Switch, Json::Bool(b)) => Ok(toml::Value::Boolean(*b)),
        (Control::Slider, _) => Err(wrong("a number")),
        (Control::Integer, _) => Err(wrong("a whole number")),
        (Control::Choice, _) => Err(wrong("a string, one of the key's choices")),
        (Control::Switch, _) => Err(wrong("true or false")),
        (Control::Fixed, _) => Err(InputError::Usage(format!(
            "{SOURCE}: key `{}` is not set from the page: {}",
            key.path,
            key.edit.as_deref().unwrap_or("edit it in a scenario file")
        ))),
    }
}

/// The scenario the page's settings describe, validated as a file would be, with the run limits.
/// A scenario changed from its preset is named `<preset>-explored`.
pub fn resolve(presets: &Presets, settings: &Settings) -> std::result::Result<Params, InputError> {
    let preset = presets.get(&settings.preset)?;
    let reg = registry();
    let mut overrides = Vec::with_capacity(settings.set.len() + 1);
    for (path, value) in &settings.set {
        let key = reg.key(path).ok_or_else(|| InputError::UnknownKey {
            file: SOURCE.into(),
            key: path.clone(),
            hint: String::new(),
        })?;
        if path == "name" {
            return Err(to_toml(key, value).unwrap_err());
        }
        overrides.push((path.clone(), to_toml(key, value)?));
    }
    if overrides.is_empty() {
        return limited(preset.params.clone(), presets.max_agent_steps);
    }
    overrides.push((
        "name".into(),
        toml::Value::String(format!("{}-explored", preset.name)),
    ));
    limited(
        with_overrides(&preset.params, &overrides, SOURCE)?,
        presets.max_agent_steps,
    )
}

/// `params`, unless one request of it (scenario and baseline) is larger than the explorer runs.
fn limited(params: Params, max_agent_steps: f64) -> std::result::Result<Params, InputError> {
    let agents = agent_counts(&params).stepped() as f64;
    let agent_steps = 2.0 * agents * f64::from(params.steps) * f64::from(params.replicates);
    let too_large = |what: String| {
        InputError::Usage(format!(
            "{SOURCE}: {what}; use fewer replicates, steps or agents here, or run the scenario with \
             `cogov run` (download it as TOML)"
        ))
    };
    if agent_steps > max_agent_steps {
        return Err(too_large(format!(
            "this run is {agent_steps:.3e} agent-steps with its baseline, more than the explorer's \
             {max_agent_steps:.0e} (cogov explore --max-agent-steps)"
        )));
    }
    let bytes = 2 * crate::model::size::world_bytes(&params) * u64::from(params.replicates);
    if bytes > MAX_BYTES {
        return Err(too_large(format!(
            "its worlds would hold {} with the baseline's, more than the explorer's {}",
            memory::human(bytes),
            memory::human(MAX_BYTES)
        )));
    }
    memory::check(bytes, "the page's run with its baseline", false)?;
    Ok(params)
}

/// The baseline a scenario is read against: `base` with the page's edits of every key that belongs
/// to no lever (the world, its agents, behaviour, run size), so the two differ only in regime, and
/// with the scenario's seed, steps and replicates, so they pair replicate by replicate.
pub fn paired_with(
    base: &Params,
    settings: &Settings,
    of: &Params,
) -> std::result::Result<Params, InputError> {
    let reg = registry();
    let mut overrides = Vec::new();
    for (path, value) in &settings.set {
        if let Some(key) = reg.key(path)
            && key.lever.is_none()
            && path != "name"
        {
            overrides.push((path.clone(), to_toml(key, value)?));
        }
    }
    let base = if overrides.is_empty() {
        base.clone()
    } else {
        with_overrides(base, &overrides, SOURCE)?
    };
    base.with_run_size(Some(of.seed), Some(of.steps), Some(of.replicates))
}

/// Pause, step and cancel for one run in flight, shared between the page's requests and the thread
/// that steps the worlds.
#[derive(Default)]
pub struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    paused: bool,
    /// Months that may run while paused.
    credit: u32,
    cancelled: bool,
}

impl Gate {
    pub fn new(paused: bool) -> Gate {
        Gate {
            state: Mutex::new(GateState {
                paused,
                ..GateState::default()
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        // A panic while holding this lock leaves plain flags; they stay meaningful.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut GateState)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }

    pub fn pause(&self) {
        self.update(|s| s.paused = true);
    }

    pub fn resume(&self) {
        self.update(|s| s.paused = false);
    }

    /// One more month while paused.
    pub fn step(&self) {
        self.update(|s| {
            s.paused = true;
            s.credit += 1;
        });
    }

    pub fn cancel(&self) {
        self.update(|s| s.cancelled = true);
    }

    pub fn cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// Wait until the next month may run; false once cancelled or once `alive` says the page has
    /// gone (asked every half second while paused).
    fn next(&self, alive: &dyn Fn() -> bool) -> bool {
        let mut s = self.lock();
        loop {
            if !alive() {
                return false;
            }
            if s.cancelled {
                return false;
            }
            if !s.paused {
                return true;
            }
            if s.credit > 0 {
                s.credit -= 1;
                return true;
            }
            s = self
                .changed
                .wait_timeout(s, std::time::Duration::from_millis(500))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// One scenario's month: each charted indicator's value in every replicate.
#[derive(Debug, Clone, Serialize)]
pub struct RunMonth {
    pub values: BTreeMap<&'static str, Vec<f64>>,
    /// Each region's stock (tonnes), mean over replicates.
    pub stock: Vec<f64>,
    /// Each region's share of replicates meeting its target.
    pub target_met: Vec<f64>,
}

/// The agents of one region in replicate 0: each enterprise's state and residents' awareness.
#[derive(Debug, Clone, Serialize)]
pub struct AgentView {
    pub region: usize,
    /// One letter per enterprise: `c` complying, `v` violating, `o` under a correction order (a
    /// sanctioned violator), `s` sealed up.
    pub enterprises: String,
    /// One digit per resident (the first [`VIEW_RESIDENTS`]): awareness in tenths, 0–9.
    pub residents: String,
}

/// What the page receives each month.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub month: u32,
    pub scenario: RunMonth,
    pub baseline: RunMonth,
    pub agents: AgentView,
}

/// A result in words, with its interval, in both languages.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    pub metric: &'static str,
    pub percent: f64,
    pub low: f64,
    pub high: f64,
    pub en: String,
    pub zh: String,
}

/// What the page receives when the run is complete.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub months: u32,
    pub readings: Vec<Reading>,
}

/// How a streamed run ended.
pub enum Ended {
    Done(Done),
    /// Cancelled, or the page went away.
    Stopped,
}

fn month_of(worlds: &[World], records: &[StepRecord]) -> RunMonth {
    let n = records.len() as f64;
    let values = CHARTED
        .iter()
        .map(|i| (i.name(), records.iter().map(|r| r.get(*i)).collect()))
        .collect();
    let regions = worlds[0].region_records.len();
    let mean = |f: &dyn Fn(&crate::model::observe::RegionRecord) -> f64| -> Vec<f64> {
        (0..regions)
            .map(|g| worlds.iter().map(|w| f(&w.region_records[g])).sum::<f64>() / n)
            .collect()
    };
    RunMonth {
        values,
        stock: mean(&|r| r.stock),
        target_met: mean(&|r| r.target_met),
    }
}

fn agent_view(world: &World, params: &Params, region: usize) -> AgentView {
    let per = params.enterprises.per_region as usize;
    let enterprises = world.enterprises()[region * per..(region + 1) * per]
        .iter()
        .map(|e| {
            if e.order & ORDER_SEALED != 0 {
                's'
            } else if e.order & ORDER_AGE != 0 {
                'o'
            } else if e.complying {
                'c'
            } else {
                'v'
            }
        })
        .collect();
    let residents = params.public.per_region as usize;
    let start = region * residents;
    let shown = residents.min(VIEW_RESIDENTS);
    let residents = world.awareness()[start..start + shown]
        .iter()
        .map(|a| char::from(b'0' + ((a * 10.0).floor().clamp(0.0, 9.0) as u8)))
        .collect();
    AgentView {
        region,
        enterprises,
        residents,
    }
}

/// Run `params` and `base` (with the same run size) month by month on `pool`, handing each month to
/// `emit` (false: the page went away). Replicate i of each is the world `cogov run` steps, so every
/// value equals the CSV of `cogov run` for the same scenario.
pub fn stream(
    pool: &rayon::ThreadPool,
    params: &Params,
    base: &Params,
    region: usize,
    gate: &Gate,
    alive: &dyn Fn() -> bool,
    mut emit: impl FnMut(Frame) -> bool,
) -> Result<Ended> {
    let replicates = params.replicates as usize;
    let region = region.min(params.world.regions as usize - 1);
    let mut worlds: Vec<World> = pool.install(|| {
        (0..2 * replicates)
            .into_par_iter()
            .map(|i| {
                let p = if i < replicates { params } else { base };
                World::new(p, (i % replicates) as u32)
            })
            .collect()
    });
    let mut kept = vec![ReplicateOutput::default(); 2 * replicates];
    for month in 1..=params.steps {
        if !gate.next(alive) {
            return Ok(Ended::Stopped);
        }
        let records: Vec<StepRecord> = pool.install(|| {
            worlds
                .par_iter_mut()
                .enumerate()
                .map(|(i, w)| {
                    w.step().map_err(|e| {
                        let p = if i < replicates { params } else { base };
                        Error::Invariant(format!(
                            "scenario `{}`, replicate {}: {e}",
                            p.name,
                            i % replicates
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()
        })?;
        for (k, r) in kept.iter_mut().zip(&records) {
            k.steps.push(*r);
        }
        let (mine, theirs) = worlds.split_at(replicates);
        let frame = Frame {
            month,
            scenario: month_of(mine, &records[..replicates]),
            baseline: month_of(theirs, &records[replicates..]),
            agents: agent_view(&mine[0], params, region),
        };
        if !emit(frame) {
            return Ok(Ended::Stopped);
        }
    }
    let theirs = kept.split_off(replicates);
    let run = |p: &Params, replicates| ScenarioRun {
        params: p.clone(),
        replicates,
        agents: agent_counts(p),
        init_seconds: 0.0,
        run_seconds: 0.0,
    };
    Ok(Ended::Done(Done {
        months: params.steps,
        readings: readings(&run(params, kept), &run(base, theirs)),
    }))
}

/// The paired difference of `run` from `base` in `indicator`'s final-window mean, as a percentage of
/// the baseline's mean.
fn percent(run: &ScenarioRun, base: &ScenarioRun, indicator: Indicator) -> (Summary, f64) {
    let column = |r: &ScenarioRun| -> Vec<f64> {
        tables::final_window_means(r)
            .iter()
            .map(|v| v[indicator.index()])
            .collect()
    };
    let (mine, theirs) = (column(run), column(base));
    (paired(&mine, &theirs), summarize(&theirs).mean)
}

/// The sentences that read a run against its baseline.
pub fn readings(run: &ScenarioRun, base: &ScenarioRun) -> Vec<Reading> {
    let window = run.params.output.window.min(run.params.steps);
    let n = run.replicates.len();
    [
        (Indicator::PollutionMean, "pollution", "污染存量"),
        (Indicator::ComplianceRate, "compliance", "守法率"),
        (Indicator::EnforcementCost, "enforcement cost", "执法成本"),
    ]
    .into_iter()
    .map(|(indicator, en, zh)| {
        let (s, mean) = percent(run, base, indicator);
        let scale = if mean.abs() > 0.0 { 100.0 / mean } else { f64::NAN };
        let (p, lo, hi) = (s.mean * scale, s.ci_low * scale, s.ci_high * scale);
        let shown = |v: f64| {
            if v.is_finite() {
                format!("{v:+.0}%").replace('-', "−")
            } else {
                "–".into()
            }
        };
        let band = |v: f64| {
            if v.is_finite() {
                format!("{v:.0}").replace('-', "−")
            } else {
                "–".into()
            }
        };
        let name = base.params.name();
        Reading {
            metric: indicator.name(),
            percent: p,
            low: lo,
            high: hi,
            en: format!(
                "{en} {} [{}, {}] against {name} (final {window} months, {n} replicates, 95% interval)",
                shown(p),
                band(lo),
                band(hi)
            ),
            zh: format!(
                "{zh}较{name} {} [{}, {}]（最后 {window} 个月，{n} 次重复，95% 区间）",
                shown(p),
                band(lo),
                band(hi)
            ),
        }
    })
    .collect()
}

/// `timeseries.csv` of `params` alone, the bytes `cogov run` writes for the same scenario.
pub fn timeseries_csv(pool: &rayon::ThreadPool, params: &Params) -> Result<String> {
    let run = pool.install(|| run_scenario(params, &|_| {}))?;
    let mut sink = CsvSink::new(Vec::new(), &tables::timeseries_columns()).map_err(io)?;
    tables::timeseries_rows(std::slice::from_ref(&run), |row| sink.row(row)).map_err(io)?;
    let bytes = sink.into_inner().map_err(io)?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 cells"))
}

fn io(e: std::io::Error) -> Error {
    Error::io("timeseries.csv", e)
}

/// The value at `path` of a resolved scenario, as the page holds it.
pub fn value_of(params: &Params, path: &str) -> Option<Json> {
    let table = toml::Table::try_from(params.to_scenario()).ok()?;
    let mut node = &toml::Value::Table(table);
    for part in path.split('.') {
        node = node.get(part)?;
    }
    serde_json::to_value(node).ok()
}

/// Whether a lever is on (every key at coordinated's value), off (every key at fragmented's) or
/// mixed, in `params`.
pub fn lever_state(presets: &Presets, params: &Params, lever: Lever) -> &'static str {
    let (on, off) = lever_ends(presets);
    let keys: Vec<&Key> = registry().lever(lever).collect();
    let at = |end: &Params| {
        keys.iter()
            .all(|k| value_of(params, &k.path) == value_of(end, &k.path))
    };
    if at(on) {
        "on"
    } else if at(off) {
        "off"
    } else {
        "mixed"
    }
}

/// The presets whose values a lever's switch sets: on from coordinated, off from fragmented.
pub fn lever_ends(presets: &Presets) -> (&Params, &Params) {
    let get = |n: &str| &presets.get(n).expect("a shipped preset").params;
    (get("coordinated"), get("fragmented"))
}

/// One bar of the lever comparison: switching one lever from the current settings.
#[derive(Debug, Clone, Serialize)]
pub struct LeverBar {
    pub lever: &'static str,
    pub number: usize,
    /// What the comparison does: `on` (the lever was off or mixed) or `off` (it was on).
    pub switched: &'static str,
    pub reading: Reading,
}

/// Switch each lever in turn from the current settings (on where it is off or mixed, off where it is
/// on) and read pollution against the current settings, paired replicate by replicate.
pub fn lever_bars(
    pool: &rayon::ThreadPool,
    presets: &Presets,
    settings: &Settings,
) -> std::result::Result<Vec<LeverBar>, Error> {
    let current = resolve(presets, settings)?;
    let (on, off) = lever_ends(presets);
    let mut variants = Vec::new();
    for lever in Lever::ALL {
        let state = lever_state(presets, &current, lever);
        let (to, switched) = if state == "on" {
            (off, "off")
        } else {
            (on, "on")
        };
        let mut overrides: Vec<(String, toml::Value)> = registry()
            .lever(lever)
            .filter_map(|k| {
                let v = value_of(to, &k.path)?;
                Some((k.path.clone(), serde_json::from_value(v).ok()?))
            })
            .collect();
        overrides.push((
            "name".into(),
            toml::Value::String(format!("{}-{switched}", lever.name())),
        ));
        variants.push((
            lever,
            switched,
            with_overrides(&current, &overrides, SOURCE)?,
        ));
    }
    pool.install(|| {
        let base = run_scenario(&current, &|_| {})?;
        variants
            .par_iter()
            .map(|(lever, switched, p)| {
                let run = run_scenario(p, &|_| {})?;
                let reading = readings(&run, &base).swap_remove(0);
                Ok(LeverBar {
                    lever: lever.name(),
                    number: lever.number(),
                    switched,
                    reading,
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(preset: &str) -> Settings {
        let mut set = BTreeMap::new();
        set.insert("steps".to_string(), Json::from(5));
        set.insert("replicates".to_string(), Json::from(3));
        set.insert("world.regions".to_string(), Json::from(3));
        set.insert("enterprises.per_region".to_string(), Json::from(20));
        set.insert("public.per_region".to_string(), Json::from(60));
        Settings {
            preset: preset.into(),
            set,
        }
    }

    fn pool() -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
    }

    #[test]
    fn streamed_months_are_the_runs_records_for_scenario_and_baseline() {
        let presets = Presets::new(None).unwrap();
        let params = resolve(&presets, &small("coordinated")).unwrap();
        assert_eq!(params.name, "coordinated-explored");
        let settings = small("coordinated");
        let base = paired_with(
            &presets.get("fragmented").unwrap().params,
            &settings,
            &params,
        )
        .unwrap();
        assert_eq!(base.world.regions, 3);
        let mut frames = Vec::new();
        let ended = stream(
            &pool(),
            &params,
            &base,
            1,
            &Gate::new(false),
            &|| true,
            |f| {
                frames.push(f);
                true
            },
        )
        .unwrap();
        assert!(matches!(ended, Ended::Done(ref d) if d.months == 5 && d.readings.len() == 3));
        assert_eq!(frames.len(), 5);
        for (p, side) in [(&params, 0), (&base, 1)] {
            let run = run_scenario(p, &|_| {}).unwrap();
            for (m, frame) in frames.iter().enumerate() {
                let month = if side == 0 {
                    &frame.scenario
                } else {
                    &frame.baseline
                };
                for i in CHARTED {
                    let expected: Vec<f64> =
                        run.replicates.iter().map(|r| r.steps[m].get(i)).collect();
                    assert_eq!(
                        month.values[i.name()],
                        expected,
                        "{} month {}",
                        i.name(),
                        m + 1
                    );
                }
                assert_eq!(month.stock.len(), 3);
            }
        }
        // The baseline differs from the scenario, so the comparison is not of a run with itself.
        assert_ne!(
            frames[4].scenario.values["pollution_mean"],
            frames[4].baseline.values["pollution_mean"]
        );
        assert_eq!(frames[0].agents.region, 1);
        assert_eq!(frames[0].agents.enterprises.len(), 20);
        assert_eq!(frames[0].agents.residents.len(), 60);
    }

    #[test]
    fn a_paused_run_advances_one_month_per_step_and_stops_when_cancelled() {
        let presets = Presets::new(None).unwrap();
        let params = resolve(&presets, &small("fragmented")).unwrap();
        let gate = std::sync::Arc::new(Gate::new(true));
        let months = std::sync::Arc::new(Mutex::new(Vec::new()));
        let (g, m) = (gate.clone(), months.clone());
        let worker = std::thread::spawn(move || {
            stream(&pool(), &params, &params, 0, &g, &|| true, |f| {
                m.lock().unwrap().push(f.month);
                true
            })
            .unwrap()
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(months.lock().unwrap().is_empty(), "a paused run stepped");
        gate.step();
        gate.step();
        let waited = std::time::Instant::now();
        while months.lock().unwrap().len() < 2 && waited.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(*months.lock().unwrap(), vec![1, 2]);
        gate.cancel();
        assert!(matches!(worker.join().unwrap(), Ended::Stopped));
    }

    #[test]
    fn page_values_are_validated_like_a_file_and_paths_are_not_presets() {
        let presets = Presets::new(None).unwrap();
        let mut bad = small("fragmented");
        bad.set.insert("law.fine".into(), Json::from(-1.0));
        let e = resolve(&presets, &bad).unwrap_err().to_string();
        assert!(
            e.contains("the page") && e.contains("law.fine") && e.contains("-1"),
            "{e}"
        );
        let mut unknown = small("fragmented");
        unknown.set.insert("law.fines".into(), Json::from(1.0));
        let e = resolve(&presets, &unknown).unwrap_err().to_string();
        assert!(e.contains("law.fines"), "{e}");
        for name in [
            "../scenarios/fragmented.toml",
            "/etc/passwd",
            "fragmented.toml",
        ] {
            let e = resolve(
                &presets,
                &Settings {
                    preset: name.into(),
                    set: BTreeMap::new(),
                },
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains("preset") && e.contains("one of"), "{e}");
        }
        let mut huge = small("fragmented");
        huge.set
            .insert("public.per_region".into(), Json::from(2_000_000));
        huge.set.insert("steps".into(), Json::from(600));
        let e = resolve(&presets, &huge).unwrap_err().to_string();
        assert!(e.contains("agent-steps") || e.contains("hold"), "{e}");
    }

    #[test]
    fn the_downloaded_csv_is_the_bytes_cogov_run_writes() {
        let presets = Presets::new(None).unwrap();
        let params = resolve(&presets, &small("china-2020")).unwrap();
        let csv = timeseries_csv(&pool(), &params).unwrap();
        let run = run_scenario(&params, &|_| {}).unwrap();
        let header = csv.lines().next().unwrap();
        assert_eq!(
            header.split(',').count(),
            tables::timeseries_columns().len()
        );
        assert_eq!(csv.lines().count(), 1 + 3 * 5);
        let col = header
            .split(',')
            .position(|c| c == "pollution_mean")
            .unwrap();
        let last: f64 = csv
            .lines()
            .last()
            .unwrap()
            .split(',')
            .nth(col)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            last,
            run.replicates[2].steps[4].get(Indicator::PollutionMean)
        );
    }
}
