//! `cogov params`: the parameter registry as a table, CSV, JSON or the Markdown table of
//! `docs/MODEL.md` §7.11. Defaults come from the scenario structs, the coordinated values from
//! `scenarios/coordinated.toml`.

use std::path::Path;

use toml::Value;

use crate::error::Result;
use crate::output::{Cell, Table};
use crate::scenario::load_scenario;
use crate::scenario::registry::{Key, Valid, registry};

/// How `cogov params` prints the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParamsFormat {
    /// Aligned columns for a terminal.
    #[default]
    Text,
    Csv,
    Json,
    /// The parameter table of `docs/MODEL.md`.
    Markdown,
}

/// Which language the descriptions are in (text format; CSV and JSON carry both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// A value as a table shows it: text without quotes, lists joined by commas.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The default as a table shows it (a scenario's name defaults to its file's stem).
fn default_shown(k: &Key) -> String {
    if k.valid == Valid::Name {
        "the file stem".into()
    } else {
        shown(&k.default_value())
    }
}

fn value_at(table: &toml::Table, path: &str) -> Option<Value> {
    let mut node = table;
    let keys: Vec<&str> = path.split('.').collect();
    let (last, parents) = keys.split_last()?;
    for key in parents {
        node = node.get(*key)?.as_table()?;
    }
    node.get(*last).cloned()
}

/// The coordinated scenario as TOML, if the shipped file is at hand.
fn coordinated(scenarios: &Path) -> Option<toml::Table> {
    let source = load_scenario(&scenarios.join("coordinated.toml"), &[]).ok()?;
    toml::Table::try_from(source.params.to_scenario()).ok()
}

fn plausible(k: &Key, i: usize) -> Cell {
    k.plausible
        .map_or(Cell::Text(String::new()), |p| Cell::Num(p[i]))
}

/// The registry as a table, one row per key with every column (`cogov params --format csv`), its
/// `coordinated` column from the shipped coordinated scenario compiled in.
pub fn registry_table() -> Table {
    let coordinated = crate::scenario::shipped::shipped("coordinated", &[])
        .ok()
        .and_then(|p| toml::Table::try_from(p.to_scenario()).ok());
    full_table(coordinated.as_ref())
}

/// One row per key, every column.
fn full_table(coordinated: Option<&toml::Table>) -> Table {
    let mut t = Table::new(&[
        "path",
        "unit",
        "valid",
        "plausible_min",
        "plausible_max",
        "plausible_source",
        "default",
        "coordinated",
        "lever",
        "source",
        "en",
        "zh",
        "edit",
    ]);
    for k in &registry().keys {
        let coordinated = coordinated
            .and_then(|c| value_at(c, &k.path))
            .map_or(String::new(), |v| shown(&v));
        t.push(vec![
            k.path.as_str().into(),
            k.unit.as_str().into(),
            k.allowed().into(),
            plausible(k, 0),
            plausible(k, 1),
            k.plausible_source.clone().unwrap_or_default().into(),
            default_shown(k).into(),
            coordinated.into(),
            k.lever.map_or("", |l| l.name()).into(),
            k.source.as_str().into(),
            k.en.as_str().into(),
            k.zh.as_str().into(),
            k.edit.clone().unwrap_or_default().into(),
        ]);
    }
    t
}

/// The range column of the docs: what validation accepts, shortly.
fn range(k: &Key) -> String {
    let choices = k.choices().map(|c| c.join(", "));
    match k.valid {
        Valid::Probability => "[0, 1]".into(),
        Valid::Money => "[0, 1e12]".into(),
        Valid::Number([lo, hi]) => format!("[{lo}, {hi}]"),
        Valid::Count([lo, hi]) => format!("{lo}–{hi}"),
        Valid::Choice => choices.unwrap_or_default(),
        Valid::Bool => "bool".into(),
        Valid::Seed => "u64".into(),
        Valid::Name => "text".into(),
        Valid::Names([lo, hi]) => format!("{lo}–{hi} names"),
        Valid::Shares => "sum 1".into(),
        Valid::Matrix => "R×R shares".into(),
        Valid::Downstream => "R indices or −1".into(),
    }
}

/// The Markdown table of `docs/MODEL.md` §7.11.
fn markdown(coordinated: Option<&toml::Table>) -> String {
    let mut out = String::from(
        "| key | unit | range | plausible | default | lever (coordinated) | source / rationale |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let cell = |s: &str| s.replace('|', "\\|");
    for k in &registry().keys {
        let lever = match (k.lever, coordinated.and_then(|c| value_at(c, &k.path))) {
            (Some(l), Some(v)) => format!("{} ({})", shown(&v), l.number()),
            (Some(l), None) => format!("({})", l.number()),
            _ => String::new(),
        };
        let plausible = k
            .plausible
            .map_or(String::new(), |[lo, hi]| format!("{lo}–{hi}"));
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            k.path,
            cell(&k.unit),
            cell(&range(k)),
            plausible,
            cell(&default_shown(k)),
            cell(&lever),
            cell(&k.source)
        ));
    }
    out
}

/// Aligned columns: key, unit, default, range, lever and the one-line description.
fn text(lang: Lang, prefix: &str) -> String {
    let rows: Vec<[String; 6]> = registry()
        .keys
        .iter()
        .filter(|k| k.path.starts_with(prefix))
        .map(|k| {
            [
                k.path.clone(),
                k.unit.clone(),
                default_shown(k),
                k.allowed(),
                k.lever
                    .map_or(String::new(), |l| format!("{} ({})", l.name(), l.number())),
                match lang {
                    Lang::En => k.en.clone(),
                    Lang::Zh => k.zh.clone(),
                },
            ]
        })
        .collect();
    let header = ["key", "unit", "default", "valid", "lever", "meaning"];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
            .min(40)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        for (i, c) in cells.iter().enumerate() {
            if i < 5 {
                let pad = widths[i].saturating_sub(c.chars().count());
                out.push_str(c);
                out.push_str(&" ".repeat(pad + 2));
            } else {
                out.push_str(c);
            }
        }
        out.push('\n');
    };
    line(&header);
    for r in &rows {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

/// `cogov params`: the registry, keys starting with `prefix`, in `format`.
pub fn params(format: ParamsFormat, lang: Lang, prefix: &str, scenarios: &Path) -> Result<String> {
    let coordinated = coordinated(scenarios);
    Ok(match format {
        ParamsFormat::Text => text(lang, prefix),
        ParamsFormat::Markdown => markdown(coordinated.as_ref()),
        ParamsFormat::Csv | ParamsFormat::Json => {
            let mut t = full_table(coordinated.as_ref());
            t.rows
                .retain(|r| matches!(&r[0], Cell::Text(p) if p.starts_with(prefix)));
            if format == ParamsFormat::Csv {
                t.to_csv()
            } else {
                json(&t)
            }
        }
    })
}

fn json(t: &Table) -> String {
    let rows: Vec<serde_json::Value> = t
        .rows
        .iter()
        .map(|row| {
            let object = t
                .columns
                .iter()
                .zip(row)
                .map(|(c, cell)| {
                    let v = match cell {
                        Cell::Text(s) if s.is_empty() => serde_json::Value::Null,
                        Cell::Text(s) => serde_json::Value::String(s.clone()),
                        Cell::Int(i) => (*i).into(),
                        Cell::Num(x) => serde_json::Number::from_f64(*x)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    };
                    (c.clone(), v)
                })
                .collect::<serde_json::Map<_, _>>();
            serde_json::Value::Object(object)
        })
        .collect();
    serde_json::to_string_pretty(&rows).expect("the registry serializes") + "\n"
}
