//! Fuzz the scenario loader and the `--set` parser: any bytes must give a scenario or a located
//! error, never a panic, hang or runaway allocation.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run scenario -- -max_total_time=60` (see docs/ERRORS.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The whole input as a scenario file.
    let _ = cogov::scenario::resolve_str(&text, "fuzz.toml", &[]);
    // Each line as a --set override on the defaults.
    let sets: Vec<String> = text.lines().take(8).map(str::to_string).collect();
    let _ = cogov::scenario::resolve_str("", "fuzz.toml", &sets);
});
