//! Seconds per month of one world on 1 and on 2 threads, each on a fresh pool and world: the
//! harness behind the alternating pairs of BENCHMARKS.md ("Fifth pass"). Coordinated scenario,
//! one enterprise per ten residents, as in the scaling bench.
//! Run: `cargo bench --bench month -- 5` (10⁵ agents; any exponents 3–7, default 4 and 5), or
//! `-- 25000x1250000` for a world of 25,000 enterprises and 1,250,000 residents per region (the
//! step bench's largest).
//! Between two builds, run it in each tree in turn and compare the medians pair by pair.

use std::path::Path;
use std::time::Instant;

use cogov::model::World;
use cogov::scenario::load_scenario;

/// Months measured after two to warm up.
const MONTHS: usize = 1000;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and test harness probes
    }
    // Enterprises and residents per region, from "EXPONENT" or "ENTERPRISESxRESIDENTS".
    let size = |a: &str| match a.split_once('x') {
        Some((e, r)) => Some((e.parse().ok()?, r.parse().ok()?)),
        None => {
            let exponent: u32 = a.parse().ok().filter(|e| (3..=7).contains(e))?;
            let per_region = 10u64.pow(exponent) / 8;
            let enterprises = (per_region / 11).max(1);
            Some((enterprises, per_region - enterprises))
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes: Vec<(u64, u64)> = args.iter().filter_map(|a| size(a)).collect();
    if sizes.is_empty() {
        sizes = ["4", "5"].into_iter().filter_map(size).collect();
    }
    for (enterprises, residents) in sizes {
        let per_region = enterprises + residents;
        let sets = [
            format!("enterprises.per_region={enterprises}"),
            format!("public.per_region={residents}"),
        ];
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/coordinated.toml");
        let p = load_scenario(&path, &sets)
            .expect("shipped scenario loads")
            .params;
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("threads start");
            let (agents, median) = pool.install(|| {
                let mut world = World::new(&p, 0);
                for _ in 0..2 {
                    world.step().expect("invariants hold");
                }
                let mut months: Vec<f64> = (0..MONTHS.min(20_000_000 / per_region as usize).max(5))
                    .map(|_| {
                        let t = Instant::now();
                        world.step().expect("invariants hold");
                        t.elapsed().as_secs_f64()
                    })
                    .collect();
                months.sort_by(f64::total_cmp);
                let (e, r, l, d) = world.agent_counts();
                (e + r + l + d, months[months.len() / 2])
            });
            println!(
                "{agents} agents, {threads} thread(s): {:.1} µs a month (median)",
                median * 1e6
            );
        }
    }
}
