//! The governance model: one [`World`] per replicate, advanced one month at a time by its schedule
//! (`world.rs`, `docs/MODEL.md` §3). Each mechanism lives in its own file, with the
//! `docs/MODEL.md` section it implements: pollution transport (`pollution.rs`), enterprise decisions
//! (`enterprise.rs`), inspections and routing (`inspection.rs`), each region's policy (`policy.rs`),
//! complaints (`complaints.rs`), the public (`public.rs`) on its social network (`network.rs`),
//! central inspections (`central.rs`), river chiefs (`chief.rs`), the cadre evaluation
//! (`cadre.rs`), local governments and feedback (`local.rs`), compensation (`compensation.rs`),
//! targets (`targets.rs`), money (`money.rs`, `ledger.rs`), initialisation (`init.rs`) and
//! observation (`observe.rs`).
//!
//! Agents of a family are stepped in fixed-size chunks, each with its own random stream, so results
//! do not depend on the number of threads.

pub mod cadre;
pub mod central;
pub mod chief;
pub mod compensation;
pub mod complaints;
pub mod enterprise;
pub mod history;
mod init;
pub mod inspection;
pub mod ledger;
pub mod local;
pub mod money;
pub mod network;
pub mod observe;
pub mod orders;
pub mod policy;
pub mod pollution;
pub mod public;
pub mod run;
pub mod size;
pub mod targets;
mod world;

pub use run::{AgentCounts, ReplicateOutput, ScenarioRun, run_scenario, run_scenario_until};
pub use world::{Broken, World};

/// Enterprises per random-stream chunk.
pub const ENTERPRISE_CHUNK: usize = 1024;
/// Residents per random-stream chunk.
pub const PUBLIC_CHUNK: usize = 4096;
