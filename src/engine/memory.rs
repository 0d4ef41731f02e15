//! Memory estimates, checked before any work starts, so that a too-large request is refused with a
//! clear message instead of being killed for lack of memory halfway through.

use crate::error::InputError;

/// Memory the system can give us now (Linux `MemAvailable`), if known.
pub fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn human(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    if bytes as f64 >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Refuse an estimate above 90% of available memory, unless `allow` (`--allow-large-memory`).
pub fn check(estimate: u64, what: &str, allow: bool) -> Result<(), InputError> {
    check_against(estimate, available(), what, allow)
}

/// [`check`] against `free` bytes available (unknown: accept).
fn check_against(
    estimate: u64,
    free: Option<u64>,
    what: &str,
    allow: bool,
) -> Result<(), InputError> {
    let Some(free) = free else {
        return Ok(());
    };
    if allow || estimate <= free / 10 * 9 {
        return Ok(());
    }
    Err(InputError::Usage(format!(
        "{what} needs about {} of memory but {} is available; use fewer agents (enterprises.per_region, \
         public.per_region, world.regions), fewer replicates, or no regions.csv, or pass \
         --allow-large-memory to try anyway",
        human(estimate),
        human(free)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    #[test]
    fn a_request_beyond_nine_tenths_of_free_memory_is_refused_with_advice() {
        let free = Some(10 * GIB);
        let e = check_against(10 * GIB, free, "this run", false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--allow-large-memory") && e.contains("public.per_region"),
            "{e}"
        );
        assert!(e.contains("10.0 GiB of memory but 10.0 GiB"), "{e}");
        assert!(check_against(9 * GIB, free, "this run", false).is_ok());
        assert!(check_against(10 * GIB, free, "this run", true).is_ok());
        // Where the system does not say, nothing is refused.
        assert!(check_against(u64::MAX, None, "this run", false).is_ok());
    }

    #[test]
    fn this_machine_reports_its_available_memory() {
        // Linux always has MemAvailable; elsewhere the estimate is not checked.
        if cfg!(target_os = "linux") {
            let free = available().expect("/proc/meminfo has MemAvailable");
            assert!(free > 0);
        }
    }
}
