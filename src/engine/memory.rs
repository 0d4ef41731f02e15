//! Memory estimates, checked before any work starts, so that a too-large request is refused with a
//! clear message instead of being killed for lack of memory halfway through.

use crate::error::InputError;
use crate::model::enterprise::Enterprise;
use crate::model::observe::{Indicator, RegionRecord, StepRecord};
use crate::model::{ENTERPRISE_CHUNK, PUBLIC_CHUNK};
use crate::scenario::Params;
use crate::scenario::Topology;

/// Bytes of state of one resident: awareness, its update buffer, education.
const RESIDENT_BYTES: u64 = 4 + 4 + 1;
/// Bytes of one CSV row per column (shortest round-trip floats are at most ~24 characters).
const CSV_BYTES_PER_VALUE: u64 = 24;

/// Peak bytes one world (one replicate) holds.
pub fn world_bytes(p: &Params) -> u64 {
    let s = &p;
    let regions = u64::from(s.world.regions);
    let enterprises = regions * u64::from(s.enterprises.per_region);
    let residents = regions * u64::from(s.public.per_region);
    let chunks =
        enterprises.div_ceil(ENTERPRISE_CHUNK as u64) + residents.div_ceil(PUBLIC_CHUNK as u64);
    // Cost-benefit caps and Pigou payments on a matrix basin keep a dense damage matrix G, built from
    // a working copy of the same size (`pollution::Residence`).
    let damage_matrix = if p.prices_damage() && matches!(p.world.topology, Topology::Matrix(_)) {
        2 * regions * regions * 8
    } else {
        0
    };
    enterprises * std::mem::size_of::<Enterprise>() as u64
        + residents * RESIDENT_BYTES
        + chunks * 128
        + regions * (1024 + u64::from(s.monitoring.latency) * 8)
        + damage_matrix
}

/// Bytes the records and CSV text of a run take.
pub fn record_bytes(p: &Params) -> u64 {
    let s = &p;
    let rows = u64::from(s.replicates) * u64::from(s.steps);
    let columns = Indicator::ALL.len() as u64;
    let mut bytes =
        rows * (std::mem::size_of::<StepRecord>() as u64 + columns * CSV_BYTES_PER_VALUE);
    if s.output.regions {
        let region_rows = rows * u64::from(s.world.regions);
        bytes += region_rows
            * (std::mem::size_of::<RegionRecord>() as u64
                + RegionRecord::COLUMNS.len() as u64 * CSV_BYTES_PER_VALUE);
    }
    bytes
}

/// Peak bytes of `cogov run`/`compare` for these scenarios: all replicates' worlds of the largest
/// scenario at once (they are built together), plus every scenario's records.
pub fn run_bytes(scenarios: &[&Params]) -> u64 {
    let worlds = scenarios
        .iter()
        .map(|p| u64::from(p.replicates) * world_bytes(p))
        .max()
        .unwrap_or(0);
    worlds + scenarios.iter().map(|p| record_bytes(p)).sum::<u64>()
}

/// Memory the system can give us now (Linux `MemAvailable`), if known.
pub fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn human(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    if bytes as f64 >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Refuse an estimate above 90% of available memory, unless `allow` (`--allow-large-memory`).
pub fn check(estimate: u64, what: &str, allow: bool) -> Result<(), InputError> {
    let Some(free) = available() else {
        return Ok(());
    };
    if allow || estimate <= free / 10 * 9 {
        return Ok(());
    }
    Err(InputError::Usage(format!(
        "{what} needs about {} of memory but {} is available; use fewer agents (enterprises.per_region, \
         public.per_region, world.regions), fewer replicates, or no regions.csv, or pass \
         --allow-large-memory to try anyway",
        human(estimate),
        human(free)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::resolve_str;

    #[test]
    fn estimate_grows_with_agents_and_replicates() {
        let small = resolve_str("", "s", &[]).unwrap();
        let big = resolve_str(
            "",
            "b",
            &["public.per_region=50000".into(), "replicates=40".into()],
        )
        .unwrap();
        // Ten times the residents, who dominate a world's bytes: between 8 and 10 times the bytes.
        let ratio = world_bytes(&big) as f64 / world_bytes(&small) as f64;
        assert!((8.0..10.0).contains(&ratio), "{ratio}");
        // Twice the replicates (all built at once) of ~9× larger worlds, plus records that only double.
        assert!(run_bytes(&[&big]) > 10 * run_bytes(&[&small]));
        // 8 regions × 250 enterprises × 28 B + 8 × 5000 residents × 9 B ≈ 0.4 MB per world.
        let w = world_bytes(&small);
        assert!((400_000..600_000).contains(&w), "{w}");
    }

    #[test]
    fn a_request_far_beyond_the_machine_is_refused_with_advice() {
        if available().is_none() {
            return;
        }
        let e = check(u64::MAX / 2, "this run", false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--allow-large-memory") && e.contains("public.per_region"),
            "{e}"
        );
        assert!(check(u64::MAX / 2, "this run", true).is_ok());
        assert!(check(1024, "this run", false).is_ok());
    }
}
