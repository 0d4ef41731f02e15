//! Where each key of a scenario got its value (a file, or `--set …`), so that an error names the file
//! that wrote the offending value.

use std::collections::BTreeMap;

/// Key path (`law.fine`) → the file path or `--set …` that set it.
pub(crate) type Provenance = BTreeMap<String, String>;

/// `prefix.key`, or `key` at the top.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}
