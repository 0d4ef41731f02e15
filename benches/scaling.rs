//! Time per step against the number of agents (10^3 to 10^7), on 1 and 2 threads. Writes
//! `output/bench/scaling/` (the table `scaling.csv`, the figure `scaling.png` / `.svg` and a
//! manifest) and copies the table and figure into `docs/figures/`.
//! Run: `cargo bench --bench scaling` (about a minute on 2 cores).

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

/// Median seconds per step after two warm-up steps, over at least 5 steps and 0.5 s.
fn seconds_per_step(world: &mut World) -> f64 {
    for _ in 0..2 {
        world.step().expect("invariants hold");
    }
    let mut samples = Vec::new();
    let started = Instant::now();
    while samples.len() < 5 || started.elapsed().as_secs_f64() < 0.5 {
        let t = Instant::now();
        world.step().expect("invariants hold");
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
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
    ]);
    let mut lines = Vec::new();
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("threads start");
        let mut points = Vec::new();
        for exponent in 3..=7 {
            let p = params(10u64.pow(exponent));
            let (agents, seconds) = pool.install(|| {
                let mut world = World::new(&p, 0);
                let (e, r, l, d) = world.agent_counts();
                ((e + r + l + d) as f64, seconds_per_step(&mut world))
            });
            let ns = seconds * 1e9 / agents;
            println!(
                "{threads} thread(s), {agents:>9} agents: {:.3} ms/step, {ns:.1} ns/agent-step, {:.1} M agent-steps/s",
                seconds * 1e3,
                agents / seconds / 1e6
            );
            table.push(
                [threads as f64, agents, seconds, ns, agents / seconds]
                    .map(cogov::output::Cell::Num)
                    .to_vec(),
            );
            points.push((agents, seconds));
        }
        lines.push(Line {
            name: format!("{threads} thread{}", if threads > 1 { "s" } else { "" }),
            points,
        });
    }
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
    let mut manifest = Manifest::new("bench scaling", rayon::current_num_threads());
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
