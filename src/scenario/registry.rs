//! The parameter registry: every scenario key declared once, in `registry.toml` — its unit, the range
//! validation accepts, a plausible range with its source, its lever, the source of its default, and a
//! line of English and of Chinese. The key's type and default come from the scenario structs, and a
//! choice key's values from its enum, so nothing is written twice. Validation, `cogov check`,
//! `cogov params` and the parameter table of `docs/MODEL.md` read it.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use toml::Value;

use super::Scenario;
use super::params::choices;

/// What validation accepts for a key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Valid {
    /// A number in the closed range.
    Number([f64; 2]),
    /// A whole number in the closed range.
    Count([u64; 2]),
    /// A number in [0, 1].
    Probability,
    /// A number in [0, 10¹²]: money and quantities, small enough that no product of them overflows.
    Money,
    /// One of the values of the key's choice.
    Choice,
    Bool,
    /// A plain name (see the `name_is_a_plain_name` constraint).
    Name,
    /// Any whole number ≥ 0.
    Seed,
    /// A list of names, of a length in the range.
    Names([u64; 2]),
    /// One share per department, summing to 1.
    Shares,
    /// A regions × regions matrix of shares.
    Matrix,
    /// One downstream region (or −1, a river mouth) per region, without cycles.
    Downstream,
}

/// Largest value of a money or quantity key.
pub const MONEY_MAX: f64 = 1e12;

impl Valid {
    /// The closed numeric range, for numeric keys.
    pub fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Valid::Number([lo, hi]) => Some((lo, hi)),
            Valid::Count([lo, hi]) => Some((lo as f64, hi as f64)),
            Valid::Probability => Some((0.0, 1.0)),
            Valid::Money => Some((0.0, MONEY_MAX)),
            _ => None,
        }
    }

    /// Whether the key takes whole numbers.
    pub fn integer(self) -> bool {
        matches!(self, Valid::Count(_) | Valid::Seed)
    }
}

/// The nine levers that separate fragmented from coordinated governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    Information,
    Responsibility,
    Law,
    Monitoring,
    Compensation,
    Cooperation,
    Targets,
    Feedback,
    Participation,
}

impl Lever {
    pub const ALL: [Lever; 9] = [
        Lever::Information,
        Lever::Responsibility,
        Lever::Law,
        Lever::Monitoring,
        Lever::Compensation,
        Lever::Cooperation,
        Lever::Targets,
        Lever::Feedback,
        Lever::Participation,
    ];

    /// The lever's name, as in `scenarios/lever-<name>-on.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Lever::Information => "information",
            Lever::Responsibility => "responsibility",
            Lever::Law => "law",
            Lever::Monitoring => "monitoring",
            Lever::Compensation => "compensation",
            Lever::Cooperation => "cooperation",
            Lever::Targets => "targets",
            Lever::Feedback => "feedback",
            Lever::Participation => "participation",
        }
    }

    /// Its number, 1–9, as docs/MODEL.md counts them.
    pub fn number(self) -> usize {
        Lever::ALL
            .iter()
            .position(|l| *l == self)
            .expect("every lever")
            + 1
    }
}

/// One scenario key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub path: String,
    pub unit: String,
    pub valid: Valid,
    #[serde(default)]
    pub plausible: Option<[f64; 2]>,
    #[serde(default)]
    pub plausible_source: Option<String>,
    #[serde(default)]
    pub lever: Option<Lever>,
    pub source: String,
    pub en: String,
    pub zh: String,
    #[serde(default)]
    pub edit: Option<String>,
}

impl Key {
    /// The default value, from the scenario structs.
    pub fn default_value(&self) -> Value {
        super::schema::default_value(&self.path).expect("every registered key has a default")
    }

    /// The values a choice key may take.
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        choices(&self.path)
    }

    /// The section (`law` of `law.fine`; empty for top-level keys).
    pub fn section(&self) -> &str {
        self.path.rsplit_once('.').map_or("", |(s, _)| s)
    }

    /// What validation accepts, in words (as error messages say it).
    pub fn allowed(&self) -> String {
        match self.valid {
            Valid::Number([lo, hi]) => format!("a number in [{}, {}]", compact(lo), compact(hi)),
            Valid::Count([lo, hi]) => format!("a whole number in [{lo}, {hi}]"),
            Valid::Probability => "a number in [0, 1]".into(),
            Valid::Money => format!("a number in [0, {}]", compact(MONEY_MAX)),
            Valid::Choice => format!("one of {:?}", self.choices().unwrap_or(&[])),
            Valid::Bool => "true or false".into(),
            Valid::Name => {
                "a plain name: 1 to 128 characters, not starting with `.`, without / \\ , \" or control characters".into()
            }
            Valid::Seed => "a whole number ≥ 0".into(),
            Valid::Names([lo, hi]) => format!("{lo} to {hi} names"),
            Valid::Shares => "one share per department, summing to 1".into(),
            Valid::Matrix => "regions × regions shares".into(),
            Valid::Downstream => {
                "one downstream region index (or −1 for a river mouth) per region, no cycles".into()
            }
        }
    }
}

/// A rule that ties several keys together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    pub id: String,
    pub keys: Vec<String>,
    pub en: String,
}

/// Every key and constraint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    #[serde(rename = "key")]
    pub keys: Vec<Key>,
    #[serde(rename = "constraint")]
    pub constraints: Vec<Constraint>,
    /// One line per lever, in English and Chinese.
    #[serde(rename = "lever")]
    pub levers: Vec<LeverText>,
    /// The Chinese name of each section of keys.
    #[serde(rename = "section")]
    pub sections: Vec<SectionText>,
}

/// A section of keys (the part of a path before its first dot) and its Chinese name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionText {
    pub name: String,
    pub zh: String,
}

/// What a lever's switch does, in one line of each language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverText {
    pub name: Lever,
    /// The lever's name as the official Chinese term.
    pub term_zh: String,
    pub en: String,
    pub zh: String,
}

impl Registry {
    pub fn key(&self, path: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.path == path)
    }

    /// The keys of one section, in registry order.
    pub fn section<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Key> + 'a {
        self.keys.iter().filter(move |k| k.section() == section)
    }

    /// The keys a lever's switch sets.
    pub fn lever<'a>(&'a self, lever: Lever) -> impl Iterator<Item = &'a Key> + 'a {
        self.keys.iter().filter(move |k| k.lever == Some(lever))
    }

    /// The line explaining `lever`.
    pub fn lever_text(&self, lever: Lever) -> &LeverText {
        self.levers
            .iter()
            .find(|l| l.name == lever)
            .expect("registry.toml explains every lever")
    }

    pub fn constraint(&self, id: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.id == id)
    }
}

/// The registry, read once from the text compiled into the binary.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        // The text is compiled in; a defect in it is a build defect, caught by the tests.
        toml::from_str(include_str!("registry.toml")).expect("src/scenario/registry.toml is valid")
    })
}

/// A float as a user would write it: exponent form beyond 10^9.
pub(crate) fn compact(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// Every key path of the scenario structs (leaves of the default scenario).
pub fn scenario_paths() -> Vec<String> {
    fn walk(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in table {
            let path = super::provenance::join(prefix, k);
            match v {
                Value::Table(t) => walk(t, &path, out),
                _ => out.push(path),
            }
        }
    }
    let defaults = toml::Table::try_from(Scenario::default()).expect("defaults serialize");
    let mut out = Vec::new();
    walk(&defaults, "", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_declares_every_scenario_key_once_and_nothing_else() {
        let r = registry();
        let mut declared: Vec<&str> = r.keys.iter().map(|k| k.path.as_str()).collect();
        let mut sorted = declared.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), declared.len(), "a key declared twice");
        declared.sort_unstable();
        let mut paths = scenario_paths();
        paths.sort();
        assert_eq!(
            declared,
            paths.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }

    #[test]
    fn plausible_ranges_are_finite_sourced_and_inside_the_valid_range() {
        for k in &registry().keys {
            match (k.valid.bounds(), k.plausible) {
                (Some((lo, hi)), Some([plo, phi])) => {
                    assert!(
                        plo.is_finite() && phi.is_finite() && plo <= phi,
                        "{}",
                        k.path
                    );
                    assert!(
                        lo <= plo && phi <= hi,
                        "{}: plausible outside valid",
                        k.path
                    );
                    assert!(k.plausible_source.is_some(), "{}: no source", k.path);
                }
                (Some(_), None) if k.valid != Valid::Seed => {
                    panic!("{}: a numeric key needs a plausible range", k.path)
                }
                (None, Some(_)) => panic!("{}: a plausible range on a non-numeric key", k.path),
                _ => {}
            }
            assert!(!k.en.is_empty() && !k.zh.is_empty(), "{}", k.path);
        }
    }

    #[test]
    fn choice_keys_have_their_enum_and_defaults_are_valid_values() {
        for k in &registry().keys {
            assert_eq!(
                k.valid == Valid::Choice,
                k.choices().is_some(),
                "{}: a choice key needs its enum, and only choice keys have one",
                k.path
            );
            if let (Some(allowed), Value::String(d)) = (k.choices(), k.default_value()) {
                assert!(allowed.contains(&d.as_str()), "{}", k.path);
            }
            if let Some((lo, hi)) = k.valid.bounds() {
                let d = k.default_value();
                let v = d.as_float().or(d.as_integer().map(|i| i as f64)).unwrap();
                assert!(lo <= v && v <= hi, "{}: default {v} outside", k.path);
            }
        }
    }

    #[test]
    fn every_lever_is_explained_once_and_sets_keys() {
        let r = registry();
        let named: Vec<Lever> = r.levers.iter().map(|l| l.name).collect();
        assert_eq!(named, Lever::ALL, "one line per lever, in lever order");
        for lever in Lever::ALL {
            let t = r.lever_text(lever);
            assert!(!t.en.is_empty() && !t.zh.is_empty(), "{}", lever.name());
            assert!(r.lever(lever).count() > 0, "{} sets no key", lever.name());
        }
    }

    #[test]
    fn every_section_of_keys_has_one_chinese_name() {
        let r = registry();
        let mut named: Vec<&str> = r.sections.iter().map(|s| s.name.as_str()).collect();
        let mut used: Vec<&str> = r.keys.iter().map(|k| k.section()).collect();
        used.sort_unstable();
        used.dedup();
        named.sort_unstable();
        let before = named.len();
        named.dedup();
        assert_eq!(named.len(), before, "a section is named twice");
        assert_eq!(
            named, used,
            "the sections named are the sections of the keys"
        );
        assert!(r.sections.iter().all(|s| !s.zh.is_empty()));
    }
}
