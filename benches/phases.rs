//! Cost of each phase of a step, per agent. Run: `cargo bench --bench phases`.
//!
//! Enterprise decisions, inspections and sanctions are one fused loop in the model (one pass over the
//! enterprise array per step); the bench measures that loop under a fragmented-like and a
//! coordinated-like policy. Awareness and complaint filing are likewise one pass over residents.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cogov::engine::rng::{Purpose, StreamKey};
use cogov::model::complaints;
use cogov::model::enterprise::RegionPolicy;
use cogov::model::enterprise::{self, DecisionRule, Enterprise, EnterpriseTally};
use cogov::model::network::Network;
use cogov::model::pollution::Basin;
use cogov::model::public::{self, PublicEnvironment};
use cogov::scenario::Topology;

fn enterprises(n: usize) -> Vec<Enterprise> {
    let mut rng = StreamKey::new(1, 0).stream(Purpose::EnterpriseInit, 0, 0);
    (0..n)
        .map(|i| {
            let output = 2.0 * (0.8 * rng.normal() - 0.32).exp();
            Enterprise {
                output: output as f32,
                emission: (0.5 * output) as f32,
                cost: (0.04 * output * rng.uniform()) as f32,
                belief: 0.1,
                weight: 1.0,
                allocation: 1.0,
                kind: (i % 4) as u8,
                covered: i % 3 == 0,
                complying: false,
                order: 0,
            }
        })
        .collect()
}

fn policy(shared: bool) -> RegionPolicy {
    let mut p = RegionPolicy {
        departments: 4,
        monitor_hit: 0.9,
        false_positive: 0.03,
        complaint_detect: 0.05,
        ngo_check: 0.01,
        litigation_share: 0.2,
        direct_check: 0.02,
        handle: if shared { 1.0 } else { 0.75 },
        capture: 0.3,
        mean_output: 2.0,
        clarity: 0.7,
        sanction: 0.4,
        deterrent: 0.5,
        abatement: 0.6,
        reference_abatement: 0.6,
        subsidy: 0.0,
        ..RegionPolicy::default()
    };
    for k in 0..4 {
        p.inspect[k] = 0.03;
        p.acting[k] = if shared {
            u16::MAX
        } else {
            1 << k | 1 << ((k + 1) % 4)
        };
    }
    p
}

fn phases(c: &mut Criterion) {
    let mut group = c.benchmark_group("phase");
    let rule = DecisionRule {
        rationality: 0.008,
        learning_rate: 0.1,
    };
    let key = StreamKey::new(7, 0);

    let mut firms = enterprises(1024);
    group.throughput(Throughput::Elements(1024));
    for (name, shared) in [
        ("enterprise_decisions_inspections_sanctions/silo", false),
        ("enterprise_decisions_inspections_sanctions/shared", true),
    ] {
        let pol = policy(shared);
        group.bench_function(name, |b| {
            let mut step = 0;
            b.iter(|| {
                step += 1;
                let mut rng = key.stream(Purpose::EnterpriseStep, step, 0);
                enterprise::step_chunk(&mut firms, &pol, &rule, &mut rng)
            })
        });
    }

    let n = 100_000;
    let awareness = vec![0.3f32; n];
    let education = vec![128u8; n];
    let mut next = vec![0f32; n];
    let env = PublicEnvironment {
        observed: 0.4,
        education: 0.002,
        observation_gain: 0.02,
        campaign: 0.001,
        peer_influence: 0.2,
        forgetting: 0.01,
        complaint_rate: 0.01,
        founded: 0.3,
        reach: 0.6,
        handle: 0.75,
    };
    group.throughput(Throughput::Elements(n as u64));
    for (name, community) in [
        ("awareness_and_complaints/community_4096", 4096),
        ("awareness_and_complaints/region_wide", 0),
    ] {
        let net = Network::new(6, 0.05, community, 11);
        let rewired = net.rewired_links(1, n);
        group.bench_function(name, |b| {
            let mut step = 0;
            b.iter(|| {
                step += 1;
                for (c, chunk) in next.chunks_mut(4096).enumerate() {
                    let mut rng = key.stream(Purpose::PublicStep, step, c as u32);
                    public::step_chunk(
                        &awareness,
                        &education,
                        rewired.chunk(c),
                        chunk,
                        c * 4096,
                        0,
                        n,
                        &net,
                        &env,
                        &mut rng,
                    );
                }
            })
        });
    }

    let regions = 1000;
    group.throughput(Throughput::Elements(regions as u64));
    group.bench_function("complaint_routing_per_region", |b| {
        b.iter(|| {
            (0..regions)
                .map(|r| complaints::settle(50.0 + r as f64, 30.0, 10.0, 40.0, 80.0).detection)
                .sum::<f64>()
        })
    });
    let mut basin = Basin::new(&Topology::Chain, regions, 0.3, 0.1, 100.0);
    let emissions = vec![10.0; regions];
    group.bench_function("pollution_transport_per_region", |b| {
        b.iter(|| basin.transport(&emissions))
    });

    let tallies = vec![
        EnterpriseTally {
            enterprises: 1024.0,
            complying: 500.0,
            ..Default::default()
        };
        1000
    ];
    group.throughput(Throughput::Elements(1000));
    group.bench_function("aggregation_per_chunk_tally", |b| {
        b.iter(|| {
            let mut all = EnterpriseTally::default();
            tallies.iter().for_each(|t| all.add(t));
            all
        })
    });
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
