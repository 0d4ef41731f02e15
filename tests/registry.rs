//! The parameter registry is what validation, the docs and the shipped scenarios say: every numeric key
//! is refused just outside its registered range with the registry's words and accepted at its ends;
//! every cross-key constraint is enforced; the lever keys are exactly what the one-lever scenarios
//! switch; and docs/MODEL.md's table is the registry's.

use std::path::Path;

use cogov::scenario::registry::{Lever, Valid, registry};
use cogov::scenario::{Params, load_scenario, resolve_str};

fn with(sets: &[String]) -> Result<Params, cogov::InputError> {
    resolve_str("", "test.toml", sets)
}

fn sets(pairs: &[(&str, String)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// Companion settings that let a key sit at the end of its range without breaking a constraint.
fn companions(path: &str) -> Vec<(&'static str, String)> {
    let sixteen = (0..16)
        .map(|i| format!("\"d{i}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let shares = vec!["0.0625"; 16].join(", ");
    match path {
        "world.spillover" => vec![("world.decay", "0".into())],
        "world.decay" => vec![("world.spillover", "0".into())],
        "enterprises.per_region" | "public.per_region" => vec![("world.regions", "1".into())],
        "local.intensity_min" => vec![("local.intensity_max", "100".into())],
        "targets.min_abatement" => vec![("targets.max_abatement", "1".into())],
        "targets.max_abatement" => vec![("targets.min_abatement", "0".into())],
        "responsibility.overlap" => vec![
            ("departments.names", format!("[{sixteen}]")),
            ("departments.budget_shares", format!("[{shares}]")),
            ("departments.violation_shares", format!("[{shares}]")),
        ],
        _ => Vec::new(),
    }
}

#[test]
fn every_numeric_key_is_refused_just_outside_its_range_and_accepted_at_its_ends() {
    let mut checked = 0;
    for key in &registry().keys {
        let Some((lo, hi)) = key.valid.bounds() else {
            continue;
        };
        let integer = matches!(key.valid, Valid::Count(_));
        let (below, above) = if integer {
            (lo - 1.0, hi + 1.0)
        } else {
            let step = |b: f64| b.abs().max(1.0) * 1e-9;
            (lo - step(lo), hi + step(hi))
        };
        let text = |v: f64| {
            if integer {
                format!("{}", v as i64)
            } else {
                format!("{v:e}")
            }
        };
        // A u32 key past u32::MAX fails as a type error, not by its range: skip that side.
        let outside = [below, above]
            .into_iter()
            .filter(|v| !(integer && (*v < 0.0 || *v > f64::from(u32::MAX))));
        for v in outside {
            let mut s = sets(&companions(&key.path));
            s.push(format!("{}={}", key.path, text(v)));
            let e = with(&s).expect_err(&format!("{} = {} accepted", key.path, text(v)));
            let message = e.to_string();
            assert!(
                message.contains(&key.path) && message.contains(&key.allowed()),
                "{} = {}: {message}",
                key.path,
                text(v)
            );
        }
        for v in [lo, hi] {
            let mut s = sets(&companions(&key.path));
            s.push(format!("{}={}", key.path, text(v)));
            if let Err(e) = with(&s) {
                panic!("{} = {} refused: {e}", key.path, text(v));
            }
        }
        checked += 1;
    }
    assert!(checked >= 70, "{checked} numeric keys");
}

#[test]
fn every_cross_key_constraint_is_enforced() {
    let cases: [(&str, &[&str], &str); 11] = [
        ("name_is_a_plain_name", &["name=\"a/b\""], "name"),
        (
            "spillover_within_decay",
            &["world.spillover=0.95", "world.decay=0.1"],
            "world.spillover",
        ),
        (
            "adjacency_only_on_a_matrix",
            &["world.adjacency=[[0.0]]"],
            "world.adjacency",
        ),
        (
            "downstream_only_on_a_tree",
            &["world.downstream=[1, 2, 3, 4, 5, 6, 7, -1]"],
            "world.downstream",
        ),
        (
            "agents_within_the_limit",
            &["world.regions=10", "enterprises.per_region=30000000"],
            "enterprises.per_region",
        ),
        (
            "even_neighbours",
            &["public.neighbors=5"],
            "public.neighbors",
        ),
        (
            "one_share_per_department",
            &["departments.budget_shares=[0.5, 0.5]"],
            "departments.budget_shares",
        ),
        (
            "overlap_within_departments",
            &["responsibility.overlap=5"],
            "responsibility.overlap",
        ),
        (
            "intensity_bounds_ordered",
            &["local.intensity_min=3", "local.intensity_max=2"],
            "local.intensity_max",
        ),
        (
            "abatement_bounds_ordered",
            &["targets.min_abatement=0.5", "targets.max_abatement=0.4"],
            "targets.max_abatement",
        ),
        (
            "priced_damage_needs_decay",
            &["targets.decomposition=cost_benefit", "world.decay=0"],
            "world.decay",
        ),
    ];
    let mut ids: Vec<&str> = registry()
        .constraints
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    ids.sort_unstable();
    let mut tested: Vec<&str> = cases.iter().map(|c| c.0).collect();
    tested.sort_unstable();
    assert_eq!(ids, tested, "a test case per registered constraint");
    for (id, set, key) in cases {
        let constraint = registry().constraint(id).unwrap();
        assert!(constraint.keys.iter().any(|k| k == key), "{id}");
        let e = with(&set.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect_err(id)
            .to_string();
        assert!(e.contains(key), "{id}: {e}");
    }
}

/// The keys (as key paths) whose resolved values differ between two scenarios.
fn differing(a: &Params, b: &Params) -> Vec<String> {
    let (a, b) = (
        toml::Table::try_from(a.to_scenario()).unwrap(),
        toml::Table::try_from(b.to_scenario()).unwrap(),
    );
    let mut out = Vec::new();
    for (section, values) in &a {
        let Some(values) = values.as_table() else {
            continue;
        };
        for (key, v) in values {
            if b[section].get(key) != Some(v) {
                out.push(format!("{section}.{key}"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_levers_keys_are_what_its_one_lever_scenarios_switch() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let load = |f: &str| load_scenario(&dir.join(f), &[]).unwrap().params;
    let (fragmented, coordinated) = (load("fragmented.toml"), load("coordinated.toml"));
    let mut all = Vec::new();
    for lever in Lever::ALL {
        let mut keys: Vec<String> = registry().lever(lever).map(|k| k.path.clone()).collect();
        keys.sort();
        assert!(!keys.is_empty(), "{} has no keys", lever.name());
        let on = load(&format!("lever-{}-on.toml", lever.name()));
        let off = load(&format!("lever-{}-off.toml", lever.name()));
        assert_eq!(
            differing(&on, &fragmented),
            keys,
            "lever-{}-on",
            lever.name()
        );
        assert_eq!(
            differing(&off, &coordinated),
            keys,
            "lever-{}-off",
            lever.name()
        );
        all.extend(keys);
    }
    all.sort();
    assert_eq!(differing(&coordinated, &fragmented), all);
}

#[test]
fn the_parameter_table_in_the_docs_is_the_registrys() {
    use cogov::commands::params::{Lang, ParamsFormat, params};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = params(
        ParamsFormat::Markdown,
        Lang::En,
        "",
        &root.join("scenarios"),
    )
    .unwrap();
    let doc = std::fs::read_to_string(root.join("docs/MODEL.md")).unwrap();
    let begin = doc.find("<!-- params:begin -->\n").expect("begin marker") + 22;
    let end = doc.find("<!-- params:end -->").expect("end marker");
    assert!(
        doc[begin..end] == table,
        "docs/MODEL.md §7.11 is out of date: run `cargo run --release -- params --format markdown` \
         and paste it between the markers"
    );
}
