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

/// The part of docs/VALIDATION.md between `<!-- {marker}:begin -->` and `<!-- {marker}:end -->`
/// must be `table`, what `cogov validate` writes as `file`.
fn same_as_validation_doc(marker: &str, file: &str, table: &str) {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/VALIDATION.md"))
        .unwrap();
    let open = format!("<!-- {marker}:begin -->\n");
    let begin = doc.find(&open).expect("begin marker") + open.len();
    let end = doc
        .find(&format!("<!-- {marker}:end -->"))
        .expect("end marker");
    let copied = &doc[begin..end];
    if copied != table {
        let first = copied
            .lines()
            .zip(table.lines())
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("docs: {a}\ncommand: {b}"))
            .unwrap_or_else(|| "the tables differ in length".into());
        panic!(
            "docs/VALIDATION.md is out of date: run `cargo run --release -- validate` and paste \
             output/validation/{file} between the {marker} markers. First difference:\n{first}"
        );
    }
}

#[test]
fn the_validation_table_in_the_docs_is_the_commands_output() {
    // The full-size checks (what `cogov validate` runs), rendered as the command renders them.
    let checks = cogov::validation::all(false).expect("the anchors run");
    same_as_validation_doc(
        "validate",
        "validation.md",
        &cogov::validation::markdown(&checks),
    );
}

#[test]
fn the_observed_pattern_table_in_the_docs_is_the_commands_output() {
    let rows = cogov::validation::patterns(false).expect("the patterns run");
    // At the full size the statistics a default was taken from come back inside their range.
    for r in rows
        .iter()
        .filter(|r| r.pattern.label == cogov::validation::Label::Set)
    {
        assert!(r.pass, "{}: {:?}", r.pattern.statistic, r.model);
    }
    same_as_validation_doc(
        "patterns",
        "patterns.md",
        &cogov::validation::patterns_markdown(&rows),
    );
}

#[test]
fn every_levers_chinese_name_is_a_term_of_the_glossary() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODEL.md")).unwrap();
    let glossary = doc
        .split("### 7.12 Glossary")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/MODEL.md has its glossary");
    let terms: Vec<&str> = glossary
        .lines()
        .filter_map(|l| l.split('|').nth(2))
        .collect();
    for lever in &cogov::scenario::registry::registry().levers {
        assert!(
            terms.iter().any(|t| t.contains(&lever.term_zh)),
            "the lever {:?} is called {:?} in Chinese, which the glossary's 中文 column does not hold",
            lever.name,
            lever.term_zh
        );
    }
}
