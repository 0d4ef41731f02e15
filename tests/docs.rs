//! No undocumented knobs: every scenario key appears in docs/MODEL.md's parameter table.

use cogov::scenario::Scenario;

fn keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => keys(t, &path, out),
            _ => out.push(path),
        }
    }
}

#[test]
fn every_scenario_key_is_documented_in_the_model_description() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODEL.md")).unwrap();
    let defaults = toml::Table::try_from(Scenario::default()).unwrap();
    let mut all = Vec::new();
    keys(&defaults, "", &mut all);
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| *k != "name" && !doc.contains(&format!("| `{k}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "keys missing from docs/MODEL.md §7.11: {missing:?}"
    );
}
