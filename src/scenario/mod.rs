//! Scenario files: the raw TOML structures, their defaults, and the path from a file on disk to the
//! immutable, validated [`Params`] the model reads.
//!
//! Stages (`docs/MODEL.md` §6 "Input data" and §5 "Initialization"): `load` reads a file and its `extends` chain into one
//! TOML table while remembering which file set every key; `--set` overrides go on top; `schema` checks
//! every key and type against the defaults below; serde turns the table into [`Scenario`]; `validate`
//! checks every key against the parameter registry (`registry`) and yields the typed [`Params`].
//! Defaults describe today's *fragmented* arrangements; `scenarios/coordinated.toml` switches the nine
//! levers. Each key's unit, ranges, lever, source and meaning are in the registry, from which the
//! parameter table of `docs/MODEL.md` is generated.

mod load;
pub mod params;
mod provenance;
mod raw;
pub mod registry;
pub mod schema;
pub mod shipped;
mod validate;

pub(crate) use load::read_chain;
#[cfg(test)]
pub(crate) use load::test_params;
pub use load::{MAX_FILE_BYTES, read_text};
pub use load::{ScenarioSource, load_scenario, resolve_embedded, resolve_str, with_overrides};
pub use params::{
    Allocation, BoundaryIndex, CompensationUse, CooperationMode, DailyPenaltyFor, Decomposition,
    FeedbackMode, LawParams, Management, Params, ResponsibilityMode, Scheme, Sharing, TargetKind,
    Targeting, Topology,
};
pub use raw::*;
pub use validate::{MAX_AGENTS, MAX_PRICED_MATRIX, plain_name};

use std::path::PathBuf;

/// The shipped scenarios, experiments and games: `scenarios/` in the current directory (the
/// repository root). Commands that use them (`compare` without files, `reproduce`, `validate`) need it
/// there; nothing falls back to the directory the binary was built in.
pub fn shipped_dir() -> Result<PathBuf, crate::error::InputError> {
    let dir = PathBuf::from("scenarios");
    if dir.is_dir() {
        Ok(dir)
    } else {
        let here = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| ".".into());
        Err(crate::error::InputError::Usage(format!(
            "no scenarios/ directory in {here}: run this command from the repository root, where the \
             shipped scenarios are (or give scenario files, for run and compare)"
        )))
    }
}
