//! Fuzz the game loader (its TOML, `extends` and the payoff expression parser): any bytes must give
//! a game or a located error, never a panic, hang or runaway allocation. A game that loads has its
//! vertices classified and its dynamics evaluated once at the initial shares.
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run game -- -max_total_time=60` (see docs/ERRORS.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Through a file, as users give games: the reading limits are part of what is fuzzed.
    let path = std::env::temp_dir().join(format!("cogov-fuzz-game-{}.toml", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(game) = cogov::game::load_game(&path) {
        let _ = game.vertices();
        let mut velocity = vec![0.0; game.size()];
        game.velocity(&game.initial, &mut velocity);
    }
});
