//! Memory estimates, checked before any work starts, so that a too-large request is refused with a
//! clear message instead of being killed for lack of memory halfway through.

use crate::error::InputError;

/// Memory this process can still get: the least of the system's free memory (Linux
/// `MemAvailable`), the room left under its cgroup's limit (what a SLURM job or a container is
/// allotted) and under its address-space limit (`ulimit -v`); `None` if none of them is known.
pub fn available() -> Option<u64> {
    [mem_available(), cgroup_room(), address_space_room()]
        .into_iter()
        .flatten()
        .min()
}

/// This process's peak resident set size so far (Linux `VmHWM`); `None` where it is not known.
pub fn peak_rss() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&text, "VmHWM:")
}

fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&text, "MemAvailable:")
}

/// A `Name:  123 kB` line of a `/proc` file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A limit read from a cgroup file; "max" and the kernel's near-2⁶³ "no limit" are none.
fn read_bytes(path: &std::path::Path) -> Option<u64> {
    let v: u64 = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    (v < 1 << 60).then_some(v)
}

/// Room under the memory limit of this process's cgroup (v2 `memory.max`, or v1
/// `memory.limit_in_bytes`), looked up at its own path and, inside a container that shows its
/// cgroup as the root, at the root.
fn cgroup_room() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let root = std::path::Path::new("/sys/fs/cgroup");
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (dir, limit, usage) = match controllers {
            "" => (root.to_path_buf(), "memory.max", "memory.current"),
            c if c.split(',').any(|c| c == "memory") => (
                root.join("memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            ),
            _ => continue,
        };
        for base in [dir.join(path.trim_start_matches('/')), dir] {
            if let Some(max) = read_bytes(&base.join(limit)) {
                let used = read_bytes(&base.join(usage)).unwrap_or(0);
                return Some(max.saturating_sub(used));
            }
        }
    }
    None
}

/// Room under the address-space limit (`ulimit -v`), beyond what this process already maps.
fn address_space_room() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit through a valid pointer.
        if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0
            || limit.rlim_cur == libc::RLIM_INFINITY
        {
            return None;
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let mapped = kib_field(&status, "VmSize:").unwrap_or(0);
        Some(limit.rlim_cur.saturating_sub(mapped))
    }
    #[cfg(not(unix))]
    None
}

pub fn human(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    const GIB: f64 = 1024.0 * MIB;
    const TIB: f64 = 1024.0 * GIB;
    let b = bytes as f64;
    if b >= TIB {
        format!("{:.1} TiB", b / TIB)
    } else if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.0} MiB", b / MIB)
    }
}

/// Refuse an estimate above 90% of available memory, unless `allow` (`--allow-large-memory`).
pub fn check(estimate: u64, what: &str, allow: bool) -> Result<(), InputError> {
    check_against(estimate, available(), what, AGENTS_ADVICE, allow)
}

/// What to do about a model too large: the advice of [`check`].
const AGENTS_ADVICE: &str = "use fewer agents (enterprises.per_region, public.per_region, \
     world.regions), fewer replicates, or no regions.csv";

/// [`check`] with advice of its own (what makes this estimate large).
pub fn check_advising(
    estimate: u64,
    what: &str,
    advice: &str,
    allow: bool,
) -> Result<(), InputError> {
    check_against(estimate, available(), what, advice, allow)
}

/// [`check`] against `free` bytes available (unknown: accept).
fn check_against(
    estimate: u64,
    free: Option<u64>,
    what: &str,
    advice: &str,
    allow: bool,
) -> Result<(), InputError> {
    let Some(free) = free else {
        return Ok(());
    };
    if allow || estimate <= free / 10 * 9 {
        return Ok(());
    }
    Err(InputError::Usage(format!(
        "{what} needs about {} of memory, more than nine tenths of the {} available to it (free \
         memory, within its cgroup and ulimit -v); {advice}, or pass --allow-large-memory to try \
         anyway",
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
        let e = check_against(10 * GIB, free, "this run", AGENTS_ADVICE, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--allow-large-memory") && e.contains("public.per_region"),
            "{e}"
        );
        assert!(
            e.contains("10.0 GiB of memory, more than nine tenths of the 10.0 GiB"),
            "{e}"
        );
        assert!(check_against(9 * GIB, free, "this run", AGENTS_ADVICE, false).is_ok());
        assert!(check_against(10 * GIB, free, "this run", AGENTS_ADVICE, true).is_ok());
        // Where the system does not say, nothing is refused.
        assert!(check_against(u64::MAX, None, "this run", AGENTS_ADVICE, false).is_ok());
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
