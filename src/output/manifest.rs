//! `manifest.json`, the record of how an output directory was made: the build (version, the commit
//! embedded at build time and whether the compiled sources differed from it), what was run (resolved
//! scenarios, experiment or game, `--set` overrides, input files), its size (seed, steps, replicates,
//! threads), timing, and the SHA-256 of every other file in the directory. Every command writes one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::dir::sha256_hex;
use crate::error::{Error, Result};
use crate::model::AgentCounts;

/// The largest manifest read back: one lists a hash per output file, a few kilobytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// The build this binary is: fixed when it was compiled (`build.rs`), so a copy on a machine
/// without git still knows its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Build {
    pub version: &'static str,
    pub commit: Option<&'static str>,
    pub dirty: Option<bool>,
}

pub const BUILD: Build = Build {
    version: env!("CARGO_PKG_VERSION"),
    commit: non_empty(env!("COGOV_GIT_COMMIT")),
    dirty: match env!("COGOV_GIT_DIRTY").as_bytes() {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => None,
    },
};

const fn non_empty(s: &'static str) -> Option<&'static str> {
    if s.is_empty() { None } else { Some(s) }
}

/// A scenario as it was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEntry {
    pub name: String,
    pub file: Option<String>,
    pub sha256: String,
    /// The fully resolved scenario, as `cogov check` prints it.
    pub resolved: String,
}

impl ScenarioEntry {
    pub fn new(name: &str, file: Option<&Path>, resolved: String) -> Self {
        ScenarioEntry {
            name: name.into(),
            file: file.map(|p| p.display().to_string()),
            sha256: sha256_hex(resolved.as_bytes()),
            resolved,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_seconds: Option<f64>,
    #[serde(default)]
    pub output_seconds: f64,
    /// The memory estimate checked before the run (bytes), and the process's peak resident set
    /// size when the manifest was written (Linux), to compare the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_estimate_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
}

/// When `cogov plot` redrew figures of the directory, and with which build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redrawn {
    pub cogov_version: String,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    pub files: Vec<String>,
}

impl Redrawn {
    /// A redraw of `files` by this build.
    pub fn now(files: Vec<String>) -> Self {
        Redrawn {
            cogov_version: BUILD.version.into(),
            git_commit: BUILD.commit.map(str::to_string),
            git_dirty: BUILD.dirty,
            files,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub cogov_version: String,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    pub command: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioEntry>,
    /// An experiment (`sweep`, `merge`) or a game (`game`): name, file and resolved text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ScenarioEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game: Option<ScenarioEntry>,
    /// The `--set` overrides, as given.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// Input files read (`reproduce`, `validate`): path → SHA-256 of its bytes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    pub threads: usize,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub agents: BTreeMap<String, AgentCounts>,
    /// Command-specific facts (a sweep's design and shard, merge's shard directories).
    #[serde(default, flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub timing: Timing,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redrawn: Vec<Redrawn>,
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
}

impl Manifest {
    /// A manifest of `command` by this build, with nothing run yet.
    pub fn new(command: &str, threads: usize) -> Self {
        Manifest {
            cogov_version: BUILD.version.into(),
            git_commit: BUILD.commit.map(str::to_string),
            git_dirty: BUILD.dirty,
            command: command.into(),
            threads,
            ..Manifest::default()
        }
    }

    /// The manifest of an existing output directory (a regular file of at most
    /// [`MAX_MANIFEST_BYTES`]; anything else counts as none).
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(super::dir::MANIFEST);
        let Ok(text) = crate::files::read_regular(&path, MAX_MANIFEST_BYTES) else {
            return Ok(None);
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            crate::InputError::Data {
                file: path.display().to_string(),
                line: e.line() as u64,
                reason: format!("not a cogov manifest: {e}"),
            }
            .into()
        })
    }

    /// The manifest of an existing output directory; one an earlier version wrote, or none, is kept
    /// whole under `earlier_manifest` in a new one.
    pub fn read_or_wrap(dir: &Path) -> Result<Manifest> {
        if let Ok(Some(m)) = Manifest::read(dir) {
            return Ok(m);
        }
        let mut m = Manifest::new("unknown", 0);
        let path = dir.join(super::dir::MANIFEST);
        if let Some(earlier) = crate::files::read_regular(&path, MAX_MANIFEST_BYTES)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        {
            if let Some(command) = earlier["command"].as_str() {
                m.command = command.into();
            }
            m.detail("earlier_manifest", earlier);
        }
        Ok(m)
    }

    /// A detail of this command (see [`Manifest::details`]).
    pub fn detail(&mut self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).expect("details serialize");
        self.details.insert(key.into(), value);
    }

    /// The JSON text with `outputs` set to `hashes`.
    pub fn to_json(&mut self, hashes: BTreeMap<String, String>) -> String {
        self.outputs = hashes;
        serde_json::to_string_pretty(self).expect("the manifest serializes") + "\n"
    }
}

/// SHA-256 of every file under `dir`, by path relative to `root` ('/'-separated): the inputs a
/// command read from the shipped scenario tree.
pub fn hash_inputs(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            hash_inputs(root, &path, out)?;
        } else {
            hash_input(root, &path, out)?;
        }
    }
    Ok(())
}

/// Hash one input file into `out`, keyed by its path relative to `root` with `/` separators.
pub fn hash_input(root: &Path, path: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let relative = path.strip_prefix(root).unwrap_or(path);
    let key = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    out.insert(key, sha256_hex(&bytes));
    Ok(())
}
