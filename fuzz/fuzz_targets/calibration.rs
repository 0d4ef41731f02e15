//! Fuzz the calibration loader (its TOML, the method, priors, targets and reported patterns, the base
//! scenario under each target's overrides): any bytes must give a calibration or a located error,
//! never a panic, hang or runaway allocation.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run calibration -- -max_total_time=60` (see docs/ERRORS.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A calibration file beside a base scenario of defaults (`base = "base.toml"` finds it); the
    // input's last lines are also tried as --set overrides of that base.
    let dir = std::env::temp_dir().join(format!("cogov-fuzz-calibration-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err()
        || std::fs::write(dir.join("base.toml"), "").is_err()
        || std::fs::write(dir.join("fuzz.toml"), data).is_err()
    {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let sets: Vec<String> = text.lines().rev().take(4).map(str::to_string).collect();
    let _ = cogov::calibrate::load_calibration(&dir.join("fuzz.toml"), &[]);
    let _ = cogov::calibrate::load_calibration(&dir.join("fuzz.toml"), &sets);
});
