//! `cogov game FILE`: vertices with eigenvalues, trajectories from a grid of starts, the agent-based
//! counterpart, their tables and figures, and the manifest.

use std::path::{Path, PathBuf};

use super::tables::{
    Meta, abm_runs, all_finite, every, share_columns, shares_stay_shares, trajectories,
    trajectories_table, vertices_table,
};
use super::{Game, load_game};
use crate::error::Result;
use crate::output::OutputDir;
use crate::output::manifest::{Manifest, ScenarioEntry};
use crate::output::table::{Cell, Table};

#[cfg(feature = "figures")]
pub use super::figures::{draw_game, draw_stages};
pub use super::tables::{WANG_STAGES, stages_table};

/// Write every output of one game into `out` (file names prefixed with `prefix`), then draw the
/// figures from the written tables.
pub fn write_game(game: &Game, out: &mut OutputDir, prefix: &str) -> Result<()> {
    let all = trajectories(game)?;
    let (agents, field) = abm_runs(game)?;
    let replicator = game.trajectory(&game.initial, every(game.integration.dt));
    shares_stay_shares(game, "integration.dt", game.integration.dt, &replicator)?;
    let mut head = vec!["t".to_string(), "source".to_string()];
    head.extend(share_columns(game.size()));
    let mut abm = Table::new(&head);
    for (source, traj) in [
        ("agents", &agents),
        ("mean_field", &field),
        ("replicator", &replicator),
    ] {
        for (t, x) in traj {
            let mut cells = vec![Cell::Num(*t), Cell::from(source)];
            cells.extend(x.iter().map(|&v| Cell::Num(v)));
            abm.push(cells);
        }
    }
    // Every table is checked before the first is written: a game with an unusable output writes
    // none.
    let tables = [
        ("info", Meta::of(game).to_table()),
        ("vertices", vertices_table(game)),
        ("trajectories", trajectories_table(game, &all)),
        ("abm", abm),
    ];
    for (name, table) in &tables {
        all_finite(game, name, table)?;
    }
    for (name, table) in &tables {
        out.write_table(&format!("{prefix}{name}"), table)?;
    }
    #[cfg(feature = "figures")]
    draw_game(out, prefix)?;
    #[cfg(not(feature = "figures"))]
    let _ = prefix;
    Ok(())
}

/// `cogov game FILE [--out DIR]`.
pub fn game_command(path: &Path, out: Option<PathBuf>, force: bool) -> Result<PathBuf> {
    let started = std::time::Instant::now();
    let game = load_game(path)?;
    let out = out.unwrap_or_else(|| PathBuf::from("output/game").join(&game.name));
    let mut dir = OutputDir::create(&out, force)?;
    write_game(&game, &mut dir, "")?;
    let mut manifest = Manifest::new("game", 1);
    manifest.game = Some(ScenarioEntry::new(
        &game.name,
        Some(path),
        game.resolved.clone(),
    ));
    manifest.seed = Some(game.abm.seed);
    manifest.timing.output_seconds = started.elapsed().as_secs_f64();
    let published = dir.commit(|hashes| manifest.to_json(hashes))?;
    let stable: Vec<String> = game
        .vertices()
        .into_iter()
        .filter(|v| v.2)
        .map(|(v, _, _)| {
            format!(
                "({})",
                v.iter()
                    .map(|x| format!("{x:.0}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    crate::sayln!(
        "{}: asymptotically stable vertices {}; outputs in {}",
        game.name,
        if stable.is_empty() {
            "none".into()
        } else {
            stable.join(" ")
        },
        published.display()
    );
    Ok(published)
}
