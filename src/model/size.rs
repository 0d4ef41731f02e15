//! How much memory a run needs, estimated before any work starts, so that a too-large request is
//! refused with a clear message (`engine::memory::check`) instead of being killed halfway through.

use super::enterprise::Enterprise;
use super::network::{CHUNK_LIST_BYTES, LINK_BYTES, LISTED_LINKS};
use super::observe::{Indicator, RegionRecord, StepRecord};
use super::{ENTERPRISE_CHUNK, PUBLIC_CHUNK};
use crate::engine::Model;
use crate::scenario::{Params, Topology};

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
        + rewired_link_bytes(p)
        + chunks * 128
        + regions * (1024 + u64::from(s.monitoring.latency) * 8)
        + damage_matrix
}

/// Bytes of the listed rewired links (`network.rs`): β of each resident's links, 2% over the
/// expectation (at 40,000 residents the count's standard deviation is 0.5% of it), and one entry
/// per chunk.
fn rewired_link_bytes(p: &Params) -> u64 {
    let n = u64::from(p.public.per_region);
    let links = u64::from(p.public.neighbors);
    if links > u64::from(LISTED_LINKS) || n <= links {
        return 0;
    }
    let residents = u64::from(p.world.regions) * n;
    let expected = residents as f64 * links as f64 * p.public.rewiring.clamp(0.0, 1.0);
    let chunks = u64::from(p.world.regions) * n.div_ceil(PUBLIC_CHUNK as u64);
    (1.02 * expected) as u64 * LINK_BYTES + chunks * CHUNK_LIST_BYTES
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
        .map(|p| u64::from(p.replicates) * p.world_bytes())
        .max()
        .unwrap_or(0);
    worlds + scenarios.iter().map(|p| record_bytes(p)).sum::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::resolve_str;

    #[test]
    fn the_estimate_covers_the_arrays_a_world_holds_within_ten_percent() {
        for sets in [
            vec!["public.per_region=20000".to_string()],
            vec!["public.neighbors=10".into()],
            vec!["public.neighbors=16".into(), "public.rewiring=0.5".into()],
            vec!["public.neighbors=18".into()],
            vec![
                "enterprises.per_region=5000".into(),
                "public.per_region=0".into(),
            ],
        ] {
            let p = resolve_str("", "s", &sets).unwrap();
            let held = crate::model::World::new(&p, 0).agent_state_bytes();
            let estimate = world_bytes(&p);
            assert!(
                estimate >= held && (estimate as f64) < 1.1 * held as f64,
                "{sets:?}: estimate {estimate} B for {held} B held"
            );
        }
    }

    #[test]
    fn estimate_grows_with_agents_and_replicates() {
        // 250 enterprises a region, so that residents dominate the bytes.
        let few = "enterprises.per_region=250".to_string();
        let small = resolve_str("", "s", std::slice::from_ref(&few)).unwrap();
        let big = resolve_str(
            "",
            "b",
            &[
                few,
                "public.per_region=50000".into(),
                "replicates=40".into(),
            ],
        )
        .unwrap();
        // Ten times the residents, who dominate a world's bytes: between 8 and 10 times the bytes.
        let ratio = world_bytes(&big) as f64 / world_bytes(&small) as f64;
        assert!((8.0..10.0).contains(&ratio), "{ratio}");
        // Twice the replicates (all built at once) of ~9× larger worlds, plus records that only double.
        assert!(run_bytes(&[&big]) > 10 * run_bytes(&[&small]));
        // 8 regions × 250 enterprises × 28 B + 8 × 5000 residents × (9 B + 0.3 links × 6 B)
        // ≈ 0.49 MB per world.
        let w = world_bytes(&small);
        assert!((400_000..600_000).contains(&w), "{w}");
    }
}
