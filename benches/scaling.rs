//! Time per step against the number of agents (10^3 to 10^7), on 1 and 2 threads. Writes
//! `output/bench/scaling/` (the table `scaling.csv`, the figure `scaling.png` / `.svg` and a
//! manifest) and copies the table and figure into `docs/figures/`.
//! Run: `cargo bench --bench scaling` (about a minute on 2 cores).
//!
//! On a shared machine a neighbour's load can come and go within a second, so one thread count
//! measured after the other can differ by the load alone. Each size is therefore measured in
//! rounds, one thread then two, each on a world of its own (the two built alike and stepped the
//! same months), and the speed-up is the median of the rounds' ratios (its lowest and highest
//! beside it); the times are the medians over the rounds.

use std::path::Path;
use std::time::Instant;

use cogov::model::World;
use cogov::output::{Manifest, OutputDir, Table};
use cogov::plot::{Line, log_log_figure};
use cogov::scenario::load_scenario;

/// Coordinated scenario with `agents` agents in 8 regions, 10 residents per enterprise.
fn params(agents: u64) -> cogov::scenario::Params {
    let per_region = agents / 8;
    let enterprises = (per_region / 11).max(1);
    let sets = vec![
        format!("enterprises.per_region={enterprises}"),
        format!("public.per_region={}", per_region - enterprises),
    ];
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/coordinated.toml");
    load_scenario(&path, &sets)
        .expect("shipped scenario loads")
        .params
}

/// Rounds of one thread then two per size.
const ROUNDS: usize = 7;

/// Median seconds per step over `steps` steps, after `steps / 4` (at least 2) to warm up.
fn seconds_per_step(world: &mut World, steps: usize) -> f64 {
    for _ in 0..(steps / 4).max(2) {
        world.step().expect("invariants hold");
    }
    let mut samples: Vec<f64> = (0..steps)
        .map(|_| {
            let t = Instant::now();
            world.step().expect("invariants hold");
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(&mut samples)
}

/// The median of `xs`, which it sorts.
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and test harness probes
    }
    let mut table = Table::new(&[
        "threads",
        "agents",
        "seconds_per_step",
        "ns_per_agent_step",
        "agent_steps_per_second",
        "speed_up",
        "speed_up_lowest",
        "speed_up_highest",
    ]);
    let pools = [1usize, 2].map(|threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("threads start")
    });
    let mut points = [Vec::new(), Vec::new()];
    let mut rows = [Vec::new(), Vec::new()];
    for exponent in 3..=7 {
        let p = params(10u64.pow(exponent));
        // One world per thread count, built alike and stepped the same number of months each
        // round, so both measure the same months. (Stepping one world on both pools in turn
        // made the two-thread steps of the smallest worlds up to twice as slow as on a pool of
        // their own.)
        let mut worlds = [0, 1].map(|i| pools[i].install(|| World::new(&p, 0)));
        let (e, r, l, d) = worlds[0].agent_counts();
        let agents = (e + r + l + d) as f64;
        // About 0.15 s a measurement on one thread, at least 5 steps.
        let first = pools[0].install(|| seconds_per_step(&mut worlds[0], 1));
        let steps = ((0.15 / first).ceil() as usize).clamp(5, 20_000);
        pools[1].install(|| seconds_per_step(&mut worlds[1], 1));
        let mut seconds = [Vec::new(), Vec::new()];
        let mut ratios = Vec::new();
        for _ in 0..ROUNDS {
            let round =
                [0, 1].map(|i| pools[i].install(|| seconds_per_step(&mut worlds[i], steps)));
            seconds[0].push(round[0]);
            seconds[1].push(round[1]);
            ratios.push(round[0] / round[1]);
        }
        let ratio = median(&mut ratios);
        let (lowest, highest) = (ratios[0], ratios[ROUNDS - 1]);
        for (i, seconds) in seconds.iter_mut().enumerate() {
            let threads = i + 1;
            let seconds = median(seconds);
            let ns = seconds * 1e9 / agents;
            println!(
                "{threads} thread(s), {agents:>9} agents: {:.3} ms/step, {ns:.2} ns/agent-step, {:.1} M agent-steps/s",
                seconds * 1e3,
                agents / seconds / 1e6
            );
            let speed_up = if threads == 1 {
                [1.0; 3]
            } else {
                [ratio, lowest, highest]
            };
            rows[i].push(
                [threads as f64, agents, seconds, ns, agents / seconds]
                    .into_iter()
                    .chain(speed_up)
                    .map(cogov::output::Cell::Num)
                    .collect::<Vec<_>>(),
            );
            points[i].push((agents, seconds));
        }
        println!("  speed-up {ratio:.2}× (rounds {lowest:.2}–{highest:.2}×)");
    }
    for row in rows.into_iter().flatten() {
        table.push(row);
    }
    let lines: Vec<Line> = points
        .into_iter()
        .enumerate()
        .map(|(i, points)| Line {
            name: format!("{} thread{}", i + 1, if i > 0 { "s" } else { "" }),
            points,
        })
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = OutputDir::create(&root.join("output/bench/scaling"), true)
        .expect("output/bench/scaling is writable");
    out.write_table("scaling", &table)
        .expect("write scaling.csv");
    log_log_figure(
        &mut out,
        "scaling",
        "cogov: time per step against agents (coordinated scenario)",
        (
            "agents (enterprises + residents + governments)",
            "seconds per step",
        ),
        &lines,
    )
    .expect("draw the scaling figure");
    let mut manifest = Manifest::new("bench scaling", pools[1].current_num_threads());
    let published = out
        .commit(|hashes| manifest.to_json(hashes))
        .expect("publish output/bench/scaling");
    let docs = root.join("docs/figures");
    for name in ["scaling.csv", "scaling.png", "scaling.svg"] {
        std::fs::copy(published.join(name), docs.join(name)).expect("copy into docs/figures");
    }
    println!(
        "wrote {} and copied it into {}",
        published.display(),
        docs.display()
    );
}
