//! Whole-step throughput of the model at three sizes (agent-steps per second), plus a memory roofline
//! pass over the same number of bytes, so each report carries its ratio to the machine's limit
//! (also measured from alternating pairs and printed).
//! Run: `cargo bench --bench step`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Instant;

use rayon::prelude::*;

use cogov::model::World;
use cogov::scenario::load_scenario;

fn scenario(enterprises: u32, residents: u32) -> cogov::scenario::Params {
    let sets = vec![
        format!("enterprises.per_region={enterprises}"),
        format!("public.per_region={residents}"),
    ];
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/coordinated.toml");
    load_scenario(&path, &sets)
        .expect("shipped scenario loads")
        .params
}

fn step(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.sample_size(10);
    // The default size (59,240 agents), ten times its residents, and a world above 10⁷ agents.
    for (enterprises, residents) in [(2_400, 5_000), (2_400, 50_000), (25_000, 1_250_000)] {
        let p = scenario(enterprises, residents);
        let mut world = World::new(&p, 0);
        let (e, r, l, d) = world.agent_counts();
        let agents = (e + r + l + d) as u64;
        group.throughput(Throughput::Elements(agents));
        group.bench_function(format!("agents_{agents}"), |b| {
            b.iter(|| world.step().expect("invariants hold"))
        });
        // The bytes a step streams: each enterprise read and written; each resident's awareness
        // and education read and its next awareness written (9 bytes), and the rewired links
        // read (6 bytes each, about 0.3 per resident): the agents' arrays.
        let _ = (e, r);
        let mut state = vec![0u64; world.agent_state_bytes() as usize / 8];
        // Roofline: one parallel read-modify-write pass over as many bytes as the step touches, on
        // the same threads as the step.
        let roofline = |state: &mut [u64]| {
            state.par_chunks_mut(4096).for_each(|chunk| {
                chunk
                    .iter_mut()
                    .for_each(|x| *x = x.wrapping_mul(3).wrapping_add(1))
            })
        };
        group.bench_function(format!("roofline_{agents}"), |b| {
            b.iter(|| roofline(&mut state))
        });
        // The ratio, from pairs run one after the other: a neighbour's load on a shared machine
        // then weighs on both halves of a pair alike, where criterion's two measurements, seconds
        // apart, can each meet a different load.
        let mut ratios = Vec::new();
        let started = Instant::now();
        while ratios.len() < 15 || (started.elapsed().as_secs_f64() < 1.0 && ratios.len() < 1000) {
            let t = Instant::now();
            world.step().expect("invariants hold");
            let stepped = t.elapsed().as_secs_f64();
            let t = Instant::now();
            roofline(&mut state);
            ratios.push(stepped / t.elapsed().as_secs_f64());
        }
        ratios.sort_by(f64::total_cmp);
        let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
        println!(
            "step/agents_{agents}: {:.2}× the roofline pass (median of {} alternating pairs; quartiles {:.2}–{:.2}×)",
            quartile(2),
            ratios.len(),
            quartile(1),
            quartile(3)
        );
    }
    group.finish();
}

criterion_group!(benches, step);
criterion_main!(benches);
