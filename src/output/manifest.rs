//! `manifest.json`: what was run, with what, and the hash of every output (BRIEF §6).

use std::collections::BTreeMap;
use std::process::Command;

use serde::Serialize;

use super::sha256_hex;
use crate::engine::{AgentCounts, ScenarioRun};

#[derive(Debug, Serialize)]
pub struct ScenarioEntry {
    pub name: String,
    pub file: Option<String>,
    pub sha256: String,
    /// The fully resolved scenario, as `cogov check` prints it.
    pub resolved: String,
}

#[derive(Debug, Serialize)]
pub struct Timing {
    pub init_seconds: f64,
    pub run_seconds: f64,
    pub output_seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub cogov_version: &'static str,
    pub git_commit: Option<String>,
    pub command: String,
    pub scenarios: Vec<ScenarioEntry>,
    pub seed: u64,
    pub replicates: u32,
    pub steps: u32,
    pub threads: usize,
    pub agents: BTreeMap<String, AgentCounts>,
    pub timing: Timing,
    pub outputs: BTreeMap<String, String>,
}

impl Manifest {
    pub fn new(
        command: &str,
        runs: &[ScenarioRun],
        files: &[Option<String>],
        threads: usize,
    ) -> Self {
        let first = &runs[0].params.s;
        Manifest {
            cogov_version: env!("CARGO_PKG_VERSION"),
            git_commit: git_commit(),
            command: command.into(),
            scenarios: runs
                .iter()
                .zip(files)
                .map(|(run, file)| {
                    let resolved = run.params.to_toml();
                    ScenarioEntry {
                        name: run.params.name().into(),
                        file: file.clone(),
                        sha256: sha256_hex(resolved.as_bytes()),
                        resolved,
                    }
                })
                .collect(),
            seed: first.seed,
            replicates: first.replicates,
            steps: first.steps,
            threads,
            agents: runs
                .iter()
                .map(|r| (r.params.name().to_string(), r.agents))
                .collect(),
            timing: Timing {
                init_seconds: runs.iter().map(|r| r.init_seconds).sum(),
                run_seconds: runs.iter().map(|r| r.run_seconds).sum(),
                output_seconds: 0.0,
            },
            outputs: BTreeMap::new(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the manifest serializes") + "\n"
    }
}

/// The commit of the source tree this binary was built from, when it is a git checkout.
pub(crate) fn git_commit() -> Option<String> {
    let out = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}
