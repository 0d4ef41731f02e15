//! The engine: deterministic random streams and the replicate runner. It schedules worlds on threads
//! but knows nothing of what they contain beyond stepping them and collecting their records.

pub mod memory;
pub mod rng;

use std::time::Instant;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::World;
use crate::model::observe::{RegionRecord, StepRecord};
use crate::scenario::Params;

/// Records of one replicate.
#[derive(Debug, Clone)]
pub struct ReplicateOutput {
    pub steps: Vec<StepRecord>,
    /// Per step, per region (empty unless `output.regions`).
    pub regions: Vec<Vec<RegionRecord>>,
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
    let s = &params;
    let started = Instant::now();
    let mut worlds: Vec<World> = (0..s.replicates)
        .into_par_iter()
        .map(|r| World::new(params, r))
        .collect();
    let init_seconds = started.elapsed().as_secs_f64();
    let (enterprises, public, locals, departments) = worlds[0].agent_counts();
    let agents = AgentCounts {
        central_government: 1,
        provincial_government: 1,
        local_governments: locals,
        departments,
        enterprises,
        public,
        ngos: locals,
    };
    let record_regions = s.output.regions;
    let started = Instant::now();
    let replicates = worlds
        .par_iter_mut()
        .enumerate()
        .map(|(r, world)| {
            let mut out = ReplicateOutput {
                steps: Vec::with_capacity(s.steps as usize),
                regions: Vec::new(),
            };
            for _ in 0..s.steps {
                let record = world.step().map_err(|e| {
                    Error::Invariant(format!("scenario `{}`, replicate {r}: {e}", s.name))
                })?;
                out.steps.push(record);
                if record_regions {
                    out.regions.push(world.region_records.clone());
                }
                progress(1);
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ScenarioRun {
        params: params.clone(),
        replicates,
        agents,
        init_seconds,
        run_seconds: started.elapsed().as_secs_f64(),
    })
}
