//! From files to one TOML table: `extends` chains (key-by-key override), `--set` overrides, and the
//! provenance of every key so that an error names the file that wrote the offending value.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::provenance::{Provenance, join};
use super::{Params, Scenario, schema, validate};
use crate::error::InputError;

/// Longest `extends` chain accepted; deeper chains are almost certainly a mistake.
const MAX_EXTENDS_DEPTH: usize = 16;

/// A scenario as loaded: the validated parameters plus where they came from.
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    /// The top file, if the scenario came from a file.
    pub path: Option<PathBuf>,
    pub params: Params,
}

/// Load `path`, follow its `extends` chain, apply `--set key.path=value` overrides and validate.
pub fn load_scenario(path: &Path, sets: &[String]) -> Result<ScenarioSource, InputError> {
    let mut chain = Vec::new();
    let (mut table, mut provenance) = read_chain(path, &mut chain)?;
    let top_file = path.display().to_string();
    // `name` is not inherited: a child without a name is named after its own file.
    if !top_sets_name(path)? {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        table.insert("name".into(), Value::String(stem));
        provenance.insert("name".into(), top_file.clone());
    }
    for arg in sets {
        apply_set(&mut table, &mut provenance, arg)?;
    }
    let params = finish(table, &provenance, &top_file)?;
    Ok(ScenarioSource {
        path: Some(path.to_path_buf()),
        params,
    })
}

/// Resolve a scenario given as TOML text (no `extends` allowed), e.g. from a notebook or a test.
pub fn resolve_str(text: &str, label: &str, sets: &[String]) -> Result<Params, InputError> {
    let mut table = parse(text, label)?;
    if table.contains_key("extends") {
        return Err(InputError::Extends {
            file: label.into(),
            parent: table["extends"].to_string(),
            reason: "`extends` needs a scenario file on disk".into(),
        });
    }
    let mut provenance = Provenance::new();
    record(&table, "", label, &mut provenance);
    table
        .entry("name")
        .or_insert_with(|| Value::String(label.into()));
    for arg in sets {
        apply_set(&mut table, &mut provenance, arg)?;
    }
    finish(table, &provenance, label)
}

/// Resolve scenario `name` from texts held in memory (the scenarios compiled into the binary): its
/// `extends` chain is followed by file name through `text_of`, merged key by key as from disk, and
/// `sets` apply on top. Errors name `scenarios/<file>.toml`.
pub fn resolve_embedded(
    name: &str,
    text_of: &dyn Fn(&str) -> Option<&'static str>,
    sets: &[String],
) -> Result<Params, InputError> {
    let label = |n: &str| format!("scenarios/{n}.toml");
    let mut chain: Vec<String> = Vec::new();
    let mut layers: Vec<(Table, String)> = Vec::new();
    let mut next = name.to_string();
    loop {
        let file = label(&next);
        let text = text_of(&next).ok_or_else(|| InputError::Read {
            file: file.clone(),
            reason: "no such shipped scenario".into(),
        })?;
        let mut table = parse(text, &file)?;
        chain.push(next.clone());
        let parent = table.remove("extends");
        layers.push((table, file.clone()));
        let Some(parent) = parent else { break };
        let stem = parent
            .as_str()
            .and_then(|p| p.strip_suffix(".toml"))
            .map(str::to_string);
        let Some(stem) = stem.filter(|s| !chain.contains(s) && chain.len() < MAX_EXTENDS_DEPTH)
        else {
            return Err(InputError::Extends {
                file,
                parent: parent.to_string(),
                reason: "a shipped scenario extends another shipped scenario, without cycles"
                    .into(),
            });
        };
        next = stem;
    }
    let mut table = Table::new();
    let mut provenance = Provenance::new();
    for (mut layer, file) in layers.into_iter().rev() {
        if file != label(name) {
            layer.remove("name");
        }
        record(&layer, "", &file, &mut provenance);
        merge(&mut table, layer);
    }
    table
        .entry("name")
        .or_insert_with(|| Value::String(name.into()));
    for arg in sets {
        apply_set(&mut table, &mut provenance, arg)?;
    }
    finish(table, &provenance, &label(name))
}

fn finish(table: Table, provenance: &Provenance, top: &str) -> Result<Params, InputError> {
    let table = schema::check(table, provenance, top)?;
    let scenario: Scenario = schema::deserialize(table, top)?;
    validate::validate(scenario, provenance, top)
}

fn parse(text: &str, file: &str) -> Result<Table, InputError> {
    text.parse::<Table>().map_err(|e| InputError::Syntax {
        file: file.into(),
        message: e.to_string().trim_end().to_string(),
    })
}

/// Largest scenario, experiment or game file read: a scenario is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// The text of a regular file of at most [`MAX_FILE_BYTES`]: never a device, a pipe or a directory,
/// which could block or never end.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    use crate::files::ReadFailure;
    crate::files::read_regular(path, MAX_FILE_BYTES).map_err(|e| InputError::Read {
        file: path.display().to_string(),
        reason: match e {
            ReadFailure::TooLarge(max) => format!(
                "larger than {}, the most a scenario file may be",
                crate::files::size(max)
            ),
            other => other.to_string(),
        },
    })
}

fn read(path: &Path) -> Result<Table, InputError> {
    parse(&read_text(path)?, &path.display().to_string())
}

fn top_sets_name(path: &Path) -> Result<bool, InputError> {
    Ok(read(path)?.contains_key("name"))
}

/// Read `path` and its ancestors; merge child over parent. `chain` holds the files being read, to
/// catch cycles.
pub(crate) fn read_chain(
    path: &Path,
    chain: &mut Vec<PathBuf>,
) -> Result<(Table, Provenance), InputError> {
    let file = path.display().to_string();
    let canonical = path.canonicalize().map_err(|e| InputError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let mut table = read(path)?;
    let mut provenance = Provenance::new();
    let Some(parent) = table.remove("extends") else {
        record(&table, "", &file, &mut provenance);
        return Ok((table, provenance));
    };
    let Value::String(parent) = parent else {
        return Err(InputError::WrongType {
            file,
            key: "extends".into(),
            value: parent.to_string(),
            expected: "a path to a scenario file, as a string".into(),
        });
    };
    let extends_error = |reason: String| InputError::Extends {
        file: file.clone(),
        parent: parent.clone(),
        reason,
    };
    if let Some(start) = chain.iter().position(|c| *c == canonical) {
        let cycle: Vec<String> = chain[start..]
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect();
        return Err(extends_error(format!(
            "`extends` forms a cycle: {}",
            cycle.join(" → ")
        )));
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(extends_error(format!(
            "chains of `extends` deeper than {MAX_EXTENDS_DEPTH} files are not allowed"
        )));
    }
    let parent_path = path.parent().unwrap_or(Path::new(".")).join(&parent);
    // A parent is a scenario file, also where it is reached through a link: nothing else is read,
    // so an error never quotes another file.
    let is_toml = |p: &Path| p.extension().is_some_and(|e| e == "toml");
    if !is_toml(&parent_path)
        || std::fs::canonicalize(&parent_path).is_ok_and(|real| !is_toml(&real))
    {
        return Err(extends_error(
            "a parent must be a scenario file ending in .toml (a link to one included)".into(),
        ));
    }
    if !parent_path.is_file() {
        return Err(extends_error(format!(
            "no such file {}",
            parent_path.display()
        )));
    }
    chain.push(canonical);
    let (mut merged, mut merged_provenance) = read_chain(&parent_path, chain)?;
    chain.pop();
    // The parent's name never passes to the child.
    merged.remove("name");
    merged_provenance.remove("name");
    record(&table, "", &file, &mut provenance);
    merge(&mut merged, table);
    merged_provenance.extend(provenance);
    Ok((merged, merged_provenance))
}

/// Override `base` with `top`, key by key: tables merge recursively, everything else replaces.
fn merge(base: &mut Table, top: Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(t)) => merge(b, t),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn record(table: &Table, prefix: &str, source: &str, provenance: &mut Provenance) {
    for (key, value) in table {
        let path = join(prefix, key);
        if let Value::Table(t) = value {
            record(t, &path, source, provenance);
        } else {
            provenance.insert(path, source.to_string());
        }
    }
}

/// Apply one `--set key.path=value`. The value is read as TOML (`0.5`, `true`, `"shared"`, `[1, 2]`);
/// anything that is not valid TOML is taken as a bare string (`--set information.sharing=shared`).
fn apply_set(table: &mut Table, provenance: &mut Provenance, arg: &str) -> Result<(), InputError> {
    let bad = |reason: &str| InputError::BadSet {
        arg: arg.into(),
        reason: reason.into(),
    };
    let (path, raw) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected key.path=value, e.g. --set law.fine=1.0"))?;
    let path = path.trim();
    let keys: Vec<&str> = path.split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(bad("the key path has an empty part"));
    }
    if path == "extends" {
        return Err(bad("`extends` cannot be set from the command line"));
    }
    let value = parse_set_value(raw.trim());
    set_path(table, &keys, value).map_err(|e| bad(&e.to_string()))?;
    provenance.insert(path.to_string(), format!("--set {arg}"));
    Ok(())
}

/// Why a key path cannot take a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum PathError {
    #[error("empty key path")]
    Empty,
    #[error("`{0}` is a value, not a section")]
    NotASection(String),
}

/// Put `value` at the key path `keys`, creating sections as needed.
fn set_path(table: &mut Table, keys: &[&str], value: Value) -> Result<(), PathError> {
    let (last, parents) = keys.split_last().ok_or(PathError::Empty)?;
    let mut node = table;
    for key in parents {
        let entry = node
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        node = match entry {
            Value::Table(t) => t,
            _ => return Err(PathError::NotASection(key.to_string())),
        };
    }
    node.insert(last.to_string(), value);
    Ok(())
}

impl Params {
    /// Apply command-line overrides of the run size (`--seed`, `--steps`, `--replicates`).
    pub fn with_run_size(
        self,
        seed: Option<u64>,
        steps: Option<u32>,
        replicates: Option<u32>,
    ) -> Result<Self, InputError> {
        let mut s = self.to_scenario();
        let mut provenance = Provenance::new();
        if let Some(v) = seed {
            // A seed is written back into TOML, whose integers are signed 64-bit.
            if i64::try_from(v).is_err() {
                return Err(InputError::OutOfRange {
                    file: "--seed".into(),
                    key: "seed".into(),
                    value: v.to_string(),
                    allowed: format!("a whole number in [0, {}]", i64::MAX),
                });
            }
            s.seed = v;
        }
        if let Some(v) = steps {
            s.steps = v;
            provenance.insert("steps".into(), "--steps".into());
        }
        if let Some(v) = replicates {
            s.replicates = v;
            provenance.insert("replicates".into(), "--replicates".into());
        }
        validate::validate(s, &provenance, "command line")
    }
}

/// The scenario `params` with `key.path = value` overrides, validated again (used for the design
/// points of a sweep). `source` names where the overrides come from in error messages.
pub fn with_overrides(
    params: &Params,
    overrides: &[(String, Value)],
    source: &str,
) -> Result<Params, InputError> {
    let mut table = Table::try_from(params.to_scenario()).expect("a validated scenario serializes");
    let mut provenance = Provenance::new();
    for (path, value) in overrides {
        let keys: Vec<&str> = path.split('.').collect();
        set_path(&mut table, &keys, value.clone()).map_err(|e| InputError::BadSet {
            arg: format!("{path}={value}"),
            reason: e.to_string(),
        })?;
        provenance.insert(path.clone(), source.to_string());
    }
    finish(table, &provenance, source)
}

fn parse_set_value(raw: &str) -> Value {
    format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

/// The default scenario with `key=value` overrides, for unit tests of the mechanisms.
#[cfg(test)]
pub(crate) fn test_params(sets: &[&str]) -> Params {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    resolve_str("", "test", &sets).expect("a valid test scenario")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_value_reads_toml_and_falls_back_to_string() {
        assert_eq!(parse_set_value("0.5"), Value::Float(0.5));
        assert_eq!(parse_set_value("3"), Value::Integer(3));
        assert_eq!(parse_set_value("true"), Value::Boolean(true));
        assert_eq!(parse_set_value("shared"), Value::String("shared".into()));
        assert_eq!(parse_set_value("\"a b\""), Value::String("a b".into()));
    }

    #[test]
    fn merge_overrides_key_by_key() {
        let mut base: Table = "[law]\nfine = 1.0\nclarity = 0.5".parse().unwrap();
        let top: Table = "[law]\nfine = 2.0".parse().unwrap();
        merge(&mut base, top);
        assert_eq!(base["law"]["fine"], Value::Float(2.0));
        assert_eq!(base["law"]["clarity"], Value::Float(0.5));
    }
}
