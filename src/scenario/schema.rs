//! The shape of a scenario: every key and its type, taken from the serialized defaults so the schema can
//! never drift from the structs. Unknown keys get a "did you mean"; wrong types name the expected one.

use toml::{Table, Value};

use super::Scenario;
use super::provenance::{Provenance, join};
use crate::error::InputError;

/// Check every key of `table` against the defaults; integers given for float keys become floats.
pub(crate) fn check(
    mut table: Table,
    provenance: &Provenance,
    top: &str,
) -> Result<Table, InputError> {
    let defaults = Table::try_from(Scenario::default()).expect("defaults serialize to TOML");
    check_table(&mut table, &defaults, "", provenance, top)?;
    Ok(table)
}

/// Deserialize a checked table. Errors left at this stage (e.g. a wrong element type inside an array)
/// are reported with the section that failed.
pub(crate) fn deserialize(table: Table, top: &str) -> Result<Scenario, InputError> {
    table
        .try_into()
        .map_err(|e: toml::de::Error| InputError::Syntax {
            file: top.into(),
            message: e.to_string().trim_end().replace('\n', " "),
        })
}

/// The default value at a key path (`law.fine`), if the key exists: tells its type.
pub fn default_value(path: &str) -> Option<Value> {
    let defaults = Table::try_from(Scenario::default()).expect("defaults serialize to TOML");
    let mut node = &defaults;
    let keys: Vec<&str> = path.split('.').collect();
    let (last, parents) = keys.split_last()?;
    for key in parents {
        node = node.get(*key)?.as_table()?;
    }
    node.get(*last).filter(|v| !v.is_table()).cloned()
}

fn source<'a>(provenance: &'a Provenance, path: &str, top: &'a str) -> &'a str {
    provenance.get(path).map(String::as_str).unwrap_or(top)
}

fn check_table(
    table: &mut Table,
    defaults: &Table,
    prefix: &str,
    provenance: &Provenance,
    top: &str,
) -> Result<(), InputError> {
    for (key, value) in table.iter_mut() {
        let path = join(prefix, key);
        let Some(default) = defaults.get(key) else {
            return Err(unknown_key(&path, key, defaults, provenance, top));
        };
        match (default, value) {
            (Value::Table(d), Value::Table(t)) => check_table(t, d, &path, provenance, top)?,
            (Value::Float(_), v @ Value::Integer(_)) => {
                let i = v.as_integer().expect("matched an integer");
                *v = Value::Float(i as f64);
            }
            (Value::Integer(_), Value::Integer(i)) if *i < 0 => {
                return Err(InputError::OutOfRange {
                    file: source(provenance, &path, top).into(),
                    key: path,
                    value: i.to_string(),
                    allowed: "a whole number ≥ 0".into(),
                });
            }
            (d, v) if same_kind(d, v) => {}
            (d, v) => {
                return Err(InputError::WrongType {
                    file: source(provenance, &path, top).into(),
                    key: path,
                    value: v.to_string(),
                    expected: kind(d).into(),
                });
            }
        }
    }
    Ok(())
}

fn same_kind(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a section (table)",
    }
}

fn unknown_key(
    path: &str,
    key: &str,
    defaults: &Table,
    provenance: &Provenance,
    top: &str,
) -> InputError {
    let closest = defaults
        .keys()
        .map(|k| (edit_distance(key, k), k))
        .min()
        .filter(|(d, k)| *d <= 2.max(k.len() / 3));
    let mut allowed: Vec<&str> = defaults.keys().map(String::as_str).collect();
    allowed.sort_unstable();
    let hint = match closest {
        Some((_, k)) => format!("; did you mean `{}`?", join(parent(path), k)),
        None => format!("; allowed here: {}", allowed.join(", ")),
    };
    // A table key has no provenance of its own; use any key below it.
    let file = provenance
        .iter()
        .find(|(p, _)| *p == path || p.starts_with(&format!("{path}.")))
        .map(|(_, f)| f.as_str())
        .unwrap_or(top);
    InputError::UnknownKey {
        file: file.into(),
        key: path.into(),
        hint,
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('.').map(|(p, _)| p).unwrap_or("")
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("fine", "fine"), 0);
        assert_eq!(edit_distance("fien", "fine"), 2);
        assert_eq!(edit_distance("clarty", "clarity"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
