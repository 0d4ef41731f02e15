//! The governance model as the engine runs it: [`Params`] makes one [`World`] per replicate, and
//! [`run_scenario`] keeps every step's record (and each region's, when `output.regions` asks).

use std::sync::atomic::AtomicBool;

use super::World;
use super::observe::{RegionRecord, StepRecord};
use crate::engine::{self, Model, Observer, Stepper};
use crate::error::{Error, Result};
use crate::scenario::Params;

impl Model for Params {
    type World<'m> = World<'m>;

    fn world(&self, replicate: u32) -> World<'_> {
        World::new(self, replicate)
    }

    fn steps(&self) -> u32 {
        self.steps
    }

    fn replicates(&self) -> u32 {
        self.replicates
    }

    fn world_bytes(&self) -> u64 {
        super::size::world_bytes(self)
    }
}

impl Stepper for World<'_> {
    type Record = StepRecord;
    type Error = super::world::Broken;

    fn step(&mut self) -> std::result::Result<StepRecord, Self::Error> {
        World::step(self)
    }
}

/// Agents per family in one replicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentCounts {
    pub central_government: usize,
    pub provincial_government: usize,
    pub local_governments: usize,
    pub departments: usize,
    pub enterprises: usize,
    pub public: usize,
    /// NGOs are modelled as a monitoring and campaigning capacity per region, one per region.
    pub ngos: usize,
}

impl AgentCounts {
    /// Agents stepped every month (enterprises, residents, governments, departments).
    pub fn stepped(&self) -> usize {
        self.enterprises + self.public + self.local_governments + self.departments
    }
}

/// Records of one replicate.
#[derive(Debug, Clone, Default)]
pub struct ReplicateOutput {
    pub steps: Vec<StepRecord>,
    /// Per step, per region (empty unless `output.regions`).
    pub regions: Vec<Vec<RegionRecord>>,
}

/// Keeps every step's record, and the regions' when asked.
struct KeepRecords {
    out: ReplicateOutput,
    regions: bool,
}

impl<'p> Observer<World<'p>> for KeepRecords {
    type Output = ReplicateOutput;

    fn observe(&mut self, world: &World<'p>, _step: u32, record: StepRecord) {
        self.out.steps.push(record);
        if self.regions {
            self.out.regions.push(world.region_records.clone());
        }
    }

    fn finish(self) -> ReplicateOutput {
        self.out
    }
}

/// All replicates of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    pub params: Params,
    pub replicates: Vec<ReplicateOutput>,
    pub agents: AgentCounts,
    pub init_seconds: f64,
    pub run_seconds: f64,
}

/// Run every replicate of `params`; `progress(n)` is told whenever n more replicate-steps are done.
pub fn run_scenario(params: &Params, progress: &(dyn Fn(u64) + Sync)) -> Result<ScenarioRun> {
    run_scenario_until(params, progress, &engine::NEVER)
}

/// [`run_scenario`], ending with [`Error::Stopped`] once `stop` is set (checked before every step).
pub fn run_scenario_until(
    params: &Params,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Result<ScenarioRun> {
    let run = engine::run_replicates_until(
        params,
        progress,
        |_| KeepRecords {
            out: ReplicateOutput {
                steps: Vec::with_capacity(params.steps as usize),
                regions: Vec::new(),
            },
            regions: params.output.regions,
        },
        stop,
    )
    .map_err(|e| match e {
        Error::Invariant(m) => Error::Invariant(format!("scenario `{}`, {m}", params.name)),
        other => other,
    })?;
    Ok(ScenarioRun {
        params: params.clone(),
        replicates: run.outputs,
        agents: agent_counts(params),
        init_seconds: run.init_seconds,
        run_seconds: run.run_seconds,
    })
}

/// Agents per family of one replicate of `p`.
pub fn agent_counts(p: &Params) -> AgentCounts {
    let regions = p.world.regions as usize;
    AgentCounts {
        central_government: 1,
        provincial_government: 1,
        local_governments: regions,
        departments: regions * p.departments(),
        enterprises: regions * p.enterprises.per_region as usize,
        public: regions * p.public.per_region as usize,
        ngos: regions,
    }
}

/// A sweep's run: each kept indicator's mean over the final window.
pub struct WindowMeans {
    indicators: Vec<super::observe::Indicator>,
    from: u32,
    sums: Vec<f64>,
    window: u32,
}

impl WindowMeans {
    pub fn new(p: &Params, indicators: &[super::observe::Indicator]) -> Self {
        let window = p.output.window.min(p.steps);
        WindowMeans {
            indicators: indicators.to_vec(),
            from: p.steps - window,
            sums: vec![0.0; indicators.len()],
            window,
        }
    }
}

impl<'p> Observer<World<'p>> for WindowMeans {
    type Output = Vec<f64>;

    fn observe(&mut self, _world: &World<'p>, step: u32, record: StepRecord) {
        if step >= self.from {
            for (s, &i) in self.sums.iter_mut().zip(&self.indicators) {
                *s += record.get(i);
            }
        }
    }

    fn finish(self) -> Vec<f64> {
        let window = f64::from(self.window);
        self.sums.into_iter().map(|s| s / window).collect()
    }
}
