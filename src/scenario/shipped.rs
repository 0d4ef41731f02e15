//! The shipped scenarios compiled into the library: the three regimes and each one-lever variant,
//! so that the explorer and the Python package need no files on disk.

use super::{Params, resolve_embedded};
use crate::error::InputError;

macro_rules! shipped {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../../scenarios/", $name, ".toml")))),+]
    };
}

/// The shipped presets: the three regimes and each one-lever variant, compiled in so the explorer
/// needs no files.
pub const SHIPPED: &[(&str, &str)] = shipped!(
    "fragmented",
    "china-2020",
    "coordinated",
    "lever-information-on",
    "lever-responsibility-on",
    "lever-law-on",
    "lever-monitoring-on",
    "lever-compensation-on",
    "lever-cooperation-on",
    "lever-targets-on",
    "lever-feedback-on",
    "lever-participation-on",
    "lever-information-off",
    "lever-responsibility-off",
    "lever-law-off",
    "lever-monitoring-off",
    "lever-compensation-off",
    "lever-cooperation-off",
    "lever-targets-off",
    "lever-feedback-off",
    "lever-participation-off",
);

/// Shipped scenario `name` (`fragmented`, `china-2020`, `coordinated`, `lever-<lever>-on|off`)
/// with `sets` applied, resolved as from `scenarios/<name>.toml`.
pub fn shipped(name: &str, sets: &[String]) -> Result<Params, InputError> {
    if !SHIPPED.iter().any(|(n, _)| *n == name) {
        return Err(InputError::Usage(format!(
            "no shipped scenario `{name}`; the shipped ones are {}",
            SHIPPED
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let text_of = |n: &str| SHIPPED.iter().find(|(s, _)| *s == n).map(|(_, t)| *t);
    resolve_embedded(name, &text_of, sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipped_scenario_resolves_as_its_file_does() {
        for (name, _) in SHIPPED {
            let file = crate::scenario::load_scenario(
                std::path::Path::new(&format!("scenarios/{name}.toml")),
                &[],
            )
            .unwrap();
            assert_eq!(
                shipped(name, &[]).unwrap().to_toml(),
                file.params.to_toml(),
                "{name}"
            );
        }
        let e = shipped("coordinate", &[]).unwrap_err().to_string();
        assert!(
            e.contains("no shipped scenario `coordinate`") && e.contains("coordinated"),
            "{e}"
        );
    }
}
