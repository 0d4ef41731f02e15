use std::path::Path;

use super::*;

fn wang(stage: &str) -> Game {
    load_game(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("scenarios/games/wang2023-{stage}.toml")),
    )
    .unwrap()
}

/// Two populations with D_0(y) = a − b·y and D_1(x) = e·x − c (a cyclic inspection game).
fn inspection_game(a: f64, b: f64, c: f64, e: f64) -> Game {
    let mut payoff = vec![vec![0.0; 2]; 4];
    // profile bits: population 0 is the high bit.
    payoff[0b11] = vec![a - b, e - c];
    payoff[0b10] = vec![a, 0.0];
    payoff[0b01] = vec![0.0, -c];
    payoff[0b00] = vec![0.0, 0.0];
    Game {
        name: "inspection".into(),
        file: String::new(),
        title: String::new(),
        populations: vec!["inspectors".into(), "enterprises".into()],
        strategies: vec![
            ["inspect".into(), "do not".into()],
            ["violate".into(), "comply".into()],
        ],
        initial: vec![0.3, 0.6],
        payoff,
        integration: Integration {
            dt: 0.001,
            t_max: 10.0,
        },
        abm: AbmSettings::default(),
        resolved: String::new(),
    }
}

#[test]
fn rk4_conserves_the_constant_of_motion_of_an_inspection_game() {
    // H = −c ln x − (e − c) ln(1 − x) − a ln y + (a − b) ln(1 − y) is constant along
    // ẋ = x(1 − x)(a − b·y), ẏ = y(1 − y)(e·x − c).
    let (a, b, c, e) = (1.0, 2.0, 1.0, 3.0);
    let g = inspection_game(a, b, c, e);
    let h = |x: &[f64]| {
        -c * x[0].ln() - (e - c) * (1.0 - x[0]).ln() - a * x[1].ln() + (a - b) * (1.0 - x[1]).ln()
    };
    let h0 = h(&g.initial);
    let rk4_drift = g
        .trajectory(&g.initial, 1)
        .iter()
        .map(|(_, x)| (h(x) - h0).abs())
        .fold(0.0, f64::max);
    assert!(rk4_drift < 1e-8, "RK4 drift {rk4_drift}");
    // Explicit Euler with the same step drifts by orders of magnitude more.
    let mut x = g.initial.clone();
    let mut v = vec![0.0; 2];
    let mut euler_drift: f64 = 0.0;
    for _ in 0..10_000 {
        g.velocity(&x, &mut v);
        x[0] += 0.001 * v[0];
        x[1] += 0.001 * v[1];
        euler_drift = euler_drift.max((h(&x) - h0).abs());
    }
    assert!(
        euler_drift > 1e4 * rk4_drift && euler_drift > 1e-5,
        "Euler drift {euler_drift}"
    );
}

/// The paper's replicator right-hand sides, written independently of the payoff table.
fn wang_closed_form(g_file: &str, v: &[f64]) -> [f64; 3] {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/games/wang2023-baseline.toml"),
    )
    .unwrap();
    let mut p: toml::Table = text.parse::<toml::Table>().unwrap()["parameters"]
        .as_table()
        .unwrap()
        .clone();
    if g_file != "baseline" {
        let stage = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("scenarios/games/wang2023-{g_file}.toml")),
        )
        .unwrap();
        for (k, val) in stage.parse::<toml::Table>().unwrap()["parameters"]
            .as_table()
            .unwrap()
        {
            p.insert(k.clone(), val.clone());
        }
    }
    let q = |k: &str| {
        p[k].as_float()
            .or(p[k].as_integer().map(|i| i as f64))
            .unwrap()
    };
    let (x, y, z) = (v[0], v[1], v[2]);
    let big_p = q("PA") + (1.0 - q("eA")) * (1.0 - q("gov")) * q("Pe");
    let fx = z * (q("alpha") + q("beta")) * big_p + q("eta") * y * q("PA")
        - q("eA") * (1.0 - q("gov")) * q("Pe")
        - q("eA") * (q("CA") * (1.0 - q("gamma")) - q("Rc"));
    let fy = q("CB0") - q("delta") * q("CB1")
        + q("lambda") * q("CH") * (1.0 - x)
        + q("zeta") * q("Rp")
        + q("epsilon") * q("delta") * q("CB1") * z;
    let fz = q("G0") + q("G1") - q("CG1") + q("beta") * big_p
        - x * (q("alpha") + q("beta")) * big_p
        + y * (q("theta") * (q("G0") + q("G1")) - q("epsilon") * q("delta") * q("CB1"));
    [fx, fy, fz]
}

#[test]
fn wang_stages_reach_their_published_stable_states_from_all_27_starts() {
    for (stage, expected) in [
        ("baseline", [0.0, 0.0, 0.0]),
        ("stage1", [0.0, 0.0, 1.0]),
        ("stage2", [1.0, 0.0, 1.0]),
        ("stage3", [1.0, 1.0, 1.0]),
        ("stage4", [1.0, 1.0, 0.0]),
    ] {
        let g = wang(stage);
        let vertices = g.vertices();
        let stable: Vec<Vec<f64>> = vertices
            .iter()
            .filter(|v| v.2)
            .map(|v| v.0.clone())
            .collect();
        assert_eq!(stable, vec![expected.to_vec()], "{stage}: stable vertices");
        // Eigenvalues from the payoff table equal the closed-form vertex rule λ_i = (1 − 2v_i)·F_i(v).
        for (v, lambda, _) in &vertices {
            let f = wang_closed_form(stage, v);
            for i in 0..3 {
                let closed = (1.0 - 2.0 * v[i]) * f[i];
                assert!(
                    (lambda[i] - closed).abs() < 1e-9,
                    "{stage} {v:?}: λ{} = {} vs {closed}",
                    i + 1,
                    lambda[i]
                );
            }
        }
        for start in g.grid_starts() {
            let trajectory = g.trajectory(&start, 100);
            let end = &trajectory.last().unwrap().1;
            let distance = end
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(distance < 0.02, "{stage} from {start:?} ends at {end:?}");
        }
    }
}

/// Largest distance between the agent model and its mean-field map over the run.
fn deviation(agents: u32) -> f64 {
    let mut g = wang("stage3");
    g.abm.agents = agents;
    g.integration.t_max = 8.0;
    let run = abm::simulate(&g, &g.initial, 10);
    let mut x = g.initial.clone();
    let mut worst: f64 = 0.0;
    for (_, a) in run.iter().skip(1) {
        for _ in 0..10 {
            abm::mean_field_step(&g, &mut x);
        }
        worst = worst.max(
            a.iter()
                .zip(&x)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f64::max),
        );
    }
    worst
}

#[test]
fn large_agent_populations_follow_their_mean_field() {
    // Finite-population noise shrinks as 1/sqrt(N): 16 times the agents, a quarter of the deviation.
    let (small, large) = (deviation(5_000), deviation(80_000));
    assert!(large < 0.4 * small, "N = 5000: {small}, N = 80000: {large}");
    assert!(large < 0.04, "N = 80000 deviates by {large}");
}

#[test]
fn the_imitation_mean_field_tends_to_the_replicator_as_selection_weakens() {
    let g = wang("stage2");
    let x = [0.3, 0.6, 0.4];
    let (mut rep, mut mf) = ([0.0; 3], [0.0; 3]);
    g.velocity(&x, &mut rep);
    // tanh(u) = u − u³/3 + …: the error falls as 1/K² as selection weakens.
    let mut errors = Vec::new();
    for k in [10.0, 100.0, 1e4] {
        abm::mean_field_velocity(&g, k, &x, &mut mf);
        errors.push(
            rep.iter()
                .zip(&mf)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max),
        );
    }
    let scale = rep.iter().map(|a| a.abs()).fold(0.0, f64::max);
    assert!(
        errors[0] > 0.0 && errors[1] < errors[0] / 50.0,
        "{errors:?}"
    );
    assert!(errors[2] < 1e-6 * scale, "{errors:?}");
}

#[test]
fn bad_game_files_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("cogov-game-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "[[populations]]\nname = \"a\"\nstrategies = [\"x\", \"y\"]\n[[populations]]\nname = \"b\"\nstrategies = [\"x\", \"y\"]\n[parameters]\nk = 1\n";
    let cases = [
        (
            "[payoffs]\n\"11\" = [\"k\", \"k\"]\n\"10\" = [\"k\", \"k\"]\n\"01\" = [\"k\", \"k\"]\n",
            "\"00\" is missing",
        ),
        (
            "[payoffs]\n\"11\" = [\"k +\", \"k\"]\n\"10\" = [\"k\", \"k\"]\n\"01\" = [\"k\", \"k\"]\n\"00\" = [\"k\", \"k\"]\n",
            "column 4",
        ),
        (
            "[payoffs]\n\"11\" = [\"q\", \"k\"]\n\"10\" = [\"k\", \"k\"]\n\"01\" = [\"k\", \"k\"]\n\"00\" = [\"k\", \"k\"]\n",
            "unknown name `q`",
        ),
        ("[payoffs]\n\"1\" = [\"k\", \"k\"]\n", "2 digits"),
    ];
    for (i, (payoffs, needle)) in cases.iter().enumerate() {
        let path = dir.join(format!("g{i}.toml"));
        std::fs::write(&path, format!("{base}{payoffs}")).unwrap();
        let e = load_game(&path).unwrap_err().to_string();
        assert!(
            e.contains(needle) && e.contains(&format!("g{i}.toml")),
            "case {i}: {e}"
        );
    }
}

#[test]
fn with_weak_selection_and_small_steps_the_expected_dynamics_follow_the_replicator_trajectory() {
    // The agents follow the mean-field map (previous test); the map follows the replicator when K is
    // large against the payoff differences and each step revises few agents.
    let mut g = wang("stage3");
    g.abm.noise = 2000.0;
    g.abm.dt = 0.000_125; // 2K·dt = 0.5 agents' revisions per step
    g.integration.dt = 0.001;
    g.integration.t_max = 8.0;
    let replicator = g.trajectory(&g.initial, 1);
    let mut x = g.initial.clone();
    let per_sample = (g.integration.dt / g.abm.dt).round() as usize;
    let mut worst: f64 = 0.0;
    for (_, r) in replicator.iter().skip(1) {
        for _ in 0..per_sample {
            abm::mean_field_step(&g, &mut x);
        }
        worst = worst.max(
            r.iter()
                .zip(&x)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max),
        );
    }
    assert!(
        worst < 0.01,
        "the expected dynamics depart from the replicator by {worst}"
    );
}
